/**
 * The main job's deploy: a preview under the policy pack, then the update, so a mandatory violation (of a
 * resource policy, or of a stack policy, which the engine judges only after every resource is registered)
 * stops the deploy before anything changes. The Automation API's `stack.up()` runs `pulumi up --skip-preview`
 * (@pulumi/pulumi 3.248.0 automation/stack.js), which judges each resource only as the update reaches it:
 * measured on this stack, 61 objects were created before a late violation stopped it.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { EngineEvent, PreviewResult, Stack, UpResult } from "@pulumi/pulumi/automation";
import { PROJECT_DIR, cliErrorLines, violationMessage } from "./harness";

export interface Verdict {
    readonly policy: string;
    readonly level: string;
    readonly message: string;
}

export interface GuardedUpOptions {
    readonly policyPacks: string[];
    readonly policyPackConfigs: string[];
    readonly onOutput?: (out: string) => void;
    /** Receives every policy event of the preview and of the update. */
    readonly onVerdict?: (v: Verdict) => void;
}

/** The deploy was stopped by the preview under the pack: nothing was changed. */
export class GuardStopped extends Error {
    constructor(
        public readonly verdicts: readonly Verdict[],
        public readonly cause: unknown,
    ) {
        const mandatory = verdicts.filter((v) => v.level === "mandatory").length;
        super(
            `${mandatory > 0 ? `the preview under the policy pack found ${mandatory} mandatory violation${mandatory === 1 ? "" : "s"}` : `the preview failed: ${cliErrorLines(cause).join("; ")}`}; nothing was changed`,
        );
        this.name = "GuardStopped";
    }
}

/** Preview under the pack, then update; throws {@link GuardStopped} when the preview fails, before any change. */
export async function guardedUp(stack: Stack, opts: GuardedUpOptions): Promise<{ preview: PreviewResult; up: UpResult }> {
    const verdicts: Verdict[] = [];
    const onEvent = (e: EngineEvent) => {
        if (e.policyEvent !== undefined) {
            const v = { policy: e.policyEvent.policyName, level: e.policyEvent.enforcementLevel, message: violationMessage(e.policyEvent.message) };
            verdicts.push(v);
            opts.onVerdict?.(v);
        }
    };
    const policies = { policyPacks: opts.policyPacks, policyPackConfigs: opts.policyPackConfigs, onEvent };
    let preview: PreviewResult;
    try {
        preview = await stack.preview({ ...policies, diff: false });
    } catch (e) {
        throw new GuardStopped(verdicts, e);
    }
    const up = await stack.up({ ...policies, onOutput: opts.onOutput });
    return { preview, up };
}

/**
 * The deploy workflow's step (.github/workflows/up.yml): scripts/deploy.sh, i.e. `pulumi up` with its own preview under
 * the project's pack, in one CLI run, with the workspace's CLI environment. Returns the exit status and the output.
 */
export function workflowDeploy(stack: Stack, policyConfigFile: string): { status: number | null; output: string } {
    const ws = stack.workspace;
    const r = spawnSync(path.join(PROJECT_DIR, "scripts", "deploy.sh"), [stack.name, "--policy-config", policyConfigFile, "--cwd", ws.workDir], {
        env: { ...process.env, ...ws.envVars },
        encoding: "utf8",
        timeout: 600_000,
    });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
}
