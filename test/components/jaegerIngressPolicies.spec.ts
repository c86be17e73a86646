import * as assert from "assert";
import { JAEGER_METRICS_PORTS } from "../../lib/constants";
import { ofType, resetRegistered, settle, testProvider } from "../mocks";

const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const JAEGER_POD = { "app.kubernetes.io/name": "jaeger", "app.kubernetes.io/instance": "jaeger", "app.kubernetes.io/component": "all-in-one" };
const names = (values: string[]) => ({ namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values }] } });

describe("JaegerIngressPolicies", () => {
    let j: typeof import("../../components/jaegerIngressPolicies");
    before(async () => {
        j = await import("../../components/jaegerIngressPolicies");
    });
    beforeEach(resetRegistered);

    it("opens the collector ports to the mesh only, the query ports to Kiali and the ingress controller, the metrics port to Prometheus", () => {
        const specs = j.jaegerIngressSpecs({
            namespace: "istio-system",
            line: "v2",
            appNamespaces: ["auth", "chat"],
            ingressControllerNamespaces: ["ingress-nginx"],
            metricsNamespaces: ["prometheus"],
        });
        assert.deepStrictEqual(specs, {
            "jaeger-collector-from-mesh": {
                podSelector: { matchLabels: JAEGER_POD },
                policyTypes: ["Ingress"],
                ingress: [
                    {
                        from: [names(["istio-system", "auth", "chat"]), { namespaceSelector: { matchLabels: { "istio-injection": "enabled" } } }],
                        ports: [
                            { protocol: "TCP", port: 4317 },
                            { protocol: "TCP", port: 4318 },
                            { protocol: "TCP", port: 9411 },
                        ],
                    },
                ],
            },
            "jaeger-query-from-ui-clients": {
                podSelector: { matchLabels: JAEGER_POD },
                policyTypes: ["Ingress"],
                ingress: [
                    {
                        from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "kiali", "app.kubernetes.io/instance": "kiali" } } }, names(["ingress-nginx"])],
                        ports: [
                            { protocol: "TCP", port: 16686 },
                            { protocol: "TCP", port: 16685 },
                        ],
                    },
                ],
            },
            "jaeger-metrics-from-prometheus": {
                podSelector: { matchLabels: JAEGER_POD },
                policyTypes: ["Ingress"],
                ingress: [{ from: [names(["prometheus"])], ports: [{ protocol: "TCP", port: 8888 }] }],
            },
        });
    });

    it("opens the span-metrics port to Prometheus too when Jaeger serves the Monitor tab's metrics", () => {
        const specs = j.jaegerIngressSpecs({ namespace: "istio-system", line: "v2", appNamespaces: [], ingressControllerNamespaces: [], metricsNamespaces: ["prometheus"], spanMetrics: true });
        assert.deepStrictEqual(specs["jaeger-metrics-from-prometheus"].ingress, [
            {
                from: [names(["prometheus"])],
                ports: [
                    { protocol: "TCP", port: 8888 },
                    { protocol: "TCP", port: 8889 },
                ],
            },
        ]);
    });

    it("serves Jaeger v1's metrics on its admin port and leaves out what is not configured", () => {
        const specs = j.jaegerIngressSpecs({ namespace: "istio-system", line: "v1", appNamespaces: [], ingressControllerNamespaces: [], metricsNamespaces: [] });
        assert.deepStrictEqual(Object.keys(specs), ["jaeger-collector-from-mesh", "jaeger-query-from-ui-clients"]);
        assert.deepStrictEqual(specs["jaeger-query-from-ui-clients"].ingress, [
            {
                from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "kiali", "app.kubernetes.io/instance": "kiali" } } }],
                ports: [
                    { protocol: "TCP", port: 16686 },
                    { protocol: "TCP", port: 16685 },
                ],
            },
        ]);
        assert.strictEqual(JAEGER_METRICS_PORTS.v1, 14269);
    });

    it("creates one NetworkPolicy per rule in the Jaeger namespace", async () => {
        const c = new j.JaegerIngressPolicies("ji", { line: "v1", appNamespaces: ["auth"], metricsNamespaces: ["prometheus"] }, { provider: testProvider() });
        await settle();
        assert.deepStrictEqual(
            ofType(NP)
                .map((r) => `${r.inputs.metadata.namespace}/${r.inputs.metadata.name}`)
                .sort(),
            c.policyNames.slice().sort(),
        );
        assert.deepStrictEqual(c.policyNames, ["istio-system/jaeger-collector-from-mesh", "istio-system/jaeger-query-from-ui-clients", "istio-system/jaeger-metrics-from-prometheus"]);
    });
});
