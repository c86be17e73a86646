/** Jaeger's storage (`jaeger.storage`, `jaeger.replicas`): in-memory bounds, and Elasticsearch with its jobs. */
import * as assert from "assert";
import { parseStackConfig } from "../config";
import { DEFAULT_PROMETHEUS_URL } from "../config/kialiUiSchema";
import { DEV_MINIMAL, problems } from "./configParsing";
import { stackRawConfig } from "./stackFiles";

describe("parseStackConfig", () => {
    it("applies the Elasticsearch defaults: dependencies job and index cleaner on, rollover off, certificates verified", () => {
        const c = parseStackConfig({ ...DEV_MINIMAL, jaeger: { storage: { type: "elasticsearch", url: "https://es:9200", username: "jaeger", passwordSecret: { name: "es", key: "password" } } } });
        assert.ok(c.jaeger.storage.type === "elasticsearch");
        assert.deepStrictEqual(
            [c.jaeger.storage.dependencies.enabled, c.jaeger.storage.indexCleaner.enabled, c.jaeger.storage.indexCleaner.retentionDays, c.jaeger.storage.rollover.enabled, c.jaeger.storage.tls],
            [true, true, 7, false, { caSecret: undefined, insecureSkipVerify: false }],
        );
        assert.strictEqual((c.jaeger.storage as { maxTraces?: number }).maxTraces, undefined);
    });

    it("sizes the default memory bound to the memory limit and the Jaeger line, and keeps one that is set", () => {
        const bound = (jaeger: object) => (parseStackConfig({ ...DEV_MINIMAL, jaeger }).jaeger.storage as { maxTraces: number }).maxTraces;
        assert.strictEqual(bound({}), 21504);
        assert.strictEqual(bound({ resources: { limits: { memory: "2Gi" } } }), 95232);
        assert.strictEqual(bound({ resources: { limits: { memory: "1G" } } }), 42704);
        const v1 = parseStackConfig({ ...DEV_MINIMAL, charts: { jaeger: { version: "3.4.1" } } }).jaeger.storage as { maxTraces: number };
        assert.strictEqual(v1.maxTraces, 10752);
        assert.strictEqual(bound({ storage: { maxTraces: "2500" } }), 2500);
    });

    it("keeps a URL path on jaeger 4.x without the dependencies job", () => {
        const c = parseStackConfig({
            ...DEV_MINIMAL,
            jaeger: {
                storage: { type: "elasticsearch", url: "https://es.example.com/elastic", username: "jaeger", passwordSecret: { name: "es", key: "password" }, dependencies: { enabled: false } },
            },
        });
        assert.ok(c.jaeger.storage.type === "elasticsearch" && c.jaeger.storage.url === "https://es.example.com/elastic");
    });

    it("turns Jaeger's Monitor tab on by default in production on jaeger 4.x, reading Kiali's Prometheus; off in dev and on jaeger 3.x", () => {
        const productionRaw: Record<string, unknown> = { ...stackRawConfig("production"), kiali: { ...(stackRawConfig("production").kiali as object), signingKey: "0123456789abcdef" } };
        const production = parseStackConfig(productionRaw);
        assert.deepStrictEqual(production.jaeger.monitor, { prometheusUrl: production.kiali.prometheusUrl });
        assert.strictEqual(parseStackConfig(DEV_MINIMAL).jaeger.monitor, undefined);
        assert.deepStrictEqual(parseStackConfig({ ...DEV_MINIMAL, jaeger: { monitor: { enabled: "true" } } }).jaeger.monitor, { prometheusUrl: DEFAULT_PROMETHEUS_URL });
        assert.strictEqual(parseStackConfig({ ...productionRaw, jaeger: { ...(productionRaw.jaeger as object), monitor: { enabled: "false" } } }).jaeger.monitor, undefined);
        assert.strictEqual(parseStackConfig({ ...DEV_MINIMAL, charts: { jaeger: { version: "3.4.1" } } }).jaeger.monitor, undefined);
    });

    it("rejects the Monitor tab on jaeger 3.x, naming the key, the chart and what can", () => {
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, charts: { jaeger: { version: "3.4.1" } }, jaeger: { monitor: { enabled: "true" } } }), [
            "jaeger.monitor.enabled: got true; the Monitor tab needs Jaeger v2 (a jaeger 4.x chart): jaeger 3.4.1 runs the Jaeger v1 all-in-one, which has no span-metrics connector; use a jaeger 4.x chart, or leave the Monitor tab off",
        ]);
    });

    it("rejects an unknown storage type", () => {
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, jaeger: { storage: { type: "cassandra" } } }), ['jaeger.storage.type: got "cassandra"; allowed: memory, elasticsearch']);
    });

    it("rejects elasticsearch storage without its connection details", () => {
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, jaeger: { storage: { type: "elasticsearch" } } }), [
            "jaeger.storage.url: got nothing; required: the URL of an existing Elasticsearch cluster",
            "jaeger.storage.username: got nothing; required: the Elasticsearch user name",
            "jaeger.storage.passwordSecret.name: got nothing; required: the name of a Secret in istio-system holding the password",
            "jaeger.storage.passwordSecret.key: got nothing; required: the key of the password in that Secret",
        ]);
    });

    it("rejects in-memory storage with more than one replica", () => {
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, jaeger: { replicas: 2 } }), [
            "jaeger.replicas: got 2; in-memory storage needs exactly 1 replica (each replica would hold a part of the traces)",
        ]);
    });
});
