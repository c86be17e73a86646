import * as assert from "assert";
import { one, registered, resetRegistered, settle, testProvider } from "../mocks";

const POD_MONITOR = "kubernetes:monitoring.coreos.com/v1:PodMonitor";
const SERVICE_MONITOR = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor";

describe("PrometheusMonitors", () => {
    let m: typeof import("../../components/prometheusMonitors");
    before(async () => {
        m = await import("../../components/prometheusMonitors");
    });
    beforeEach(resetRegistered);

    it("creates Istio's sample PodMonitor for every istio-proxy container (sidecars and the gateway) on its prometheus.io/port", async () => {
        new m.PrometheusMonitors("monitors", {}, { provider: testProvider() });
        await settle();
        const pm = one(POD_MONITOR, "monitors-envoy-stats");
        assert.deepStrictEqual(pm.inputs.metadata, { name: "envoy-stats-monitor", namespace: "istio-system", labels: { monitoring: "istio-proxies", release: "istio" } });
        assert.deepStrictEqual(pm.inputs.spec.selector, { matchExpressions: [{ key: "istio-prometheus-ignore", operator: "DoesNotExist" }] });
        assert.deepStrictEqual(pm.inputs.spec.namespaceSelector, { any: true });
        const endpoint = pm.inputs.spec.podMetricsEndpoints[0];
        assert.deepStrictEqual([endpoint.path, endpoint.interval], ["/stats/prometheus", "15s"]);
        assert.deepStrictEqual(endpoint.relabelings[0], { action: "keep", sourceLabels: ["__meta_kubernetes_pod_container_name"], regex: "istio-proxy" });
        assert.deepStrictEqual(endpoint.relabelings[3], {
            action: "replace",
            regex: "(\\d+);((([0-9]+?)(\\.|$)){4})",
            replacement: "$2:$1",
            sourceLabels: ["__meta_kubernetes_pod_annotation_prometheus_io_port", "__meta_kubernetes_pod_ip"],
            targetLabel: "__address__",
        });
        assert.deepStrictEqual(endpoint.relabelings.at(-1), { sourceLabels: ["__meta_kubernetes_pod_name"], action: "replace", targetLabel: "pod" });
        assert.strictEqual(endpoint.relabelings.length, 7);
    });

    it("creates the sample ServiceMonitor for istiod's http-monitoring port", async () => {
        new m.PrometheusMonitors("monitors", {}, { provider: testProvider() });
        await settle();
        const sm = one(SERVICE_MONITOR, "monitors-istiod");
        assert.deepStrictEqual(sm.inputs.spec, {
            jobLabel: "istio",
            targetLabels: ["app"],
            selector: { matchExpressions: [{ key: "istio", operator: "In", values: ["pilot"] }] },
            namespaceSelector: { any: true },
            endpoints: [{ port: "http-monitoring", interval: "15s" }],
        });
    });

    it("adds the labels the Prometheus resource selects monitors by", async () => {
        new m.PrometheusMonitors("monitors", { labels: { release: "kube-prometheus-stack" } }, { provider: testProvider() });
        await settle();
        assert.deepStrictEqual(one(POD_MONITOR, "monitors-envoy-stats").inputs.metadata.labels, { monitoring: "istio-proxies", release: "kube-prometheus-stack" });
        assert.deepStrictEqual(one(SERVICE_MONITOR, "monitors-istiod").inputs.metadata.labels, { monitoring: "istio-components", release: "kube-prometheus-stack" });
        assert.strictEqual(registered.filter((r) => r.type === POD_MONITOR || r.type === SERVICE_MONITOR).length, 2);
    });

    it("with Jaeger's span metrics, scrapes the jaeger 4.x chart's Service on its span-metrics port, in Jaeger's namespace only", async () => {
        new m.PrometheusMonitors("monitors", { labels: { release: "kps" }, jaegerSpanMetrics: {} }, { provider: testProvider() });
        await settle();
        const sm = one(SERVICE_MONITOR, "monitors-jaeger-span-metrics");
        assert.deepStrictEqual(sm.inputs.metadata, { name: "jaeger-span-metrics", namespace: "istio-system", labels: { monitoring: "jaeger-span-metrics", release: "kps" } });
        assert.deepStrictEqual(sm.inputs.spec, {
            selector: { matchLabels: { "app.kubernetes.io/name": "jaeger", "app.kubernetes.io/instance": "jaeger", "app.kubernetes.io/component": "all-in-one" } },
            namespaceSelector: { matchNames: ["istio-system"] },
            endpoints: [{ port: "span-metrics", interval: "15s" }],
        });
    });
});
