/**
 * The program's objects under the policy pack (policy/rules), as a preview
 * would hand them to the analyzer: in `baseline` mode the baseline policies the program read reach the
 * pack only through the releases record (`reads.json`), so the record is what makes a correct stack pass;
 * and e2e/badResources.ts' expected messages, checked here without the real engine for every policy
 * whose evidence does not come from objects a chart renders (the e2e test checks all of them).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { Registered, ofType, readStates, registered, resetRegistered, settle, testProvider } from "./mocks";
import { stackRawConfig } from "./stackFiles";

const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const NAMESPACES = ["auth", "character", "chat", "scan", "location", "image"];
const DNS_TO = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } };

function fixtures(resources: readonly Registered[]): { type: string; props: Record<string, any>; name: string }[] {
    // Reads never reach analyzers: only registered resources do.
    return resources.filter((r) => r.readId === undefined).map((r) => ({ type: r.type, props: r.inputs, name: r.name }));
}

describe("the program under the policy pack", () => {
    let network: typeof import("../policy/rules/network");
    let harness: typeof import("../policy/test/harness");
    let parseStackConfig: typeof import("../config").parseStackConfig;
    let ObservabilityStack: typeof import("../components/observabilityStack").ObservabilityStack;
    let observabilityStackArgs: typeof import("../program").observabilityStackArgs;

    before(async () => {
        network = await import("../policy/rules/network");
        harness = await import("../policy/test/harness");
        parseStackConfig = (await import("../config")).parseStackConfig;
        ObservabilityStack = (await import("../components/observabilityStack")).ObservabilityStack;
        observabilityStackArgs = (await import("../program")).observabilityStackArgs;
    });
    beforeEach(resetRegistered);
    afterEach(() => readStates.clear());

    /** The arguments program.ts derives: a signing key, and the dev cluster's namespaces (istio-system created, the app namespaces existing). */
    function stackArgs() {
        return { kialiSigningKey: "0123456789abcdef", namespaces: { "istio-system": "create" as const }, owner: "observability-stack/unit" };
    }

    async function stack(name: string, networkPolicies: Record<string, unknown>): Promise<Registered[]> {
        const settings = parseStackConfig({ ...stackRawConfig("dev"), networkPolicies });
        new ObservabilityStack(name, observabilityStackArgs(settings, stackArgs()), { provider: testProvider() });
        await settle();
        return [...registered];
    }

    it("passes the complete mode's policies in every app namespace", async () => {
        const resources = fixtures(await stack("complete", { mode: "complete" }));
        assert.strictEqual(resources.filter((r) => r.type === NP).length, 30 + 3, "five per app namespace, three on the Jaeger pods");
        assert.deepStrictEqual(await harness.stackViolationsOf(network.egressRestrictedNamespacesMustAllowDns, resources), []);
        assert.deepStrictEqual(await harness.stackViolationsOf(network.jaegerEgressMustAllowOtlpAndZipkin, resources), []);
    });

    it("passes baseline mode when every namespace really holds an allow-dns policy: the program records what it read", async () => {
        for (const ns of NAMESPACES) {
            readStates.set(`${NP}::${ns}/allow-dns`, {
                metadata: { name: "allow-dns", namespace: ns },
                spec: {
                    podSelector: {},
                    policyTypes: ["Egress"],
                    egress: [
                        {
                            to: [DNS_TO],
                            ports: [
                                { protocol: "UDP", port: 53 },
                                { protocol: "TCP", port: 53 },
                            ],
                        },
                    ],
                },
            });
        }
        const all = await stack("baseline", { mode: "baseline", baselinePolicy: "allow-dns" });
        assert.deepStrictEqual(
            all
                .filter((r) => r.readId !== undefined)
                .map((r) => r.readId)
                .sort(),
            NAMESPACES.map((ns) => `${ns}/allow-dns`).sort(),
        );
        const resources = fixtures(all);
        assert.deepStrictEqual(ofType(NP).filter((r) => r.readId === undefined).length, 6 + 3);
        assert.deepStrictEqual(await harness.stackViolationsOf(network.egressRestrictedNamespacesMustAllowDns, resources), []);
        assert.deepStrictEqual(await harness.stackViolationsOf(network.jaegerEgressMustAllowOtlpAndZipkin, resources), []);

        // Without the record the pack sees only the Jaeger policies: every namespace loses DNS (the report).
        const withoutRecord = resources.map((r) =>
            r.props.metadata?.name === "observability-stack-charts" ? { ...r, props: { ...r.props, data: { "charts.json": r.props.data["charts.json"] } } } : r,
        );
        assert.deepStrictEqual(
            await harness.stackViolationsOf(network.egressRestrictedNamespacesMustAllowDns, withoutRecord),
            [...NAMESPACES]
                .sort()
                .map(
                    (ns) =>
                        `Namespace ${ns} must allow egress to the DNS pods (kube-system k8s-app=kube-dns) on UDP 53 and TCP 53 once Egress policies select its pods; unreachable: UDP 53, TCP 53 (egress policies: ${ns}/allow-jaeger-egress).`,
                ),
        );
    });

    it("denies baseline mode when the policy the program read does not allow DNS, naming it", async () => {
        for (const ns of NAMESPACES) {
            readStates.set(`${NP}::${ns}/default-egress`, {
                metadata: { name: "default-egress", namespace: ns },
                spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{ ports: [{ protocol: "TCP", port: 443 }] }] },
            });
        }
        const resources = fixtures(await stack("baseline-bad", { mode: "baseline", baselinePolicy: "default-egress" }));
        const violations = await harness.stackViolationsOf(network.egressRestrictedNamespacesMustAllowDns, resources);
        assert.deepStrictEqual(
            violations[0],
            "Namespace auth must allow egress to the DNS pods (kube-system k8s-app=kube-dns) on UDP 53 and TCP 53 once Egress policies select its pods; unreachable: UDP 53, TCP 53 (egress policies: auth/allow-jaeger-egress, auth/default-egress [read from the cluster]).",
        );
        assert.strictEqual(violations.length, 6);
    });

    it("reports e2e/badResources' expected messages, for every policy that does not need objects a chart renders", async () => {
        const { registerBadResources, EXPECTED_VIOLATIONS } = await import("../e2e/badResources");
        const { allPolicies } = await import("../policy/rules");
        const config = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "policy", "config", "production.json"), "utf8")) as Record<string, unknown>;
        new ObservabilityStack("guardrails", observabilityStackArgs(parseStackConfig(stackRawConfig("dev")), stackArgs()), { provider: testProvider() });
        registerBadResources();
        await settle();
        const resources = fixtures(registered);
        // Under mocks Chart v4 renders nothing: these expectations are about objects the charts render.
        const RENDERED = ["zipkin-target-must-be-clusterip-service-selecting-pods", "kiali-must-not-allow-anonymous-access", "jaeger-must-not-use-memory-storage"];
        const checked = EXPECTED_VIOLATIONS.filter((e) => !RENDERED.includes(e.policy));
        assert.strictEqual(checked.length, EXPECTED_VIOLATIONS.length - RENDERED.length);
        for (const expected of checked) {
            const policy = allPolicies.find((p) => p.name === expected.policy);
            assert.ok(policy !== undefined, expected.policy);
            const policyConfig = typeof config[policy.name] === "object" ? (config[policy.name] as Record<string, unknown>) : {};
            const messages =
                "validateStack" in policy
                    ? await harness.stackViolationsOf(policy, resources, policyConfig)
                    : (await Promise.all(resources.map((r) => harness.violationsOf(policy, r, policyConfig)))).flat();
            assert.ok(
                messages.some((m) => m.includes(expected.message)),
                `${expected.policy} did not report:\n  ${expected.message}\nit reported:\n  ${messages.join("\n  ")}`,
            );
        }
    });
});
