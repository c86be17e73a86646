/**
 * The rendered Jaeger configs through Jaeger itself: `jaeger validate --config` (Jaeger v2.12.0 of the toolchain)
 * for every Jaeger v2 config, and the Jaeger v1 all-in-one 1.53.0 with the rendered args and env (flags parsed;
 * the memory bound obeyed); each shown to reject a deliberately wrong key. Run by scripts/decoders.sh.
 */
import * as assert from "assert";
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { stopProcess, toolsBin } from "../e2e/tools";
import { renderVariants, renderingOf } from "./variants";

/** `jaeger validate --config <file>` of the toolchain's Jaeger v2; `${env:ES_PASSWORD}` needs the variable set. */
function jaegerValidate(config: string): { status: number | null; output: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jaeger-validate-"));
    try {
        const file = path.join(dir, "user-config.yaml");
        fs.writeFileSync(file, config);
        const r = spawnSync(path.join(toolsBin(), "jaeger"), ["validate", "--config", file], {
            env: { PATH: process.env.PATH ?? "", HOME: dir, ES_PASSWORD: "any" },
            encoding: "utf8",
            timeout: 60_000,
        });
        return { status: r.status, output: `${r.stdout}${r.stderr}` };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** The Jaeger container's env as a process environment: literal values, and a placeholder for values from Secrets. */
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

    before(renderVariants);

    const r = renderingOf;

    describe("jaeger validate (Jaeger v2.12.0)", () => {
        for (const name of ["production", "production-rollover", "current"]) {
            it(`accepts the rendered Jaeger v2 config of ${name}${name.startsWith("production") ? " (with the Monitor tab's span metrics)" : ""}`, () => {
                const config = r(name).get("ConfigMap", "user-config").data?.["user-config.yaml"] ?? "";
                const backend = name === "current" ? "memory" : "elasticsearch";
                assert.ok(config.includes(`${backend}:`), config);
                if (name === "production-rollover") {
                    assert.ok(config.includes("use_aliases: true"), config);
                }
                if (name.startsWith("production")) {
                    // The Monitor tab is on by default in production: the span-metrics connector, exporter and metrics storage.
                    assert.ok(
                        ["spanmetrics:", "metric_backends:", "endpoint: 0.0.0.0:8889"].every((k) => config.includes(k)),
                        config,
                    );
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
            const wrong = spawnSync(path.join(toolsBin(), "jaeger-all-in-one"), [...(c.args ?? []), "--memory.max-trace=5", "--help"], {
                env: { PATH: process.env.PATH ?? "", ...env },
                encoding: "utf8",
                timeout: 60_000,
            });
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
                while (
                    !(await fetch(`${query}/api/services`)
                        .then((x) => x.ok)
                        .catch(() => false))
                ) {
                    assert.ok(Date.now() < deadline && proc.exitCode === null, fs.readFileSync(path.join(log, "err"), "utf8").slice(-2000));
                    await new Promise((res) => setTimeout(res, 200));
                }
                for (let i = 1; i <= 3; i++) {
                    const span = {
                        traceId: `${i}`.padStart(32, "0"),
                        id: `${i}`.padStart(16, "0"),
                        name: "GET /",
                        timestamp: Date.now() * 1000,
                        duration: 1000,
                        localEndpoint: { serviceName: "bound-check" },
                    };
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
});
