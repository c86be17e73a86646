import * as assert from "assert";
import { DEFAULT_JAEGER_RESOURCES, JaegerStorage } from "../../config";
import { DEFAULT_CHARTS } from "../../lib/charts";
import { dependsOn, one, resetRegistered, settle, testProvider } from "../mocks";

const CHART = "kubernetes:helm.sh/v4:Chart";
const SERVICE = "kubernetes:core/v1:Service";
const POD_SELECTOR = { "app.kubernetes.io/name": "jaeger", "app.kubernetes.io/instance": "jaeger", "app.kubernetes.io/component": "all-in-one" };
const ES: JaegerStorage = {
    type: "elasticsearch",
    url: "https://es.logging.svc:9200",
    username: "jaeger",
    passwordSecret: { name: "jaeger-es", key: "password" },
    indexPrefix: "mesh",
};

describe("Jaeger", () => {
    let j: typeof import("../../components/jaeger");
    before(async () => {
        j = await import("../../components/jaeger");
    });
    beforeEach(resetRegistered);

    it("maps the typed arguments to the 3.x chart: all-in-one only, no Cassandra, no agent, memory storage", async () => {
        new j.Jaeger("jaeger", { provider: testProvider(), chart: { ...DEFAULT_CHARTS.jaeger, version: "3.4.1" } });
        await settle();
        const chart = one(CHART, "jaeger-chart");
        assert.strictEqual(chart.inputs.version, "3.4.1");
        assert.strictEqual(chart.inputs.name, "jaeger");
        assert.deepStrictEqual(chart.inputs.values, {
            provisionDataStore: { cassandra: false, elasticsearch: false, kafka: false },
            storage: { type: "memory" },
            agent: { enabled: false },
            collector: { enabled: false },
            query: { enabled: false },
            allInOne: { enabled: true, replicas: 1, resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } } },
        });
    });

    it("maps the typed arguments to the 4.x chart: the built-in memory store, no userconfig", async () => {
        new j.Jaeger("jaeger", { provider: testProvider(), chart: DEFAULT_CHARTS.jaeger, image: { registry: "mirror.local", tag: "2.19.0" } });
        await settle();
        assert.deepStrictEqual(one(CHART, "jaeger-chart").inputs.values, {
            jaeger: {
                replicas: 1,
                resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
                image: { registry: "mirror.local", tag: "2.19.0" },
            },
        });
    });

    it("maps Elasticsearch storage to the 3.x chart's storage.elasticsearch with the existing secret", () => {
        assert.deepStrictEqual(j.jaegerV1Values(ES, 2, DEFAULT_JAEGER_RESOURCES, {}).storage, {
            type: "elasticsearch",
            elasticsearch: { scheme: "https", host: "es.logging.svc", port: 9200, user: "jaeger", usePassword: true, existingSecret: "jaeger-es", existingSecretKey: "password", indexPrefix: "mesh" },
        });
    });

    it("maps Elasticsearch storage to a Jaeger v2 userconfig reading the password from the secret", () => {
        const v = j.jaegerV2Values(ES, 2, DEFAULT_JAEGER_RESOURCES, {}) as any;
        assert.deepStrictEqual(v.jaeger.extraEnv, [{ name: "ES_PASSWORD", valueFrom: { secretKeyRef: { name: "jaeger-es", key: "password" } } }]);
        assert.deepStrictEqual(v.userconfig.extensions.jaeger_storage.backends.primary_store, {
            elasticsearch: { server_urls: ["https://es.logging.svc:9200"], indices: { index_prefix: "mesh" }, auth: { basic: { username: "jaeger", password: "${env:ES_PASSWORD}" } } },
        });
        assert.deepStrictEqual(v.userconfig.service.pipelines.traces.receivers, ["otlp", "jaeger", "zipkin"]);
        assert.deepStrictEqual(v.userconfig.receivers.zipkin, { endpoint: "0.0.0.0:9411" });
        assert.deepStrictEqual(v.userconfig.receivers.otlp.protocols, { grpc: { endpoint: "0.0.0.0:4317" }, http: { endpoint: "0.0.0.0:4318" } });
    });

    for (const version of ["3.4.1", "4.11.1"]) {
        it(`creates the collector and query ClusterIP Services selecting the ${version} Jaeger pod`, async () => {
            new j.Jaeger("jaeger", { provider: testProvider(), chart: { ...DEFAULT_CHARTS.jaeger, version }, awaitReadiness: false });
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
        const t = (props: object, type = "kubernetes:core/v1:Service") => j.jaegerChildTransform({ type, name: "s", custom: true, props, opts: {} } as any);
        assert.deepStrictEqual(t({ spec: { clusterIP: "None", ports: [{ name: "http-zipkin", port: 9411, targetPort: 0 }, { name: "x", port: 1, targetPort: "http" }] } }), {
            props: { spec: { clusterIP: "None", ports: [{ name: "http-zipkin", port: 9411, targetPort: 9411 }, { name: "x", port: 1, targetPort: "http" }] } },
            opts: {},
        });
        assert.strictEqual(t({ spec: { ports: [{ port: 16686, targetPort: 16686 }] } }), undefined);
        assert.strictEqual(t({ spec: { ports: [{ port: 1, targetPort: 0 }] } }, "kubernetes:apps/v1:Deployment"), undefined);
    });

    it("merges the values escape hatch last", () => {
        const { mergeValues } = require("../../components/helm") as typeof import("../../components/helm");
        assert.deepStrictEqual(mergeValues({ a: { b: 1, c: [1] }, d: 1 }, { a: { c: [2] } }), { a: { b: 1, c: [2] }, d: 1 });
    });
});
