/**
 * Team state in an S3 bucket: the CLI logged in with `pulumi login s3://…?endpoint=…` against a real S3-protocol
 * server on loopback (SeaweedFS, scripts/s3.sh, started by scripts/e2e.sh). Two `pulumi up`s of one stack from two
 * workspaces (two people, two CI jobs): the second is refused by the first's lock and nothing is lost. A `kill -9`
 * mid-update is recovered with the documented command (scripts/recover.sh) and a plain `up`.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { spawn } from "child_process";
import { Stack } from "@pulumi/pulumi/automation";
import { SYSTEM_NAMESPACE } from "../lib/constants";
import { destroyRecovering, killUpAfter, recover } from "./crash";
import { WORK_DIR, airGapped, changes, configSet, toolsBin, waitNamespacesGone, workspaceStack } from "./harness";

const PASSPHRASE = "e2e-only-passphrase";
const root = path.join(WORK_DIR, "e2e", "s3");

/** The login scripts/s3.sh prints (`scripts/s3.sh env`), exported by scripts/e2e.sh. */
function s3Env(): Record<string, string> {
    const keys = ["OBS_S3_BACKEND_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"];
    const missing = keys.filter((k) => (process.env[k] ?? "") === "");
    if (missing.length > 0) {
        throw new Error(`${missing.join(", ")} not set: run the suite with scripts/e2e.sh, which starts scripts/s3.sh`);
    }
    const env = Object.fromEntries(keys.map((k) => [k, process.env[k] ?? ""]));
    return { ...env, PULUMI_BACKEND_URL: env.OBS_S3_BACKEND_URL };
}

/** `pulumi up` in the background; resolves `started` once it has created `after` resources, `done` when it exits. */
function upInBackground(stack: Stack, after: number): { started: Promise<void>; done: Promise<{ code: number | null; output: string }> } {
    const ws = stack.workspace;
    const cli = spawn(path.join(toolsBin(), "pulumi"), ["up", "--yes", "--skip-preview", "--non-interactive", "--stack", stack.name], {
        cwd: ws.workDir,
        env: { ...process.env, ...ws.envVars },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let resolveStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (resolveStarted = resolve));
    cli.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if ((output.match(/ created \(/g) ?? []).length >= after) {
            resolveStarted();
        }
    });
    cli.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const done = new Promise<{ code: number | null; output: string }>((resolve) => cli.once("exit", (code) => resolve({ code, output })));
    return { started: Promise.race([started, done.then(({ output: o }) => Promise.reject(new Error(`pulumi up ended before ${after} creates:\n${o.slice(-2000)}`)))]), done };
}

async function stateCount(stack: Stack): Promise<number> {
    return ((await stack.exportStack()).deployment.resources ?? []).length;
}

describe("pulumi CLI, state in an S3 bucket (pulumi login s3://… on SeaweedFS)", function () {
    this.timeout(900_000);
    let env: Record<string, string>;

    before(() => {
        env = s3Env();
        fs.rmSync(root, { recursive: true, force: true });
    });

    it("refuses a second up of the stack from another workspace while the first runs, and loses nothing", async () => {
        const first = await workspaceStack({ stack: "team", dir: path.join(root, "first"), from: "local", passphrase: PASSPHRASE, env });
        await configSet(first, airGapped());
        // The second person's checkout: the same project and stack file (with the passphrase salt the first wrote).
        const second = await workspaceStack({ stack: "team", dir: path.join(root, "second"), from: "local", passphrase: PASSPHRASE, env });
        fs.copyFileSync(path.join(first.workspace.workDir, "Pulumi.team.yaml"), path.join(second.workspace.workDir, "Pulumi.team.yaml"));
        try {
            const running = upInBackground(first, 10);
            await running.started;
            await assert.rejects(second.up(), (e: Error) => {
                assert.match(e.message, /error: the stack is currently locked by 1 lock\(s\)\. Either wait for the other process\(es\) to end or delete the lock file with `pulumi cancel`\./);
                assert.match(e.message, /s3:\/\/pulumi-state\/\.pulumi\/locks\/organization\/observability-stack\/team\/[0-9a-f-]+\.json/);
                return true;
            });
            const { code, output } = await running.done;
            assert.strictEqual(code, 0, output.slice(-3000));
            const created = (output.match(/ created \(/g) ?? []).length;
            // Nothing lost: the second workspace reads every resource the first created, and has nothing to do.
            assert.ok((await stateCount(second)) >= created, `${await stateCount(second)} resources in the state, ${created} created`);
            assert.deepStrictEqual(changes((await second.up()).summary), {}, "the second workspace's up changes nothing");
        } finally {
            await second.destroy().catch(() => undefined);
            waitNamespacesGone([SYSTEM_NAMESPACE, "auth", "chat"]);
        }
        assert.strictEqual(await stateCount(first), 0);
    });

    it("converges with the documented recovery after a kill -9 mid-update", async () => {
        const stack = await workspaceStack({ stack: "crash", dir: path.join(root, "crash"), from: "local", passphrase: PASSPHRASE, env });
        await configSet(stack, airGapped());
        try {
            assert.ok((await killUpAfter(stack, 40)) >= 40);
            await assert.rejects(stack.up(), /the stack is currently locked by 1 lock\(s\)/, "the dead run's lock stays in the bucket");
            recover(stack);
            assert.strictEqual((await stack.up()).summary.result, "succeeded");
            assert.deepStrictEqual(changes((await stack.up()).summary), {}, "a further up changes nothing");
        } finally {
            await destroyRecovering(stack);
            waitNamespacesGone([SYSTEM_NAMESPACE, "auth", "chat"]);
        }
    });
});
