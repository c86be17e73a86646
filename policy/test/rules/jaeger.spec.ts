import * as assert from "assert";
import * as yaml from "js-yaml";
import * as j from "../../rules/jaeger";
import { TYPES, cassandra, chart, helmRelease, jaegerUserConfig, jaegerV1Deployment, jaegerV1DeploymentWith, jaegerV2Deployment, opaqueChart, releasesConfigMap, sparkCronJob } from "../fixtures";
import { stackViolationsOf, violationsOf } from "../harness";

describe(j.JAEGER_MEMORY, () => {
    it("passes Jaeger v1 on elasticsearch and Jaeger v2 with a configured store", async () => {
        assert.deepStrictEqual(await violationsOf(j.jaegerMustNotUseMemoryStorage, jaegerV1Deployment("elasticsearch")), []);
        assert.deepStrictEqual(await violationsOf(j.jaegerMustNotUseMemoryStorage, jaegerV2Deployment(true)), []);
    });

    it("denies Jaeger v1 all-in-one on memory", async () => {
        assert.deepStrictEqual(await violationsOf(j.jaegerMustNotUseMemoryStorage, jaegerV1Deployment("memory")), [
            "Jaeger Deployment istio-system/jaeger must store traces durably; it keeps them in memory (lost on restart), expected elasticsearch storage.",
        ]);
    });

    it("denies Jaeger v2 running its built-in memory configuration", async () => {
        assert.deepStrictEqual(await violationsOf(j.jaegerMustNotUseMemoryStorage, jaegerV2Deployment(false)), [
            "Jaeger Deployment istio-system/jaeger must store traces durably; it keeps them in memory (lost on restart), expected elasticsearch storage.",
        ]);
    });

    it("denies a Jaeger v2 user config with a memory backend", async () => {
        const cm = {
            type: TYPES.configMap,
            props: {
                metadata: { name: "user-config", namespace: "istio-system" },
                data: { "user-config.yaml": yaml.dump({ extensions: { jaeger_storage: { backends: { primary_store: { memory: { max_traces: 100000 } } } } } }) },
            },
        };
        assert.deepStrictEqual(await violationsOf(j.jaegerMustNotUseMemoryStorage, cm), [
            "Jaeger config istio-system/user-config must store traces durably; backend primary_store is memory, expected elasticsearch.",
        ]);
    });

    it("allows memory where the stack's policy config says so", async () => {
        assert.deepStrictEqual(await violationsOf(j.jaegerMustNotUseMemoryStorage, jaegerV1Deployment("memory"), { allowInMemory: true }), []);
    });
});

describe(j.NO_CASSANDRA, () => {
    const good = { provisionDataStore: { cassandra: false }, allInOne: { enabled: true }, storage: { type: "memory" } };

    it("passes jaeger 3.x all-in-one memory with provisionDataStore.cassandra false", async () => {
        assert.deepStrictEqual(await stackViolationsOf(j.jaegerMemoryMustNotProvisionCassandra, [chart("jaeger", "3.4.1", good), jaegerV1Deployment("memory")]), []);
    });

    it("denies the reference's values that left the Cassandra default on", async () => {
        const values = { allInOne: { enabled: true }, storage: { type: "memory" }, collector: { enabled: false }, query: { enabled: false } };
        assert.deepStrictEqual(await stackViolationsOf(j.jaegerMemoryMustNotProvisionCassandra, [chart("jaeger", "3.4.1", values), jaegerV1Deployment("memory"), ...cassandra()]), [
            "Chart jaeger 3.4.1 must set provisionDataStore.cassandra: false with all-in-one memory storage; it is true.",
            "Jaeger install must not provision Cassandra (StatefulSet istio-system/jaeger-cassandra) beside all-in-one memory storage; expected provisionDataStore.cassandra: false.",
            "Jaeger install must not provision Cassandra (Job istio-system/jaeger-cassandra-schema) beside all-in-one memory storage; expected provisionDataStore.cassandra: false.",
        ]);
    });

    it("reads the values from the program's releases ConfigMap", async () => {
        const values = { allInOne: { enabled: true }, storage: { type: "memory" } };
        assert.deepStrictEqual(await stackViolationsOf(j.jaegerMemoryMustNotProvisionCassandra, [releasesConfigMap([{ chart: "jaeger", version: "3.4.1", values }])]), [
            "Chart jaeger 3.4.1 must set provisionDataStore.cassandra: false with all-in-one memory storage; it is true.",
        ]);
        assert.deepStrictEqual(
            await stackViolationsOf(j.jaegerMemoryMustNotProvisionCassandra, [
                releasesConfigMap([{ chart: "jaeger", version: "3.4.1", values: { ...values, provisionDataStore: { cassandra: false } } }]),
            ]),
            [],
        );
    });

    it("denies rendered Cassandra objects even when the Chart resource is not visible", async () => {
        assert.strictEqual((await stackViolationsOf(j.jaegerMemoryMustNotProvisionCassandra, [jaegerV1Deployment("memory"), ...cassandra()])).length, 2);
    });

    it("reads a Helm v3 Release's values and reports values in files instead of passing", async () => {
        assert.deepStrictEqual(
            await stackViolationsOf(j.jaegerMemoryMustNotProvisionCassandra, [helmRelease("jaeger", "3.4.1", { values: { allInOne: { enabled: true }, storage: { type: "memory" } } })]),
            ["Chart jaeger 3.4.1 must set provisionDataStore.cassandra: false with all-in-one memory storage; it is true."],
        );
        assert.deepStrictEqual(await stackViolationsOf(j.jaegerMemoryMustNotProvisionCassandra, [helmRelease("jaeger", "3.4.1", { valueYamlFiles: [{ path: "jaeger.yaml" }] })]), [
            "Helm Release jaeger must pass its values inline (values, not valueYamlFiles) for the pack to check provisionDataStore.cassandra of chart jaeger; values in files are not visible to policy packs.",
        ]);
    });

    it("needs no releases record for a Chart v4: it checks the rendered objects", async () => {
        assert.deepStrictEqual(await stackViolationsOf(j.jaegerMemoryMustNotProvisionCassandra, [opaqueChart("observability-jaeger-chart"), jaegerV1Deployment("memory")]), []);
    });

    it("does not apply to the 4.x line", async () => {
        assert.deepStrictEqual(
            await stackViolationsOf(j.jaegerMemoryMustNotProvisionCassandra, [chart("jaeger", "4.11.1", { allInOne: { enabled: true }, storage: { type: "memory" } }), jaegerV2Deployment(false)]),
            [],
        );
    });
});

