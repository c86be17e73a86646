import * as assert from "assert";
import * as yaml from "js-yaml";
import * as j from "../../rules/jaeger";
import { TYPES, cassandra, chart, helmRelease, jaegerV1Deployment, jaegerV2Deployment, opaqueChart, releasesConfigMap } from "../fixtures";
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
            props: { metadata: { name: "user-config", namespace: "istio-system" }, data: { "user-config.yaml": yaml.dump({ extensions: { jaeger_storage: { backends: { primary_store: { memory: { max_traces: 100000 } } } } } }) } },
        };
        assert.deepStrictEqual(await violationsOf(j.jaegerMustNotUseMemoryStorage, cm), ["Jaeger config istio-system/user-config must store traces durably; backend primary_store is memory, expected elasticsearch."]);
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
        assert.deepStrictEqual(await stackViolationsOf(j.jaegerMemoryMustNotProvisionCassandra, [releasesConfigMap([{ chart: "jaeger", version: "3.4.1", values: { ...values, provisionDataStore: { cassandra: false } } }])]), []);
    });

    it("denies rendered Cassandra objects even when the Chart resource is not visible", async () => {
        assert.strictEqual((await stackViolationsOf(j.jaegerMemoryMustNotProvisionCassandra, [jaegerV1Deployment("memory"), ...cassandra()])).length, 2);
    });

    it("reads a Helm v3 Release's values and reports values in files instead of passing", async () => {
        assert.deepStrictEqual(await stackViolationsOf(j.jaegerMemoryMustNotProvisionCassandra, [helmRelease("jaeger", "3.4.1", { values: { allInOne: { enabled: true }, storage: { type: "memory" } } })]), [
            "Chart jaeger 3.4.1 must set provisionDataStore.cassandra: false with all-in-one memory storage; it is true.",
        ]);
        assert.deepStrictEqual(await stackViolationsOf(j.jaegerMemoryMustNotProvisionCassandra, [helmRelease("jaeger", "3.4.1", { valueYamlFiles: [{ path: "jaeger.yaml" }] })]), [
            "Helm Release jaeger must pass its values inline (values, not valueYamlFiles) for the pack to check provisionDataStore.cassandra of chart jaeger; values in files are not visible to policy packs.",
        ]);
    });

    it("needs no releases record for a Chart v4: it checks the rendered objects", async () => {
        assert.deepStrictEqual(await stackViolationsOf(j.jaegerMemoryMustNotProvisionCassandra, [opaqueChart("observability-jaeger-chart"), jaegerV1Deployment("memory")]), []);
    });

    it("does not apply to the 4.x line", async () => {
        assert.deepStrictEqual(await stackViolationsOf(j.jaegerMemoryMustNotProvisionCassandra, [chart("jaeger", "4.11.1", { allInOne: { enabled: true }, storage: { type: "memory" } }), jaegerV2Deployment(false)]), []);
    });
});
