import * as assert from "assert";
import { ofType, readStates, resetRegistered, settle, testProvider, valueOf } from "../mocks";

const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

describe("TracingNetworkPolicies", () => {
    let n: typeof import("../../components/tracingNetworkPolicies");
    before(async () => {
        n = await import("../../components/tracingNetworkPolicies");
    });
    beforeEach(resetRegistered);

    it("allows egress to the Jaeger pods on 4317, 4318 and 9411", () => {
        assert.deepStrictEqual(n.jaegerEgressSpec("istio-system"), {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [
                {
                    to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "istio-system" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "jaeger" } } }],
                    ports: [
                        { protocol: "TCP", port: 4317 },
                        { protocol: "TCP", port: 4318 },
                        { protocol: "TCP", port: 9411 },
                    ],
                },
            ],
        });
    });

    it("generates the complete set a mesh workload needs in every app namespace", async () => {
        new n.TracingNetworkPolicies("netpol", { namespaces: ["auth", "chat"], externalPorts: [443, 443] }, { provider: testProvider() });
        await settle();
        const policies = ofType(NP)
            .map((r) => `${r.inputs.metadata.namespace}/${r.inputs.metadata.name}`)
            .sort();
        assert.deepStrictEqual(policies, [
            "auth/allow-app-namespaces-egress",
            "auth/allow-dns-egress",
            "auth/allow-external-services-egress",
            "auth/allow-istiod-egress",
            "auth/allow-jaeger-egress",
            "chat/allow-app-namespaces-egress",
            "chat/allow-dns-egress",
            "chat/allow-external-services-egress",
            "chat/allow-istiod-egress",
            "chat/allow-jaeger-egress",
        ]);
        const byName = (name: string) => ofType(NP).find((r) => r.inputs.metadata.namespace === "auth" && r.inputs.metadata.name === name)!.inputs.spec;
        assert.deepStrictEqual(byName("allow-dns-egress").egress, [
            {
                to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
                ports: [
                    { protocol: "UDP", port: 53 },
                    { protocol: "TCP", port: 53 },
                ],
            },
        ]);
        assert.deepStrictEqual(byName("allow-istiod-egress").egress[0].ports, [{ protocol: "TCP", port: 15012 }]);
        assert.deepStrictEqual(byName("allow-istiod-egress").egress[0].to[0].podSelector, { matchLabels: { app: "istiod" } });
        assert.deepStrictEqual(byName("allow-app-namespaces-egress").egress[0].to[0].namespaceSelector.matchExpressions, [
            { key: "kubernetes.io/metadata.name", operator: "In", values: ["auth", "chat"] },
        ]);
        assert.deepStrictEqual(byName("allow-external-services-egress").egress, [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] }]);
    });

    it("in baseline mode creates only the Jaeger policy and reads the baseline policy to prove it exists", async () => {
        new n.TracingNetworkPolicies("netpol", { namespaces: ["auth"], mode: "baseline", baselinePolicy: "default-egress" }, { provider: testProvider() });
        await settle();
        assert.deepStrictEqual(
            ofType(NP)
                .map((r) => (r.readId !== undefined ? `read ${r.readId}` : `create ${r.inputs.metadata.name}`))
                .sort(),
            ["create allow-jaeger-egress", "read auth/default-egress"],
        );
    });

    it("in baseline mode records each baseline policy as read from the cluster, for the policy pack", async () => {
        const spec = {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [
                {
                    to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } }],
                    ports: [
                        { protocol: "UDP", port: 53 },
                        { protocol: "TCP", port: 53 },
                    ],
                },
            ],
        };
        for (const ns of ["auth", "chat"]) {
            readStates.set(`${NP}::${ns}/allow-dns`, { metadata: { name: "allow-dns", namespace: ns, uid: `uid-${ns}`, managedFields: [] }, spec });
        }
        try {
            const policies = new n.TracingNetworkPolicies("netpol", { namespaces: ["auth", "chat"], mode: "baseline", baselinePolicy: "allow-dns" }, { provider: testProvider() });
            assert.deepStrictEqual(await valueOf(policies.reads), [
                { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "allow-dns", namespace: "auth" }, spec },
                { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "allow-dns", namespace: "chat" }, spec },
            ]);
        } finally {
            readStates.clear();
        }
    });

    it("records no reads in complete mode", async () => {
        const policies = new n.TracingNetworkPolicies("netpol", { namespaces: ["auth"] }, { provider: testProvider() });
        assert.deepStrictEqual(await valueOf(policies.reads), []);
    });

    it("refuses baseline mode without a baseline policy", () => {
        assert.throws(() => new n.TracingNetworkPolicies("bad", { namespaces: ["auth"], mode: "baseline" }, { provider: testProvider() }), {
            message:
                "TracingNetworkPolicies: baselinePolicy: got nothing; required when mode is baseline: the name of the existing NetworkPolicy in every app namespace that allows DNS and istiod egress",
        });
    });
});
