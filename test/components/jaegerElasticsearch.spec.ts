import * as assert from "assert";
import * as yaml from "js-yaml";
import { DEFAULT_JAEGER_RESOURCES } from "../../components/jaeger";
import { ElasticsearchStorage, ResolvedElasticsearchStorage, resolveElasticsearchStorage } from "../../components/jaegerElasticsearch";
import { DEFAULT_CHARTS } from "../../lib/charts";
import { dependsOn, one, resetRegistered, settle, testProvider } from "../mocks";

const CHART = "kubernetes:helm.sh/v4:Chart";
const JOB = "kubernetes:batch/v1:Job";

/** Elasticsearch storage with the component's defaults applied, with `storage` overrides. */
function es(storage: Partial<ElasticsearchStorage> = {}): ResolvedElasticsearchStorage {
    return resolveElasticsearchStorage({
        type: "elasticsearch",
        url: "https://es.logging.svc:9200",
        username: "jaeger",
        passwordSecret: { name: "jaeger-es", key: "password" },
        indexPrefix: "mesh",
        ...storage,
    });
}
const ES = es();
const CA = { caSecret: { name: "es-ca", key: "ca.crt" } };
const PASSWORD = { name: "ES_PASSWORD", valueFrom: { secretKeyRef: { name: "jaeger-es", key: "password" } } };

