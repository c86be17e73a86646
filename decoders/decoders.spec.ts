/**
 * Configs checked by the real decoders: what the program renders for the dev stack (Istio 1.24.2, jaeger
 * 3.4.1, kiali-server 2.1.0), the production stack (1.30.3, jaeger 4.11.1 on Elasticsearch, 2.29.0) and the
 * current line (Pulumi.local.yaml, token Kiali, HTTP ext-authz with every option), each previewed once
 * through the Pulumi CLI against the suite's control plane (decoders/render.ts), is fed to
 * - tools/istio-decode, built against the istio.io/api of each Istio line: the mesh config and every
 *   Telemetry and ServiceEntry spec, decoded strictly (unknown fields fail);
 * - `jaeger validate --config` (Jaeger v2.13.0 of the toolchain) for every rendered Jaeger v2 config;
 * - the Jaeger v1 all-in-one 1.53.0 with the rendered args and env (flags parsed; the memory bound obeyed);
 * - the Kiali key check (decoders/kialiKeys.ts) against the chart's own defaults for its version;
 * and each checker is shown to reject a deliberately wrong field. Run by scripts/decoders.sh.
 */
import * as assert from "assert";
import { ChildProcess, execFileSync, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { stopProcess, toolsBin } from "../e2e/tools";
import { KIALI_SERVER_KEYS, KialiChartVersion, chartDefaults, unknownKialiKeys } from "./kialiKeys";
import { Rendered, Rendering, SIGNING_KEY, Variant, render } from "./render";

/** HTTP ext-authz with every option the program sends. */
const HTTP_EXT_AUTHZ = [
    { key: "extAuthz.protocol", value: "http" },
    { key: "extAuthz.port", value: "8000" },
    { key: "extAuthz.timeout", value: "2s" },
    { key: "extAuthz.failOpen", value: "true" },
    { key: "extAuthz.pathPrefix", value: "/authz" },
    { key: "extAuthz.headersToUpstreamOnAllow[0]", value: "x-user-id" },
];

/** Elasticsearch as the production stack file has it, on whatever stack it is set. */
const ELASTICSEARCH = [
    { key: "jaeger.storage.type", value: "elasticsearch" },
    { key: "jaeger.storage.url", value: "https://elasticsearch.logging.svc.cluster.local:9200" },
    { key: "jaeger.storage.username", value: "jaeger" },
    { key: "jaeger.storage.passwordSecret.name", value: "jaeger-elasticsearch" },
    { key: "jaeger.storage.passwordSecret.key", value: "password" },
    { key: "jaeger.storage.indexPrefix", value: "mesh" },
    { key: "jaeger.storage.tls.caSecret.name", value: "elasticsearch-ca" },
    { key: "jaeger.storage.tls.caSecret.key", value: "ca.crt" },
];
const ROLLOVER = { key: "jaeger.storage.rollover.enabled", value: "true" };

const VARIANTS: readonly (Variant & { istio: "1.24" | "1.30"; kiali: KialiChartVersion; jaeger: "v1" | "v2" })[] = [
    { name: "reference", from: "dev", changes: [], istio: "1.24", kiali: "2.1.0", jaeger: "v1" },
    // The reference line on Elasticsearch with rollover and a CA, and the HTTP ext-authz provider: the 3.x chart's jobs and Istio 1.24's HTTP fields.
    { name: "reference-elasticsearch", from: "dev", changes: [...ELASTICSEARCH, ROLLOVER, ...HTTP_EXT_AUTHZ], istio: "1.24", kiali: "2.1.0", jaeger: "v1" },
    { name: "production", from: "production", changes: [SIGNING_KEY], istio: "1.30", kiali: "2.29.0", jaeger: "v2" },
    { name: "production-rollover", from: "production", changes: [SIGNING_KEY, ROLLOVER], istio: "1.30", kiali: "2.29.0", jaeger: "v2" },
    {
        name: "current",
        from: "local",
        changes: [{ key: "kiali.authStrategy", value: "token" }, SIGNING_KEY, ...HTTP_EXT_AUTHZ],
        istio: "1.30",
        kiali: "2.29.0",
        jaeger: "v2",
    },
];

const renderings = new Map<string, Rendering>();

/** Decodes documents with the checker built for an Istio line; returns the error of each (empty: decoded). */
function istioDecode(line: "1.24" | "1.30", items: { id: string; kind: string; yaml?: string; json?: unknown }[]): Record<string, string> {
    const out = execFileSync(path.join(toolsBin(), `istio-decode-${line}`), [], { input: JSON.stringify(items), encoding: "utf8" });
    return Object.fromEntries((JSON.parse(out) as { id: string; error: string }[]).map((r) => [r.id, r.error]));
}

/** The mesh config, Telemetry and ServiceEntry documents of a rendering, as the decoder takes them. */
function istioDocuments(r: Rendering): { id: string; kind: string; yaml?: string; json?: unknown }[] {
    return [
        ...r.ofKind("ConfigMap")
            .filter((c) => /^istio(-.+)?$/.test(c.metadata.name) && typeof c.data?.mesh === "string")
            .map((c) => ({ id: `ConfigMap ${c.metadata.name} mesh`, kind: "MeshConfig", yaml: c.data?.mesh })),
        ...r.ofKind("Telemetry").map((t) => ({ id: `Telemetry ${t.metadata.name}`, kind: "Telemetry", json: t.spec })),
        ...r.ofKind("ServiceEntry").map((s) => ({ id: `ServiceEntry ${s.metadata.name}`, kind: "ServiceEntry", json: s.spec })),
    ];
}

function meshOf(r: Rendering): any {
    return yaml.load(r.get("ConfigMap", "istio", "istio-system").data?.mesh ?? "");
}

/** `jaeger validate --config <file>` of the toolchain's Jaeger v2; `${env:ES_PASSWORD}` needs the variable set. */
function jaegerValidate(config: string): { status: number | null; output: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jaeger-validate-"));
    try {
        const file = path.join(dir, "user-config.yaml");
        fs.writeFileSync(file, config);
        const r = spawnSync(path.join(toolsBin(), "jaeger"), ["validate", "--config", file], { env: { PATH: process.env.PATH ?? "", HOME: dir, ES_PASSWORD: "any" }, encoding: "utf8", timeout: 60_000 });
        return { status: r.status, output: `${r.stdout}${r.stderr}` };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** The Jaeger container's env as a process environment: literal values, and a stand-in for values from Secrets. */
function containerEnv(c: any): Record<string, string> {
    return Object.fromEntries((c.env ?? []).map((e: any) => [e.name, e.value ?? "from-secret"]));
}

/** Ports of the all-in-one moved off the stack's own (and the tracing suite's) onto 127.0.0.1:29xxx. */
const V1_LOOPBACK = (base: number) => [
    `--collector.zipkin.host-port=127.0.0.1:${base + 411}`,
    `--collector.otlp.grpc.host-port=127.0.0.1:${base + 317}`,
    `--collector.otlp.http.host-port=127.0.0.1:${base + 318}`,
    `--collector.grpc-server.host-port=127.0.0.1:${base + 250}`,
    `--collector.http-server.host-port=127.0.0.1:${base + 268}`,
    `--query.http-server.host-port=127.0.0.1:${base + 686}`,
    `--query.grpc-server.host-port=127.0.0.1:${base + 685}`,
    `--admin.http.host-port=127.0.0.1:${base + 269}`,
    `--processor.jaeger-compact.server-host-port=127.0.0.1:${base + 831}`,
    `--processor.jaeger-binary.server-host-port=127.0.0.1:${base + 832}`,
    `--processor.zipkin-compact.server-host-port=127.0.0.1:${base + 775}`,
    `--http-server.host-port=127.0.0.1:${base + 778}`,
];

describe("configs checked by the real decoders", function () {
    this.timeout(900_000);

    before(async function () {
        for (const v of VARIANTS) {
            const t0 = Date.now();
            renderings.set(v.name, await render(v));
            process.stdout.write(`      previewed ${v.name}: ${renderings.get(v.name)?.objects.length} objects in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
        }
    });

    const r = (name: string): Rendering => {
        const found = renderings.get(name);
        assert.ok(found !== undefined, `no rendering ${name}`);
        return found;
    };

    describe("istio-decode (istio.io/api per Istio line, unknown fields fail)", () => {
        it("is built against the istio.io/api istio/istio pins at 1.24.2 and 1.30.3", () => {
            assert.strictEqual(execFileSync(path.join(toolsBin(), "istio-decode-1.24"), ["version"], { encoding: "utf8" }).trim(), "v1.24.2-0.20241206152109-43afb8563706");
            assert.strictEqual(execFileSync(path.join(toolsBin(), "istio-decode-1.30"), ["version"], { encoding: "utf8" }).trim(), "v1.30.3-0.20260710004328-2e43f07b30b6");
        });

        for (const v of VARIANTS) {
            it(`decodes every rendered mesh config, Telemetry and ServiceEntry of ${v.name} with the ${v.istio} API`, () => {
                const docs = istioDocuments(r(v.name));
                assert.deepStrictEqual(
                    docs.map((d) => d.kind).filter((k, i, all) => all.indexOf(k) === i),
                    ["MeshConfig", "Telemetry", "ServiceEntry"],
                );
                const errors = istioDecode(v.istio, docs);
                assert.deepStrictEqual(errors, Object.fromEntries(docs.map((d) => [d.id, ""])));
            });

            it(`renders metrics and tracing providers side by side in ${v.name}'s mesh config`, () => {
                const mesh = meshOf(r(v.name));
                assert.deepStrictEqual(mesh.defaultProviders, { metrics: ["prometheus"], tracing: ["jaeger"] });
                assert.strictEqual(mesh.enableTracing, true);
                assert.strictEqual(mesh.defaultConfig.tracing, undefined);
            });
        }

        it("decodes the HTTP ext-authz provider with every option the program sends, on both lines", () => {
            for (const name of ["reference-elasticsearch", "current"]) {
                const provider = meshOf(r(name)).extensionProviders.find((p: any) => p.name === "ext-authz");
                assert.deepStrictEqual(
                    provider,
                    {
                        name: "ext-authz",
                        envoyExtAuthzHttp: {
                            service: "ext-authz.auth.svc.cluster.local",
                            port: 8000,
                            timeout: "2s",
                            failOpen: true,
                            pathPrefix: "/authz",
                            includeRequestHeadersInCheck: ["authorization", "x-request-id", "x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid", "x-b3-sampled"],
                            headersToUpstreamOnAllow: ["x-user-id"],
                        },
                    },
                    name,
                );
            }
        });

        for (const line of ["1.24", "1.30"] as const) {
            it(`rejects a deliberately wrong field with the ${line} API, naming it`, () => {
                const mesh = r(line === "1.24" ? "reference" : "current").get("ConfigMap", "istio", "istio-system").data?.mesh ?? "";
                const wrongMesh = mesh.replace("enableTracing: true", "enableTracing: true\nenableTracng: true");
                assert.notStrictEqual(wrongMesh, mesh);
                // The reference's gRPC ext-authz with a header list: a field the gRPC provider does not have.
                const grpc = { name: "ext-authz", envoyExtAuthzGrpc: { service: "ext-authz.auth.svc.cluster.local", port: 9000, includeHeadersInCheck: ["authorization"] } };
                const telemetry = r("reference").get("Telemetry", "global-sampling").spec;
                const entry = r("reference").ofKind("ServiceEntry")[0].spec;
                const errors = istioDecode(line, [
                    { id: "mesh", kind: "MeshConfig", yaml: wrongMesh },
                    { id: "grpc", kind: "MeshConfig", json: { extensionProviders: [grpc] } },
                    { id: "telemetry", kind: "Telemetry", json: { ...telemetry, tracing: [{ ...telemetry.tracing[0], randomSamplingPercent: 1 }] } },
                    { id: "serviceentry", kind: "ServiceEntry", json: { ...entry, resolutions: "DNS" } },
                    { id: "type", kind: "Telemetry", json: { ...telemetry, tracing: [{ ...telemetry.tracing[0], randomSamplingPercentage: "all" }] } },
                ]);
                assert.match(errors.mesh, /unknown field "enableTracng"/);
                assert.match(errors.grpc, /unknown field "includeHeadersInCheck"/);
                assert.match(errors.telemetry, /unknown field "randomSamplingPercent"/);
                assert.match(errors.serviceentry, /unknown field "resolutions"/);
                assert.notStrictEqual(errors.type, "", "a wrong type fails too");
            });
        }
    });

    describe("Prometheus monitors", () => {
        it("renders Istio's PodMonitor and ServiceMonitor where the stack says the operator runs Prometheus, and none elsewhere", () => {
            for (const name of ["reference", "production"]) {
                assert.deepStrictEqual(
                    [...r(name).ofKind("PodMonitor"), ...r(name).ofKind("ServiceMonitor")].map((m) => `${m.apiVersion} ${m.kind} ${m.metadata.namespace}/${m.metadata.name}`),
                    ["monitoring.coreos.com/v1 PodMonitor istio-system/envoy-stats-monitor", "monitoring.coreos.com/v1 ServiceMonitor istio-system/istio-component-monitor"],
                    name,
                );
            }
            assert.deepStrictEqual([...r("current").ofKind("PodMonitor"), ...r("current").ofKind("ServiceMonitor")], []);
        });

        it("scrapes the port the rendered gateway pods and istiod Service expose: prometheus.io annotations, http-monitoring", () => {
            const gateway = r("production").get("Deployment", "istio-ingressgateway");
            assert.strictEqual(gateway.spec.template.metadata.annotations["prometheus.io/scrape"], "true");
            assert.strictEqual(gateway.spec.template.metadata.annotations["prometheus.io/port"], "15020");
            assert.strictEqual(gateway.spec.template.spec.containers[0].name, "istio-proxy");
            const istiod = r("production").get("Service", "istiod");
            assert.strictEqual(istiod.metadata.labels?.istio, "pilot");
            assert.ok(istiod.spec.ports.some((p: any) => p.name === "http-monitoring" && p.port === 15014));
        });
    });

    describe("jaeger validate (Jaeger v2.13.0)", () => {
        for (const name of ["production", "production-rollover", "current"]) {
            it(`accepts the rendered Jaeger v2 config of ${name}`, () => {
                const config = r(name).get("ConfigMap", "user-config").data?.["user-config.yaml"] ?? "";
                const backend = name === "current" ? "memory" : "elasticsearch";
                assert.ok(config.includes(`${backend}:`), config);
                if (name === "production-rollover") {
                    assert.ok(config.includes("use_aliases: true"), config);
                }
                const v = jaegerValidate(config);
                assert.strictEqual(v.status, 0, v.output);
            });
        }

        it("rejects a deliberately wrong key, naming it", () => {
            const config = r("current").get("ConfigMap", "user-config").data?.["user-config.yaml"] ?? "";
            const wrong = yaml.load(config) as any;
            wrong.extensions.jaeger_storage.backends.primary_store.memory.max_trace = 10;
            const v = jaegerValidate(yaml.dump(wrong));
            assert.notStrictEqual(v.status, 0);
            assert.match(v.output, /max_trace/);
        });

        it("binds Jaeger's own metrics where the chart's pod annotation points (prometheus.io/port 8888)", () => {
            for (const name of ["production", "current"]) {
                const deploy = r(name).get("Deployment", "jaeger");
                assert.strictEqual(deploy.spec.template.metadata.annotations["prometheus.io/port"], "8888");
                const config = yaml.load(r(name).get("ConfigMap", "user-config").data?.["user-config.yaml"] ?? "") as any;
                assert.deepStrictEqual(config.service.telemetry.metrics.readers, [{ pull: { exporter: { prometheus: { host: "0.0.0.0", port: 8888 } } } }]);
            }
        });
    });

    describe("Jaeger v1 all-in-one 1.53.0 with the rendered args and env", () => {
        const allInOne = () => r("reference").get("Deployment", "jaeger").spec.template.spec.containers[0];

        it("parses every rendered flag for the rendered storage type (flags are registered per SPAN_STORAGE_TYPE; --help exits 0 only when all parse)", () => {
            const c = allInOne();
            const env = containerEnv(c);
            assert.strictEqual(env.SPAN_STORAGE_TYPE, "memory");
            const ok = spawnSync(path.join(toolsBin(), "jaeger-all-in-one"), [...(c.args ?? []), "--help"], { env: { PATH: process.env.PATH ?? "", ...env }, encoding: "utf8", timeout: 60_000 });
            assert.strictEqual(ok.status, 0, `${ok.stdout}${ok.stderr}`);
            // On Elasticsearch (with the CA and aliases) the es.* flags are registered, the variables map onto them.
            const es = r("reference-elasticsearch").get("Deployment", "jaeger").spec.template.spec.containers[0];
            const esEnv = containerEnv(es);
            assert.deepStrictEqual(
                [esEnv.SPAN_STORAGE_TYPE, esEnv.ES_SERVER_URLS, esEnv.ES_TLS_ENABLED, esEnv.ES_TLS_CA, esEnv.ES_USE_ALIASES, esEnv.ES_INDEX_PREFIX],
                ["elasticsearch", "https://elasticsearch.logging.svc.cluster.local:9200", "true", "/es-tls/ca.crt", "true", "mesh"],
            );
            const help = spawnSync(path.join(toolsBin(), "jaeger-all-in-one"), [...(es.args ?? []), "--help"], { env: { PATH: process.env.PATH ?? "", ...esEnv }, encoding: "utf8", timeout: 60_000 });
            assert.strictEqual(help.status, 0, `${help.stdout}${help.stderr}`);
            for (const flag of ["--es.server-urls", "--es.tls.enabled", "--es.tls.ca", "--es.use-aliases", "--es.index-prefix", "--es.password"]) {
                assert.ok(help.stdout.includes(flag), `the all-in-one has no ${flag} for the variable the chart sets`);
            }
            const wrong = spawnSync(path.join(toolsBin(), "jaeger-all-in-one"), [...(c.args ?? []), "--memory.max-trace=5", "--help"], { env: { PATH: process.env.PATH ?? "", ...env }, encoding: "utf8", timeout: 60_000 });
            assert.notStrictEqual(wrong.status, 0);
            assert.match(`${wrong.stdout}${wrong.stderr}`, /unknown flag: --memory.max-trace/);
        });

        it("keeps at most MEMORY_MAX_TRACES traces: the rendered variable is the one Jaeger reads (bound lowered to 2 for the test)", async () => {
            const env = containerEnv(allInOne());
            assert.strictEqual(env.MEMORY_MAX_TRACES, "10752");
            const base = 29000;
            const log = fs.mkdtempSync(path.join(os.tmpdir(), "jaeger-v1-bound-"));
            const proc: ChildProcess = spawn(path.join(toolsBin(), "jaeger-all-in-one"), V1_LOOPBACK(base), {
                env: { PATH: process.env.PATH ?? "", ...env, MEMORY_MAX_TRACES: "2" },
                stdio: ["ignore", fs.openSync(path.join(log, "out"), "w"), fs.openSync(path.join(log, "err"), "w")],
            });
            try {
                const query = `http://127.0.0.1:${base + 686}`;
                const deadline = Date.now() + 30_000;
                while (!(await fetch(`${query}/api/services`).then((x) => x.ok).catch(() => false))) {
                    assert.ok(Date.now() < deadline && proc.exitCode === null, fs.readFileSync(path.join(log, "err"), "utf8").slice(-2000));
                    await new Promise((res) => setTimeout(res, 200));
                }
                for (let i = 1; i <= 3; i++) {
                    const span = { traceId: `${i}`.padStart(32, "0"), id: `${i}`.padStart(16, "0"), name: "GET /", timestamp: Date.now() * 1000, duration: 1000, localEndpoint: { serviceName: "bound-check" } };
                    const res = await fetch(`http://127.0.0.1:${base + 411}/api/v2/spans`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify([span]) });
                    assert.ok(res.ok, `POST span ${i}: ${res.status}`);
                    await new Promise((res2) => setTimeout(res2, 300));
                }
                const traces = async () => ((await (await fetch(`${query}/api/traces?service=bound-check&limit=100`)).json()) as { data: unknown[] }).data.length;
                let n = 0;
                for (let i = 0; i < 50 && n < 2; i++) {
                    n = await traces();
                    await new Promise((res) => setTimeout(res, 200));
                }
                assert.strictEqual(n, 2, "the third trace evicts the first");
            } finally {
                await stopProcess(proc);
                fs.rmSync(log, { recursive: true, force: true });
            }
        });
    });

    describe("Kiali config.yaml against the chart's own keys", () => {
        for (const v of VARIANTS) {
            it(`has no key outside kiali-server ${v.kiali}'s schema in ${v.name}`, () => {
                const config = yaml.load(r(v.name).get("ConfigMap", "kiali").data?.["config.yaml"] ?? "") as Record<string, unknown>;
                assert.deepStrictEqual(unknownKialiKeys(config, v.kiali), []);
            });
        }

        it("rejects deliberately misspelled keys, each at its path", () => {
            const config = yaml.load(r("reference").get("ConfigMap", "kiali").data?.["config.yaml"] ?? "") as any;
            config.external_services.tracing.use_gprc = true;
            config.deployment.view_only_mod = true;
            config.extenal_services = {};
            assert.deepStrictEqual(unknownKialiKeys(config, "2.1.0"), ["deployment.view_only_mod", "extenal_services", "external_services.tracing.use_gprc"]);
        });

        it("lists only keys the chart's defaults lack (a listed key the chart has would hide nothing and mislead)", () => {
            for (const version of ["2.1.0", "2.29.0"] as const) {
                const defaults = chartDefaults(version);
                const inDefaults = KIALI_SERVER_KEYS.filter((k) => k.path.split(".").reduce<any>((o, s) => (o === undefined ? undefined : o[s]), defaults) !== undefined);
                assert.deepStrictEqual(inDefaults, [], version);
            }
        });
    });

    describe("every rendered workload", () => {
        it("names each environment variable of a container once (server-side apply rejects duplicate list keys)", () => {
            for (const v of VARIANTS) {
                for (const o of r(v.name).objects) {
                    const pod = o.kind === "CronJob" ? o.spec?.jobTemplate?.spec?.template?.spec : o.spec?.template?.spec;
                    for (const c of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]) {
                        const names = (c.env ?? []).map((e: any) => e.name);
                        assert.deepStrictEqual(names.filter((n: string, i: number) => names.indexOf(n) !== i), [], `${v.name} ${o.kind} ${o.metadata.name} ${c.name}`);
                    }
                }
            }
        });
    });

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
