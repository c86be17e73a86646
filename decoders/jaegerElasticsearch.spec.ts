/** The Elasticsearch jobs the variants on Elasticsearch render: rollover on both lines, and the production stack's. Run by scripts/decoders.sh. */
import * as assert from "assert";
import { Rendered } from "./render";
import { renderVariants, renderingOf } from "./variants";

describe("configs checked by the real decoders", function () {
    this.timeout(900_000);

    before(renderVariants);

    const r = renderingOf;

    describe("Elasticsearch rollover, on both lines", () => {
        for (const [name, tag] of [
            ["reference-elasticsearch", "1.53.0"],
            ["production-rollover", "2.19.0"],
        ]) {
            it(`runs the init step as a Job of the program's own (Chart v4 skips the chart's hook), the rollover CronJob and the cleaner with --rollover (${name})`, () => {
                const job = r(name).get("Job", "jaeger-es-rollover-init").spec.template.spec.containers[0];
                assert.strictEqual(job.image, `jaegertracing/jaeger-es-rollover:${tag}`);
                assert.deepStrictEqual(job.args, ["init", "https://elasticsearch.logging.svc.cluster.local:9200", "--index-prefix=mesh"]);
                const rollover = r(name).get("CronJob", "jaeger-es-rollover").spec.jobTemplate.spec.template.spec.containers[0];
                assert.deepStrictEqual(rollover.args.slice(0, 1), ["rollover"]);
                assert.ok(rollover.args.includes("--index-prefix=mesh"), rollover.args.join(" "));
                const cleaner = r(name).get("CronJob", "jaeger-es-index-cleaner").spec.jobTemplate.spec.template.spec.containers[0];
                assert.ok(cleaner.args.includes("--rollover=true"), cleaner.args.join(" "));
                const spark = r(name).get("CronJob", "jaeger-spark").spec.jobTemplate.spec.template.spec.containers[0];
                assert.strictEqual(spark.env.find((e: any) => e.name === "ES_USE_ALIASES")?.value, "true");
            });
        }
    });

    describe("Elasticsearch in the production stack", () => {
        const cron = (name: string): Rendered => r("production").get("CronJob", name);

        it("runs the dependencies job on its schedule, reading the indices Jaeger writes, with the password from the Secret and the CA as a trust store", () => {
            const spark = cron("jaeger-spark");
            assert.strictEqual(spark.spec.schedule, "49 23 * * *");
            const pod = spark.spec.jobTemplate.spec.template.spec;
            const env = Object.fromEntries(pod.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
            assert.strictEqual(pod.containers[0].image, "ghcr.io/jaegertracing/spark-dependencies/spark-dependencies:v0.7.2-elasticsearch8");
            assert.deepStrictEqual(
                [env.STORAGE, env.ES_NODES, env.ES_USERNAME, env.ES_INDEX_PREFIX, env.ES_PASSWORD],
                ["elasticsearch", "https://elasticsearch.logging.svc.cluster.local:9200", "jaeger", "mesh", { secretKeyRef: { name: "jaeger-elasticsearch", key: "password" } }],
            );
            assert.match(env.JAVA_OPTS, /-Djavax.net.ssl.trustStore=\/es-truststore\/ca.p12/);
            assert.strictEqual(pod.initContainers[0].command[0], "keytool");
        });

        it("cleans indices older than the retention, with the prefix, the password and the CA", () => {
            const cleaner = cron("jaeger-es-index-cleaner");
            assert.strictEqual(cleaner.spec.schedule, "55 23 * * *");
            const c = cleaner.spec.jobTemplate.spec.template.spec.containers[0];
            assert.deepStrictEqual(c.args, ["7", "https://elasticsearch.logging.svc.cluster.local:9200", "--index-prefix=mesh"]);
            const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
            assert.deepStrictEqual([env.ES_TLS_ENABLED, env.ES_TLS_CA, env.ES_PASSWORD], ["true", "/es-tls/ca.crt", { secretKeyRef: { name: "jaeger-elasticsearch", key: "password" } }]);
            assert.deepStrictEqual(c.volumeMounts, [{ name: "es-tls-ca", mountPath: "/es-tls/ca.crt", subPath: "ca.crt", readOnly: true }]);
            assert.ok(!r("production").has("CronJob", "jaeger-es-rollover"), "rollover is off in the production stack file");
        });
    });
});