describe("Jaeger", () => {
    let j: typeof import("../../components/jaeger");
    let e: typeof import("../../components/jaegerElasticsearch");
    before(async () => {
        j = await import("../../components/jaeger");
        e = await import("../../components/jaegerElasticsearch");
    });
    beforeEach(resetRegistered);

    it("maps Elasticsearch storage to the 3.x chart's storage.elasticsearch with the existing secret, the URL as the only node", () => {
        assert.deepStrictEqual(j.jaegerV1Values(ES, 2, DEFAULT_JAEGER_RESOURCES, {}).storage, {
            type: "elasticsearch",
            elasticsearch: {
                scheme: "https",
                host: "es.logging.svc",
                port: 9200,
                user: "jaeger",
                usePassword: true,
                existingSecret: "jaeger-es",
                existingSecretKey: "password",
                indexPrefix: "mesh",
                nodesWanOnly: true,
            },
        });
    });

    it("keeps the port an Elasticsearch URL without one means: 443 for https, 80 for http", () => {
        assert.deepStrictEqual(e.splitUrl("https://es.example.com"), { scheme: "https", host: "es.example.com", port: 443 });
        assert.deepStrictEqual(e.splitUrl("http://es.example.com"), { scheme: "http", host: "es.example.com", port: 80 });
        assert.deepStrictEqual(e.splitUrl("http://es.example.com:9200"), { scheme: "http", host: "es.example.com", port: 9200 });
    });

    it("runs the dependencies job and the index cleaner by default on the 3.x chart, with the index prefix the cleaner reads as a flag", () => {
        const v = j.jaegerV1Values(ES, 2, DEFAULT_JAEGER_RESOURCES, {}) as any;
        assert.deepStrictEqual(v.spark, {
            enabled: true,
            schedule: "49 23 * * *",
            image: { registry: "ghcr.io", repository: "jaegertracing/spark-dependencies/spark-dependencies", tag: "v0.7.2-elasticsearch8" },
            extraEnv: [],
        });
        assert.deepStrictEqual(v.esIndexCleaner, { enabled: true, numberOfDays: 7, schedule: "55 23 * * *", cmdlineParams: { "index-prefix": "mesh" }, extraEnv: [], extraSecretMounts: [] });
        assert.deepStrictEqual(v.esRollover.enabled, false);
        assert.deepStrictEqual(v.allInOne.extraSecretMounts, undefined);
    });

    it("gives the 3.x chart the CA: the chart's own TLS settings for the jobs, a mount of our own for the all-in-one", () => {
        const v = j.jaegerV1Values(es({ tls: CA }), 1, DEFAULT_JAEGER_RESOURCES, {}) as any;
        assert.deepStrictEqual(v.storage.elasticsearch.tls, { enabled: true, secretName: "es-ca", mountPath: "/es-tls/ca.crt", subPath: "ca.crt", ca: "/es-tls/ca.crt" });
        assert.deepStrictEqual(v.allInOne.extraSecretMounts, [{ name: "es-tls-ca", secretName: "es-ca", mountPath: "/es-tls/ca.crt", subPath: "ca.crt", readOnly: true }]);
        assert.strictEqual(v.storage.elasticsearch.extraEnv, undefined);
    });

    it("skips certificate verification on the 3.x chart only when asked, without the chart's TLS block", () => {
        const v = j.jaegerV1Values(es({ tls: { insecureSkipVerify: true }, dependencies: { enabled: false } }), 1, DEFAULT_JAEGER_RESOURCES, {}) as any;
        assert.strictEqual(v.storage.elasticsearch.tls, undefined);
        assert.deepStrictEqual(v.storage.elasticsearch.extraEnv, [
            { name: "ES_TLS_ENABLED", value: "true" },
            { name: "ES_TLS_SKIP_HOST_VERIFY", value: "true" },
        ]);
        assert.strictEqual(v.spark.enabled, false);
    });

    it("maps Elasticsearch storage to a Jaeger v2 userconfig reading the password from the secret", () => {
        const v = j.jaegerV2Values(ES, 2, DEFAULT_JAEGER_RESOURCES, {}) as any;
        assert.deepStrictEqual(v.jaeger.extraEnv, [PASSWORD]);
        assert.deepStrictEqual(v.userconfig.extensions.jaeger_storage.backends.primary_store, {
            elasticsearch: { server_urls: ["https://es.logging.svc:9200"], indices: { index_prefix: "mesh" }, auth: { basic: { username: "jaeger", password: "${env:ES_PASSWORD}" } } },
        });
        assert.deepStrictEqual(v.userconfig.service.telemetry.metrics.readers[0].pull.exporter.prometheus, { host: "0.0.0.0", port: 8888 });
        assert.deepStrictEqual(v.storage, { type: "elasticsearch", elasticsearch: { url: "https://es.logging.svc:9200", user: "jaeger" } });
    });

    it("gives the 4.x chart's jobs the password from the Secret, the prefix, and TLS through extraEnv (the chart passes plaintext only)", () => {
        const v = j.jaegerV2Values(es({ tls: CA }), 2, DEFAULT_JAEGER_RESOURCES, {}) as any;
        const tls = [
            { name: "ES_TLS_ENABLED", value: "true" },
            { name: "ES_TLS_CA", value: "/es-tls/ca.crt" },
        ];
        const mount = [{ name: "es-tls-ca", secretName: "es-ca", mountPath: "/es-tls/ca.crt", subPath: "ca.crt", readOnly: true }];
        assert.deepStrictEqual(v.spark.extraEnv, [PASSWORD, { name: "ES_INDEX_PREFIX", value: "mesh" }, { name: "ES_NODES_WAN_ONLY", value: "true" }]);
        assert.deepStrictEqual(v.esIndexCleaner, {
            enabled: true,
            numberOfDays: 7,
            schedule: "55 23 * * *",
            cmdlineParams: { "index-prefix": "mesh" },
            extraEnv: [PASSWORD, ...tls],
            extraSecretMounts: mount,
        });
        assert.deepStrictEqual(v.esRollover.extraEnv, [{ name: "CONDITIONS", value: '{"max_age":"1d"}' }, PASSWORD, ...tls]);
        assert.deepStrictEqual(v.userconfig.extensions.jaeger_storage.backends.primary_store.elasticsearch.tls, { ca_file: "/es-tls/ca.crt" });
        assert.deepStrictEqual(v.jaeger.extraVolumes, [{ name: "es-tls-ca", secret: { secretName: "es-ca", items: [{ key: "ca.crt", path: "ca.crt" }] } }]);
        assert.deepStrictEqual(v.jaeger.extraVolumeMounts, [{ name: "es-tls-ca", mountPath: "/es-tls/ca.crt", subPath: "ca.crt", readOnly: true }]);
        assert.strictEqual(v.storage.elasticsearch.tls, undefined, "the 4.x chart's tls block sets ES_TLS_SKIP_HOST_VERIFY without ES_TLS_ENABLED");
    });

    it("keeps a URL path on the 4.x line when the dependencies job is off", () => {
        const v = j.jaegerV2Values(es({ url: "https://es.example.com/elastic", dependencies: { enabled: false } }), 1, DEFAULT_JAEGER_RESOURCES, {}) as any;
        assert.deepStrictEqual(v.userconfig.extensions.jaeger_storage.backends.primary_store.elasticsearch.server_urls, ["https://es.example.com/elastic"]);
        assert.strictEqual(v.storage.elasticsearch.url, "https://es.example.com/elastic");
    });

    for (const [version, tag] of [
        ["3.4.1", "1.53.0"],
        ["4.11.1", "2.19.0"],
    ]) {
        it(`runs rollover on ${version} with an init Job of its own (Chart v4 skips the chart's hook), aliases everywhere, before Jaeger`, async () => {
            const storage = es({ tls: CA, rollover: { enabled: true, maxAge: "12h" } });
            new j.Jaeger("jaeger", { chart: { ...DEFAULT_CHARTS.jaeger, version }, storage, awaitReadiness: false }, { provider: testProvider() });
            await settle();
            const job = one(JOB, "jaeger-es-rollover-init");
            assert.deepStrictEqual(job.inputs.metadata, {
                name: "jaeger-es-rollover-init",
                namespace: "istio-system",
                labels: { "app.kubernetes.io/name": "jaeger", "app.kubernetes.io/instance": "jaeger", "app.kubernetes.io/component": "es-rollover-init", "app.kubernetes.io/managed-by": "pulumi" },
                annotations: { "pulumi.com/skipAwait": "true" },
            });
            const pod = job.inputs.spec.template.spec;
            assert.deepStrictEqual(pod.containers[0].image, `jaegertracing/jaeger-es-rollover:${tag}`);
            assert.deepStrictEqual(pod.containers[0].args, ["init", "https://es.logging.svc:9200", "--index-prefix=mesh"]);
            assert.deepStrictEqual(pod.containers[0].env, [
                { name: "ES_USERNAME", value: "jaeger" },
                PASSWORD,
                { name: "ES_TLS_ENABLED", value: "true" },
                { name: "ES_TLS_CA", value: "/es-tls/ca.crt" },
            ]);
            assert.deepStrictEqual(pod.containers[0].securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
            assert.strictEqual(pod.securityContext.runAsNonRoot, true);
            assert.strictEqual(pod.automountServiceAccountToken, false);
            assert.deepStrictEqual(pod.volumes, [{ name: "es-tls-ca", secret: { secretName: "es-ca" } }]);
            const chart = one(CHART, "jaeger-chart");
            assert.ok(dependsOn(chart, JOB, "jaeger-es-rollover-init"), "Jaeger waits for the aliases");
            const v = chart.inputs.values;
            assert.deepStrictEqual(v.esIndexCleaner.cmdlineParams, { "index-prefix": "mesh", rollover: true });
            assert.deepStrictEqual(v.esRollover.cmdlineParams, { "index-prefix": "mesh" });
            assert.deepStrictEqual(v.esRollover.extraEnv[0], { name: "CONDITIONS", value: '{"max_age":"12h"}' });
            if (version === "3.4.1") {
                // The chart's storage.env reaches the all-in-one and Spark alike: set once, no duplicate env names.
                assert.deepStrictEqual(v.storage.elasticsearch.extraEnv, [{ name: "ES_USE_ALIASES", value: "true" }]);
                assert.deepStrictEqual(v.spark.extraEnv, []);
            } else {
                assert.strictEqual(v.userconfig.extensions.jaeger_storage.backends.primary_store.elasticsearch.use_aliases, true);
                assert.deepStrictEqual(v.spark.extraEnv.at(-1), { name: "ES_USE_ALIASES", value: "true" });
            }
        });
    }

    it("builds a Java trust store from the CA for the Spark job, which reads no PEM", () => {
        const transform = e.sparkTruststoreTransform(es({ tls: CA }));
        const cron = (component: string) => ({
            type: "kubernetes:batch/v1:CronJob",
            name: "spark",
            custom: true,
            props: {
                metadata: { name: "jaeger-spark" },
                spec: {
                    jobTemplate: {
                        spec: {
                            template: {
                                metadata: { labels: { "app.kubernetes.io/component": component } },
                                spec: { containers: [{ name: "jaeger-spark", image: "ghcr.io/x/spark:1", env: [{ name: "STORAGE", value: "elasticsearch" }], volumeMounts: null }], volumes: null },
                            },
                        },
                    },
                },
            },
            opts: {},
        });
        const out = transform(cron("spark")) as any;
        const pod = out.props.spec.jobTemplate.spec.template.spec;
        assert.deepStrictEqual(pod.initContainers[0].image, "ghcr.io/x/spark:1");
        assert.deepStrictEqual(pod.initContainers[0].command.slice(0, 3), ["keytool", "-J-XX:-UsePerfData", "-importcert"]);
        assert.ok(pod.initContainers[0].command.join(" ").includes("-file /es-tls/ca.crt -keystore /es-truststore/ca.p12 -storetype PKCS12"));
        assert.deepStrictEqual(pod.containers[0].env.at(-1), {
            name: "JAVA_OPTS",
            value: "-Djavax.net.ssl.trustStore=/es-truststore/ca.p12 -Djavax.net.ssl.trustStorePassword=changeit -Djavax.net.ssl.trustStoreType=PKCS12",
        });
        assert.deepStrictEqual(pod.containers[0].volumeMounts, [{ name: "es-truststore", mountPath: "/es-truststore", readOnly: true }]);
        assert.deepStrictEqual(pod.volumes, [
            { name: "es-tls-ca", secret: { secretName: "es-ca" } },
            { name: "es-truststore", emptyDir: {} },
        ]);
        assert.strictEqual(transform(cron("es-index-cleaner") as any), undefined);
        assert.strictEqual(e.sparkTruststoreTransform(ES)(cron("spark") as any), undefined);
    });

    it("renders the same Jaeger v2 config shape for memory and Elasticsearch, only the backend differs", () => {
        const memory = j.jaegerV2Config({ type: "memory", maxTraces: 100 }) as any;
        const elastic = j.jaegerV2Config(ES) as any;
        assert.deepStrictEqual({ ...memory, extensions: { ...memory.extensions, jaeger_storage: null } }, { ...elastic, extensions: { ...elastic.extensions, jaeger_storage: null } });
        assert.ok(yaml.dump(memory).includes("max_traces: 100"));
    });
});
