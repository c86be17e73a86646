import * as assert from "assert";
import { DEFAULT_JAEGER_RESOURCES } from "../../components/jaeger";
import { DEFAULT_CHARTS } from "../../lib/charts";
import { dependsOn, one, ofType, resetRegistered, settle, testProvider } from "../mocks";

const CHART = "kubernetes:helm.sh/v4:Chart";
const SERVICE = "kubernetes:core/v1:Service";
const JOB = "kubernetes:batch/v1:Job";
const POD_SELECTOR = { "app.kubernetes.io/name": "jaeger", "app.kubernetes.io/instance": "jaeger", "app.kubernetes.io/component": "all-in-one" };

describe("Jaeger", () => {
    let j: typeof import("../../components/jaeger");
    before(async () => {
        j = await import("../../components/jaeger");
    });
    beforeEach(resetRegistered);

    it("maps the typed arguments to the 3.x chart: all-in-one only, no Cassandra, no agent, memory storage bounded for the memory limit", async () => {
        new j.Jaeger("jaeger", { chart: { ...DEFAULT_CHARTS.jaeger, version: "3.4.1" } }, { provider: testProvider() });
        await settle();
        const chart = one(CHART, "jaeger-chart");
        assert.strictEqual(chart.inputs.version, "3.4.1");
        assert.strictEqual(chart.inputs.name, "jaeger");
        assert.deepStrictEqual(chart.inputs.values, {
            provisionDataStore: { cassandra: false, elasticsearch: false, kafka: false },
            storage: { type: "memory", memory: { extraEnv: [{ name: "MEMORY_MAX_TRACES", value: "10752" }] } },
            agent: { enabled: false },
            collector: { enabled: false },
            query: { enabled: false },
            allInOne: { enabled: true, replicas: 1, resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } } },
        });
        assert.deepStrictEqual(ofType(JOB), [], "no rollover init Job without Elasticsearch");
    });

    it("maps the typed arguments to the 4.x chart: its own config with a bounded memory store and metrics on 0.0.0.0:8888", async () => {
        new j.Jaeger("jaeger", { chart: DEFAULT_CHARTS.jaeger, image: { registry: "mirror.local", tag: "2.19.0" }, storage: { type: "memory", maxTraces: 5000 } }, { provider: testProvider() });
        await settle();
        const values = one(CHART, "jaeger-chart").inputs.values;
        assert.deepStrictEqual(values.jaeger, {
            replicas: 1,
            resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
            image: { registry: "mirror.local", tag: "2.19.0" },
            podLabels: { "observability-stack/config-hash": j.configHash(j.jaegerV2Config({ type: "memory", maxTraces: 5000 })) },
        });
        assert.deepStrictEqual(Object.keys(values).sort(), ["jaeger", "userconfig"]);
        assert.deepStrictEqual(values.userconfig.extensions.jaeger_storage.backends, { primary_store: { memory: { max_traces: 5000 } } });
        assert.deepStrictEqual(values.userconfig.service.telemetry, { metrics: { readers: [{ pull: { exporter: { prometheus: { host: "0.0.0.0", port: 8888 } } } }] } });
        assert.deepStrictEqual(values.userconfig.service.pipelines.traces.receivers, ["otlp", "jaeger", "zipkin"]);
        assert.deepStrictEqual(values.userconfig.receivers.zipkin, { endpoint: "0.0.0.0:9411" });
        assert.deepStrictEqual(values.userconfig.receivers.otlp.protocols, { grpc: { endpoint: "0.0.0.0:4317" }, http: { endpoint: "0.0.0.0:4318" } });
    });

    it("with the Monitor tab, feeds the traces to the spanmetrics connector, serves its metrics on 0.0.0.0:8889 and reads them back from Prometheus", async () => {
        const monitor = { prometheusUrl: "http://prometheus-operated.prometheus.svc.cluster.local:9090" };
        new j.Jaeger("jaeger", { chart: DEFAULT_CHARTS.jaeger, storage: { type: "memory", maxTraces: 5000 }, monitor }, { provider: testProvider() });
        await settle();
        const config = one(CHART, "jaeger-chart").inputs.values.userconfig;
        assert.deepStrictEqual(config.service.pipelines, {
            traces: { receivers: ["otlp", "jaeger", "zipkin"], processors: ["batch"], exporters: ["jaeger_storage_exporter", "spanmetrics"] },
            "metrics/spanmetrics": { receivers: ["spanmetrics"], exporters: ["prometheus"] },
        });
        assert.deepStrictEqual(config.connectors, { spanmetrics: { namespace: "traces.span.metrics", metrics_flush_interval: "15s" } });
        assert.deepStrictEqual(config.exporters.prometheus, { endpoint: "0.0.0.0:8889" });
        assert.deepStrictEqual(config.extensions.jaeger_query.storage, { traces: "primary_store", metrics: "metrics_store" });
        assert.deepStrictEqual(config.extensions.jaeger_storage.metric_backends, {
            metrics_store: { prometheus: { endpoint: monitor.prometheusUrl, metric_namespace: "traces_span_metrics", normalize_calls: true, normalize_duration: true } },
        });
        assert.notStrictEqual(j.configHash(config), j.configHash(j.jaegerV2Config({ type: "memory", maxTraces: 5000 })), "turning it on restarts Jaeger");
    });

    it("leaves the Monitor tab out by default: no connector, no exporter, no metrics storage", () => {
        const config = j.jaegerV2Config({ type: "memory", maxTraces: 5000 }) as any;
        assert.deepStrictEqual(
            [config.connectors, config.exporters.prometheus, config.extensions.jaeger_query.storage.metrics, config.extensions.jaeger_storage.metric_backends],
            [undefined, undefined, undefined, undefined],
        );
        assert.deepStrictEqual(Object.keys(config.service.pipelines), ["traces"]);
    });

    it("refuses the Monitor tab on the 3.x chart (Jaeger v1 has no span-metrics connector), naming the chart", () => {
        assert.deepStrictEqual(j.jaegerProblems({ chartVersion: "3.4.1", monitor: { prometheusUrl: "http://p:9090" } }), [
            {
                path: ["monitor"],
                value: { prometheusUrl: "http://p:9090" },
                reason: "the Monitor tab needs Jaeger v2 (a jaeger 4.x chart): jaeger 3.4.1 runs the Jaeger v1 all-in-one, which has no span-metrics connector; use a jaeger 4.x chart, or leave the Monitor tab off",
            },
        ]);
        assert.deepStrictEqual(j.jaegerProblems({ chartVersion: "4.11.1", monitor: { prometheusUrl: "http://p:9090" } }), []);
    });

    it("restarts Jaeger v2 when its config changes: the pod label carries the config's hash", () => {
        const label = (maxTraces: number) => (j.jaegerV2Values({ type: "memory", maxTraces }, 1, DEFAULT_JAEGER_RESOURCES, {}) as any).jaeger.podLabels["observability-stack/config-hash"];
        assert.match(label(1000), /^[0-9a-f]{16}$/);
        assert.strictEqual(label(1000), label(1000));
        assert.notStrictEqual(label(1000), label(1001));
    });

    it("sizes the default memory bound to the memory limit on both lines, per line (a v1 trace takes twice the memory)", async () => {
        for (const [version, expected] of [
            ["3.4.1", "47616"],
            ["4.11.1", "95232"],
        ]) {
            resetRegistered();
            new j.Jaeger(
                "jaeger",
                { chart: { ...DEFAULT_CHARTS.jaeger, version }, resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "2", memory: "2Gi" } } },
                { provider: testProvider() },
            );
            await settle();
            const v = one(CHART, "jaeger-chart").inputs.values;
            const bound = version === "3.4.1" ? v.storage.memory.extraEnv[0].value : v.userconfig.extensions.jaeger_storage.backends.primary_store.memory.max_traces;
            assert.strictEqual(String(bound), expected, version);
        }
    });

    for (const version of ["3.4.1", "4.11.1"]) {
        it(`creates the collector and query ClusterIP Services selecting the ${version} Jaeger pod`, async () => {
            new j.Jaeger("jaeger", { chart: { ...DEFAULT_CHARTS.jaeger, version }, awaitReadiness: false }, { provider: testProvider() });
            await settle();
            const collector = one(SERVICE, "jaeger-collector");
            const query = one(SERVICE, "jaeger-query");
            assert.deepStrictEqual(collector.inputs.metadata, {
                name: "jaeger-collector-clusterip",
                namespace: "istio-system",
                labels: { "app.kubernetes.io/name": "jaeger", "app.kubernetes.io/managed-by": "pulumi" },
                annotations: { "pulumi.com/skipAwait": "true" },
            });
            assert.deepStrictEqual(collector.inputs.spec, {
                type: "ClusterIP",
                selector: POD_SELECTOR,
                ports: [
                    { name: "http-zipkin", port: 9411, targetPort: 9411, protocol: "TCP" },
                    { name: "grpc-otlp", port: 4317, targetPort: 4317, protocol: "TCP" },
                    { name: "http-otlp", port: 4318, targetPort: 4318, protocol: "TCP" },
                ],
            });
            assert.strictEqual(query.inputs.metadata.name, "jaeger-query-clusterip");
            assert.deepStrictEqual(query.inputs.spec.ports, [
                { name: "http-query", port: 16686, targetPort: 16686, protocol: "TCP" },
                { name: "grpc-query", port: 16685, targetPort: 16685, protocol: "TCP" },
            ]);
            assert.deepStrictEqual(query.inputs.spec.selector, POD_SELECTOR);
            assert.ok(dependsOn(collector, CHART, "jaeger-chart"));
        });
    }

    it("writes targetPort as the API server stores it, so the 3.x chart's headless Services do not diff on every up", () => {
        const t = (props: object, type = "kubernetes:core/v1:Service") => j.jaegerChildTransform({ type, name: "s", custom: true, props, opts: {} });
        assert.deepStrictEqual(
            t({
                spec: {
                    clusterIP: "None",
                    ports: [
                        { name: "http-zipkin", port: 9411, targetPort: 0 },
                        { name: "x", port: 1, targetPort: "http" },
                    ],
                },
            }),
            {
                props: {
                    spec: {
                        clusterIP: "None",
                        ports: [
                            { name: "http-zipkin", port: 9411, targetPort: 9411 },
                            { name: "x", port: 1, targetPort: "http" },
                        ],
                    },
                },
                opts: {},
            },
        );
        assert.strictEqual(t({ spec: { ports: [{ port: 16686, targetPort: 16686 }] } }), undefined);
        assert.strictEqual(t({ spec: { ports: [{ port: 1, targetPort: 0 }] } }, "kubernetes:apps/v1:Deployment"), undefined);
    });

    it("merges the values escape hatch last", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { mergeValues } = require("../../components/helm") as typeof import("../../components/helm");
        assert.deepStrictEqual(mergeValues({ a: { b: 1, c: [1] }, d: 1 }, { a: { c: [2] } }), { a: { b: 1, c: [2] }, d: 1 });
    });
});
