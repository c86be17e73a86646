/**
 * The pack's and the config's guardrails with the real CLI: a program written the reference deployment's way is
 * denied by every policy of the pack, and an invalid stack config is rejected before any resource is registered.
 * Needs `scripts/cluster.sh up` first (`npm run test:e2e` does it).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { OTEL_PROPAGATION } from "../policy/rules/tracing";
import { SYSTEM_NAMESPACE } from "../lib/constants";
import { EXPECTED_VIOLATIONS } from "./badResources";
import { gone } from "./clusterState";
import { applyGatewayApiCrds } from "./gatewayApi";
import { POLICY_PACK, PROJECT_DIR, WORK_DIR, airGapped, cliErrorLines, configSet, policyConfig, previewWithPolicies, workspaceStack } from "./harness";

const PASSPHRASE = "e2e-only-passphrase";
const root = path.join(WORK_DIR, "e2e");

describe("pulumi CLI, guardrails", function () {
    this.timeout(600_000);

    it("denies the reference deployment's mistakes, each by its policy with its message", async () => {
        // A program of its own (e2e/programs/guardrails): the project's program plus objects written the reference's way.
        const stack = await workspaceStack({
            stack: "guardrails",
            dir: path.join(root, "guardrails"),
            from: "local",
            passphrase: PASSPHRASE,
            program: path.join(PROJECT_DIR, "e2e", "programs", "guardrails"),
        });
        await configSet(stack, airGapped());
        // The bad objects include a waypoint Gateway: the cluster has the Gateway API, as an ambient cluster would.
        applyGatewayApiCrds();
        const r = await previewWithPolicies(stack, "production");
        assert.ok(!r.ok, "the preview must fail on mandatory violations");
        const reported = [...new Set(r.policies.map((p) => `${p.level} ${p.policy}`))].sort().join("\n  ");
        const mandatory = r.policies.filter((p) => p.level === "mandatory");
        for (const expected of EXPECTED_VIOLATIONS) {
            const found = mandatory.filter((p) => p.policy === expected.policy);
            assert.ok(found.length > 0, `${expected.policy} reported nothing; the pack reported:\n  ${reported}\n${r.error.slice(0, 3000)}`);
            assert.ok(
                found.some((p) => p.message.includes(expected.message)),
                `${expected.policy} did not report:\n  ${expected.message}\nit reported:\n  ${found.map((p) => p.message).join("\n  ")}`,
            );
        }
        assert.strictEqual(new Set(mandatory.map((p) => p.policy)).size, EXPECTED_VIOLATIONS.length, "every policy of the pack fired");
    });

    it("refuses a policy config that names a renamed policy, naming its new name, before the program runs", async () => {
        const stack = await workspaceStack({ stack: "renamed", dir: path.join(root, "renamed"), from: "local", passphrase: PASSPHRASE });
        await configSet(stack, airGapped());
        const config = path.join(root, "renamed", "policy-config.json");
        fs.writeFileSync(config, JSON.stringify({ ...JSON.parse(fs.readFileSync(policyConfig("dev"), "utf8")), "otlp-exporters-must-propagate-b3": "disabled" }));
        await assert.rejects(stack.preview({ policyPacks: [POLICY_PACK], policyPackConfigs: [config] }), (e: Error) => {
            const lines = cliErrorLines(e);
            assert.deepStrictEqual(lines.length, 1, e.message.slice(0, 3000));
            assert.ok(lines[0].includes(`policy config names "otlp-exporters-must-propagate-b3", which was renamed "${OTEL_PROPAGATION}": rename the key in your policy config`), lines[0]);
            return true;
        });
        const state = await stack.exportStack();
        assert.deepStrictEqual(state.deployment.resources ?? [], []);
    });

    it("rejects an invalid config before registering any resource, and the state stays empty", async () => {
        const stack = await workspaceStack({ stack: "invalid", dir: path.join(root, "invalid"), from: "local", passphrase: PASSPHRASE });
        await configSet(stack, [...airGapped(), { key: "tracing.samplingPercentage", value: "150" }, { key: "appNamespaces[0]", value: "Auth" }]);
        await assert.rejects(stack.up(), (e: Error) => {
            assert.ok(e.message.includes("invalid stack configuration:"), e.message);
            assert.ok(e.message.includes("tracing.samplingPercentage: got 150; expected a number from 0 to 100"), e.message);
            assert.ok(e.message.includes(`appNamespaces[0]: got "Auth"; expected a DNS label`), e.message);
            return true;
        });
        const state = await stack.exportStack();
        assert.deepStrictEqual(
            (state.deployment.resources ?? []).filter((r: any) => r.type !== "pulumi:pulumi:Stack").map((r: any) => r.urn),
            [],
        );
        assert.ok(gone(["namespace", SYSTEM_NAMESPACE]));
    });
});