describe(j.JAEGER_BOUNDED, () => {
    const v1 = (why: string) =>
        `Jaeger Deployment istio-system/jaeger must bound its in-memory trace store; ${why}: the pod grows until it is OOM-killed and loses every trace, expected MEMORY_MAX_TRACES sized to the memory limit.`;
    const v2 = (why: string) => `Jaeger config istio-system/user-config must bound memory backend primary_store; ${why}, expected a positive max_traces sized to the memory limit.`;

    it("passes Jaeger v1 memory with MEMORY_MAX_TRACES or the flag, and Jaeger v1 on Elasticsearch", async () => {
        assert.deepStrictEqual(await violationsOf(j.jaegerMemoryStorageMustBeBounded, jaegerV1DeploymentWith("memory", { MEMORY_MAX_TRACES: "16384" })), []);
        assert.deepStrictEqual(await violationsOf(j.jaegerMemoryStorageMustBeBounded, jaegerV1DeploymentWith("memory", {}, ["--memory.max-traces=5000"])), []);
        assert.deepStrictEqual(await violationsOf(j.jaegerMemoryStorageMustBeBounded, jaegerV1DeploymentWith("memory", {}, ["--memory.max-traces", "5000"])), []);
        assert.deepStrictEqual(await violationsOf(j.jaegerMemoryStorageMustBeBounded, jaegerV1Deployment("elasticsearch")), []);
    });

    it("denies the reference's Jaeger v1 memory store, unbounded by default", async () => {
        assert.deepStrictEqual(await violationsOf(j.jaegerMemoryStorageMustBeBounded, jaegerV1Deployment("memory")), [v1("MEMORY_MAX_TRACES is unset (unbounded)")]);
    });

    it("denies a bound of 0 and one that is not a number, and lets the flag win over the variable", async () => {
        assert.deepStrictEqual(await violationsOf(j.jaegerMemoryStorageMustBeBounded, jaegerV1DeploymentWith("memory", { MEMORY_MAX_TRACES: "0" })), [v1('MEMORY_MAX_TRACES is "0" (unbounded)')]);
        assert.deepStrictEqual(await violationsOf(j.jaegerMemoryStorageMustBeBounded, jaegerV1DeploymentWith("memory", { MEMORY_MAX_TRACES: "lots" })), [
            v1('MEMORY_MAX_TRACES is "lots" (not a positive number)'),
        ]);
        assert.deepStrictEqual(await violationsOf(j.jaegerMemoryStorageMustBeBounded, jaegerV1DeploymentWith("memory", { MEMORY_MAX_TRACES: "100" }, ["--memory.max-traces=0"])), [
            v1('--memory.max-traces is "0" (unbounded)'),
        ]);
    });

    it("passes Jaeger v2's built-in config (bounded at 100000) and a user config with max_traces", async () => {
        assert.deepStrictEqual(await violationsOf(j.jaegerMemoryStorageMustBeBounded, jaegerV2Deployment(false)), []);
        assert.deepStrictEqual(await violationsOf(j.jaegerMemoryStorageMustBeBounded, jaegerUserConfig({ primary_store: { memory: { max_traces: 16384 } } })), []);
        assert.deepStrictEqual(await violationsOf(j.jaegerMemoryStorageMustBeBounded, jaegerUserConfig({ primary_store: { elasticsearch: { server_urls: ["https://es:9200"] } } })), []);
    });

    it("denies a Jaeger v2 memory backend without max_traces or with 0", async () => {
        assert.deepStrictEqual(await violationsOf(j.jaegerMemoryStorageMustBeBounded, jaegerUserConfig({ primary_store: { memory: {} } })), [
            v2("max_traces is unset (Jaeger then keeps up to 1000000 traces, more than a pod's memory holds)"),
        ]);
        assert.deepStrictEqual(await violationsOf(j.jaegerMemoryStorageMustBeBounded, jaegerUserConfig({ primary_store: { memory: { max_traces: 0 } } })), [v2("max_traces is 0 (unbounded)")]);
    });
});

