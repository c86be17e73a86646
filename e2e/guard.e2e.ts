/**
 * A deploy is judged before anything changes, on both paths users deploy with: the main job's (e2e/guardedUp.ts:
 * `pulumi up` with its preview under the pack, the CLI run by the harness) and the deploy workflow's
 * (scripts/deploy.sh, which .github/workflows/up.yml runs: `pulumi up` with its preview). The stack is the local
 * one with e2e/programs/guard, which registers one object after the whole stack: a resource-policy violation, or
 * a stack-policy violation (judged only after every resource is registered). Each stopped deploy leaves the API
 * server and the state exactly as they were; the same stack without the violation deploys on both paths.
 * A control shows the test can fail: the Automation API's plain `stack.up()` (`--skip-preview`) creates the stack's
 * objects before the late violation stops it.
 * Needs `scripts/cluster.sh up` first (`npm run test:e2e` does it).
 */
import * as assert from "assert";
import * as path from "path";
import { Stack } from "@pulumi/pulumi/automation";
import { SYSTEM_NAMESPACE } from "../lib/constants";
import { gone } from "./clusterState";
import { GuardStopped, guardedUp, workflowDeploy } from "./guardedUp";
import { POLICY_PACK, PROJECT_DIR, WORK_DIR, airGapped, configSet, kubectl, policyConfig, waitNamespacesGone, workspaceStack } from "./harness";

const PASSPHRASE = "e2e-only-passphrase";
const root = path.join(WORK_DIR, "e2e", "guard");
const PROGRAM = path.join(PROJECT_DIR, "e2e", "programs", "guard");
const POLICIES = { policyPacks: [POLICY_PACK], policyPackConfigs: [policyConfig("dev")] };

/** What a late violation looks like on each path: the policy and a part of its message. */
const VIOLATIONS = {
    resource: { policy: "mesh-config-must-not-use-deprecated-tracing", message: "Mesh config istio-system/istio-canary must not set defaultConfig.tracing" },
    stack: { policy: "egress-restricted-namespaces-must-allow-dns", message: "Namespace guard-isolated must allow egress to the DNS pods" },
} as const;
type Violation = keyof typeof VIOLATIONS;

/**
 * Every object the API server holds (type, namespace/name and resourceVersion), but events and leases, which the
 * control plane writes on its own. Equal snapshots: nothing was created, changed or deleted.
 */
function clusterSnapshot(): string[] {
    const types = kubectl(["api-resources", "--verbs=list", "-o", "name"])
        .split("\n")
        .filter((t) => t !== "" && !/^(events|leases)(\.|$)/.test(t));
    const out = kubectl(["get", types.join(","), "-A", "--ignore-not-found", "-o", 'jsonpath={range .items[*]}{.kind} {.metadata.namespace}/{.metadata.name} {.metadata.resourceVersion}{"\\n"}{end}']);
    return out
        .split("\n")
        .filter((l) => l !== "")
        .sort();
}

async function stateUrns(stack: Stack): Promise<string[]> {
    const state = await stack.exportStack();
    return ((state.deployment.resources ?? []) as { urn: string }[]).map((r) => r.urn).sort();
}

/** The main job's way: e2e/guardedUp.ts; the policy events it saw, or that it went through. */
async function mainJobDeploy(stack: Stack): Promise<{ stopped: boolean; policies: string[]; message: string }> {
    try {
        await guardedUp(stack, POLICIES);
        return { stopped: false, policies: [], message: "" };
    } catch (e) {
        assert.ok(e instanceof GuardStopped, `the deploy failed for another reason: ${String(e)}`);
        return { stopped: true, policies: e.verdicts.filter((v) => v.level === "mandatory").map((v) => `${v.policy}: ${v.message}`), message: e.message };
    }
}

describe("pulumi CLI, a deploy judged before anything changes", function () {
    this.timeout(900_000);
    let stack: Stack;

    before(async () => {
        stack = await workspaceStack({ stack: "guard", dir: root, from: "local", passphrase: PASSPHRASE, program: PROGRAM });
        await configSet(stack, airGapped());
    });

    after(async () => {
        await stack.destroy().catch(() => undefined);
        waitNamespacesGone([SYSTEM_NAMESPACE, "auth", "chat", "guard-isolated"]);
    });

    async function setViolation(v: Violation | undefined): Promise<void> {
        if (v === undefined) {
            await stack.removeConfig("guardTest:violation").catch(() => undefined);
        } else {
            await stack.setConfig("guardTest:violation", { value: v });
        }
    }

    for (const v of ["resource", "stack"] as const) {
        it(`the main job's deploy stops on a late ${v}-policy violation and changes nothing`, async () => {
            await setViolation(v);
            const before = clusterSnapshot();
            const urns = await stateUrns(stack);
            const r = await mainJobDeploy(stack);
            assert.ok(r.stopped, "the deploy went through");
            assert.ok(
                r.policies.some((p) => p.startsWith(`${VIOLATIONS[v].policy}: `) && p.includes(VIOLATIONS[v].message)),
                `expected ${VIOLATIONS[v].policy}; got:\n  ${r.policies.join("\n  ")}`,
            );
            assert.match(r.message, /^the preview under the policy pack found \d+ mandatory violations?; nothing was changed$/);
            assert.deepStrictEqual(clusterSnapshot(), before, "the API server holds something new");
            assert.deepStrictEqual(await stateUrns(stack), urns, "the state holds something new");
        });

        it(`the deploy workflow's scripts/deploy.sh stops on a late ${v}-policy violation and changes nothing`, async () => {
            await setViolation(v);
            const before = clusterSnapshot();
            const urns = await stateUrns(stack);
            const r = workflowDeploy(stack, policyConfig("dev"));
            assert.notStrictEqual(r.status, 0, r.output.slice(-3000));
            assert.ok(r.output.includes(VIOLATIONS[v].policy) && r.output.includes(VIOLATIONS[v].message), r.output.slice(-3000));
            assert.deepStrictEqual(clusterSnapshot(), before, "the API server holds something new");
            assert.deepStrictEqual(await stateUrns(stack), urns, "the state holds something new");
        });
    }

    it("control: the Automation API's plain up (--skip-preview) creates the stack's objects before the late violation stops it", async () => {
        await setViolation("resource");
        await assert.rejects(stack.up(POLICIES));
        assert.ok(!gone(["namespace", SYSTEM_NAMESPACE]), "istio-system was created before the violation");
        const created = (await stateUrns(stack)).length;
        assert.ok(created > 50, `${created} resources in the state`);
        await stack.destroy();
        assert.deepStrictEqual(await stateUrns(stack), []);
        // The namespace controller empties and removes the deleted namespaces before the next deploy creates them again.
        waitNamespacesGone([SYSTEM_NAMESPACE, "auth", "chat", "guard-isolated"]);
    });

    it("deploys the same stack without the violation on both paths, the second with nothing to change", async () => {
        await setViolation(undefined);
        const r = await mainJobDeploy(stack);
        assert.ok(!r.stopped, r.policies.join("\n"));
        const urns = await stateUrns(stack);
        assert.ok(urns.length > 50, `${urns.length} resources in the state`);
        const before = clusterSnapshot();
        const w = workflowDeploy(stack, policyConfig("dev"));
        assert.strictEqual(w.status, 0, w.output.slice(-3000));
        assert.deepStrictEqual(await stateUrns(stack), urns);
        assert.deepStrictEqual(clusterSnapshot(), before, "a second deploy changed objects");
    });
});
