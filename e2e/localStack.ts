/**
 * The main job's stack: `local` from Pulumi.local.yaml, its workspace in `.work/local` and its file backend in
 * `.pulumi-state` (OBS_LOCAL_DIR moves both: the e2e suite runs the main job beside a user's own local stack).
 * e2e/local.ts deploys it; `npm run verify -- --stack local` checks it.
 */
import * as path from "path";
import { Stack } from "@pulumi/pulumi/automation";
import { PROJECT_DIR, WORK_DIR, workspaceStack } from "./harness";

/** Local stack only: its secrets protect nothing (set OBS_LOCAL_PASSPHRASE to use your own). */
const PASSPHRASE = process.env.OBS_LOCAL_PASSPHRASE ?? "observability-stack-local";

/** The local stack's workspace, created or selected (the committed stack file re-read, the passphrase salt kept). */
export function localStack(): Promise<Stack> {
    const dir = process.env.OBS_LOCAL_DIR;
    return workspaceStack({
        stack: "local",
        dir: dir ?? path.join(WORK_DIR, "local"),
        backendDir: dir !== undefined ? path.join(dir, "state") : path.join(PROJECT_DIR, ".pulumi-state"),
        from: "local",
        passphrase: PASSPHRASE,
        keep: true,
    });
}