describe(j.JAEGER_DEPENDENCIES, () => {
    const none = (what: string) =>
        `${what} must be paired with the Elasticsearch dependencies job (a spark-dependencies CronJob in istio-system); there is none, so the service graph shows "No service dependencies found", expected jaeger.storage.dependencies.enabled: true.`;
    const es = (extra: object = {}) => jaegerUserConfig({ primary_store: { elasticsearch: { server_urls: ["https://es:9200"], indices: { index_prefix: "mesh" }, ...extra } } });

    it("passes Elasticsearch storage with the job reading the same indices, on both lines", async () => {
        assert.deepStrictEqual(await stackViolationsOf(j.jaegerElasticsearchMustRunDependenciesJob, [jaegerV2Deployment(true), es(), sparkCronJob({ ES_INDEX_PREFIX: "mesh" })]), []);
        assert.deepStrictEqual(
            await stackViolationsOf(j.jaegerElasticsearchMustRunDependenciesJob, [
                jaegerV1DeploymentWith("elasticsearch", { ES_INDEX_PREFIX: "mesh", ES_USE_ALIASES: "true" }),
                sparkCronJob({ ES_INDEX_PREFIX: "mesh", ES_USE_ALIASES: "true" }),
            ]),
            [],
        );
    });

    it("denies Elasticsearch storage without the job, on both lines", async () => {
        assert.deepStrictEqual(await stackViolationsOf(j.jaegerElasticsearchMustRunDependenciesJob, [jaegerV2Deployment(true), es()]), [
            none("Jaeger config istio-system/user-config (backend primary_store)"),
        ]);
        assert.deepStrictEqual(await stackViolationsOf(j.jaegerElasticsearchMustRunDependenciesJob, [jaegerV1Deployment("elasticsearch")]), [none("Jaeger Deployment istio-system/jaeger")]);
    });

    it("denies a job in another namespace, or one reading other indices (prefix, aliases)", async () => {
        assert.deepStrictEqual(await stackViolationsOf(j.jaegerElasticsearchMustRunDependenciesJob, [es(), sparkCronJob({ ES_INDEX_PREFIX: "mesh" }, "tracing")]), [
            none("Jaeger config istio-system/user-config (backend primary_store)"),
        ]);
        assert.deepStrictEqual(await stackViolationsOf(j.jaegerElasticsearchMustRunDependenciesJob, [es(), sparkCronJob({})]), [
            'Jaeger config istio-system/user-config (backend primary_store) must be paired with a dependencies job that reads its indices (index prefix "mesh"); CronJob istio-system/jaeger-spark reads index prefix "", so the service graph shows "No service dependencies found".',
        ]);
        assert.deepStrictEqual(await stackViolationsOf(j.jaegerElasticsearchMustRunDependenciesJob, [es({ use_aliases: true }), sparkCronJob({ ES_INDEX_PREFIX: "mesh" })]), [
            'Jaeger config istio-system/user-config (backend primary_store) must be paired with a dependencies job that reads its indices (index prefix "mesh" with aliases); CronJob istio-system/jaeger-spark reads index prefix "mesh", so the service graph shows "No service dependencies found".',
        ]);
    });

    it("does not apply to memory storage, and counts only spark-dependencies CronJobs", async () => {
        assert.deepStrictEqual(
            await stackViolationsOf(j.jaegerElasticsearchMustRunDependenciesJob, [jaegerV1Deployment("memory"), jaegerUserConfig({ primary_store: { memory: { max_traces: 1 } } })]),
            [],
        );
        assert.strictEqual(
            (await stackViolationsOf(j.jaegerElasticsearchMustRunDependenciesJob, [es(), sparkCronJob({ ES_INDEX_PREFIX: "mesh" }, "istio-system", "jaegertracing/jaeger-es-index-cleaner:2.19.0")]))
                .length,
            1,
        );
    });
});
