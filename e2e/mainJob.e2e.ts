/**
 * The main job as a user runs it: `npm run local` (scripts/local.sh up) on the suite's control plane, with a
 * workspace and state of its own (OBS_LOCAL_DIR): the local stack comes up, and nothing it prints is a warning a
 * user cannot act on (`using pulumi-language-nodejs from $PATH`, a provider of another version than the SDK's, ...).
 * Then a change to Kiali's values updates its ConfigMap and the releases record in place: replacing them (the
 * provider's default for ConfigMap data) deleted both on provider 4.25.0.
 * Needs `scripts/cluster.sh up` first (`npm run test:e2e` does it; its OBS_* settings reach scripts/local.sh).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { RELEASES_CONFIGMAP, SYSTEM_NAMESPACE } from "../lib/constants";
import { PROJECT_DIR, WORK_DIR, airGapped, configSet, kubectlJson, waitNamespacesGone, workspaceStack } from "./harness";

const dir = path.join(WORK_DIR, "e2e", "main-job");

function run(args: string[]): { status: number | null; output: string } {
    const r = spawnSync(args[0], args.slice(1), { cwd: PROJECT_DIR, env: { ...process.env, OBS_LOCAL_DIR: dir }, encoding: "utf8", timeout: 900_000 });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe("the main job (npm run local)", function () {
    this.timeout(900_000);

    before(() => {
        fs.rmSync(dir, { recursive: true, force: true });
    });

    after(() => {
        run(["npx", "ts-node", "e2e/local.ts", "destroy"]);
        waitNamespacesGone([SYSTEM_NAMESPACE, "auth", "chat"]);
    });

    it("brings the local stack up under the pack with no warning: line in its output", () => {
        const r = run(["npm", "run", "--silent", "local"]);
        assert.strictEqual(r.status, 0, r.output.slice(-4000));
        assert.match(r.output, /Summary \(pulumi up --stack local, succeeded; judged by a preview under the pack first\):\n {2}resources: \d+ created\n {2}policy pack: every policy passed\n/);
        assert.deepStrictEqual(
            r.output.split("\n").filter((l) => /warning:/i.test(l)),
            [],
        );
    });

    it("updates Kiali's ConfigMap and the releases record in place when Kiali's values change: both still exist, with the new value", async () => {
        // The main job's workspace and state, as `npm run local` left them (local.ts re-reads the committed stack file on each run).
        const stack = await workspaceStack({ stack: "local", dir, backendDir: path.join(dir, "state"), from: "local", passphrase: "observability-stack-local", keep: true });
        await configSet(stack, [...airGapped(), { key: "charts.kiali.values.kiali_feature_flags.ui_defaults.graph.traffic.grpc", value: "sent" }]);
        const r = await stack.up();
        assert.deepStrictEqual(r.summary.resourceChanges?.replace ?? 0, 0, JSON.stringify(r.summary.resourceChanges));
        const kiali = kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "configmap", "kiali"]);
        assert.match(kiali.data["config.yaml"], /grpc: sent/);
        const record = kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "configmap", RELEASES_CONFIGMAP.name]);
        assert.match(record.data["charts.json"], /"grpc": "sent"/);
    });
});
