/**
 * Benchmark (prints figures; not a test): memory one stored trace takes in Jaeger's memory store, the figure
 * lib/sizing.ts sizes `jaeger.storage.maxTraces` by. Starts the toolchain's Jaeger (v1 all-in-one 1.53.0 or
 * v2.12.0) on 127.0.0.1:29xxx with an unbounded-enough memory store, sends 1000 warm-up traces, then N
 * mesh-shaped traces over Zipkin (the ingress gateway's and the sidecar's Envoy spans with Envoy's tags, the
 * app's server span and two children with the OpenTelemetry SDK's tags: 5 spans), and reports the growth of
 * resident memory and of the Go heap per trace. Run under the heavy-work lock:
 *
 *   flock /tmp/observability-heavy.lock npm run bench:memory -- v1 20000
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { toolsBin } from "./tools";

const BASE = 29000;
const at = (port: number) => `127.0.0.1:${BASE + port}`;
const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");

function residentBytes(pid: number): number {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return Number(m?.[1] ?? NaN) * 1024;
}

async function metric(url: string, name: string): Promise<number> {
    const m = new RegExp(`^${name}(\\{[^}]*\\})? ([0-9.e+]+)`, "m").exec(await (await fetch(url)).text());
    return m === null ? NaN : Number(m[2]);
}

/** One request through the mesh as Zipkin v2 spans: gateway and sidecar (Envoy's tags), the app's server span and two children. */
function meshTrace(i: number): object[] {
    const traceId = hex(i + 1, 32);
    const now = Date.now() * 1000;
    const envoy = (id: string, parentId: string | undefined, service: string, kind: string) => ({
        traceId,
        id,
        parentId,
        name: "auth-api.auth.svc.cluster.local:8080/*",
        kind,
        timestamp: now,
        duration: 1500,
        localEndpoint: { serviceName: service, ipv4: "10.0.0.7" },
        tags: {
            node_id: `sidecar~10.0.0.7~${service}-5d9f8-abcde.auth~auth.svc.cluster.local`,
            zone: "",
            "guid:x-request-id": "0f6b1c9e-3a2b-4c5d-8e9f-0123456789ab",
            "http.url": "http://auth-api.auth.svc.cluster.local:8080/api/v1/login?user=someone",
            "http.method": "GET",
            downstream_cluster: "-",
            user_agent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36",
            "http.protocol": "HTTP/1.1",
            "peer.address": "10.0.0.5",
            request_size: "0",
            response_size: "512",
            component: "proxy",
            upstream_cluster: "outbound|8080||auth-api.auth.svc.cluster.local",
            "upstream_cluster.name": "outbound|8080||auth-api.auth.svc.cluster.local",
            "http.status_code": "200",
            response_flags: "-",
            "istio.canonical_service": service,
            "istio.mesh_id": "cluster.local",
            "istio.namespace": "auth",
        },
    });
    const app = (id: string, parentId: string, name: string) => ({
        traceId,
        id,
        parentId,
        name,
        kind: "SERVER",
        timestamp: now + 100,
        duration: 900,
        localEndpoint: { serviceName: "auth-api" },
        tags: {
            "http.method": "GET",
            "http.route": "/api/v1/login",
            "http.status_code": "200",
            "otel.library.name": "@opentelemetry/instrumentation-http",
            "net.host.name": "auth-api",
            "telemetry.sdk.language": "nodejs",
        },
    });
    const [gateway, sidecar, server] = [1, 2, 3].map((k) => hex(i * 8 + k, 16));
    return [
        envoy(gateway, undefined, "istio-ingressgateway.istio-system", "CLIENT"),
        envoy(sidecar, gateway, "auth-api.auth", "SERVER"),
        app(server, sidecar, "GET /api/v1/login"),
        app(hex(i * 8 + 4, 16), server, "db.query"),
        app(hex(i * 8 + 5, 16), server, "cache.get"),
    ];
}

function start(line: string, dir: string): { proc: ChildProcess; metrics: string; heap: string } {
    if (line === "v1") {
        const flags = [
            `--collector.zipkin.host-port=${at(411)}`,
            `--collector.otlp.grpc.host-port=${at(317)}`,
            `--collector.otlp.http.host-port=${at(318)}`,
            `--collector.grpc-server.host-port=${at(250)}`,
            `--collector.http-server.host-port=${at(268)}`,
            `--query.http-server.host-port=${at(686)}`,
            `--query.grpc-server.host-port=${at(685)}`,
            `--admin.http.host-port=${at(269)}`,
            `--processor.jaeger-compact.server-host-port=${at(831)}`,
            `--processor.jaeger-binary.server-host-port=${at(832)}`,
            `--processor.zipkin-compact.server-host-port=${at(775)}`,
            `--http-server.host-port=${at(778)}`,
            "--memory.max-traces=1000000",
        ];
        const proc = spawn(path.join(toolsBin(), "jaeger-all-in-one"), flags, { env: { PATH: process.env.PATH ?? "", SPAN_STORAGE_TYPE: "memory" }, stdio: "ignore" });
        return { proc, metrics: `http://${at(269)}/metrics`, heap: "go_memstats_heap_inuse_bytes" };
    }
    const config = [
        "service:",
        "  extensions: [jaeger_storage, jaeger_query]",
        "  pipelines: {traces: {receivers: [zipkin], processors: [batch], exporters: [jaeger_storage_exporter]}}",
        `  telemetry: {metrics: {readers: [{pull: {exporter: {prometheus: {host: 127.0.0.1, port: ${BASE + 888}}}}}]}}`,
        "extensions:",
        `  jaeger_query: {storage: {traces: m}, http: {endpoint: "${at(686)}"}, grpc: {endpoint: "${at(685)}"}}`,
        "  jaeger_storage: {backends: {m: {memory: {max_traces: 1000000}}}}",
        `receivers: {zipkin: {endpoint: "${at(411)}"}}`,
        "processors: {batch: {}}",
        "exporters: {jaeger_storage_exporter: {trace_storage: m}}",
        "",
    ].join("\n");
    fs.writeFileSync(path.join(dir, "config.yaml"), config);
    const proc = spawn(path.join(toolsBin(), "jaeger"), ["--config", path.join(dir, "config.yaml")], { env: { PATH: process.env.PATH ?? "" }, stdio: "ignore" });
    return { proc, metrics: `http://${at(888)}/metrics`, heap: "otelcol_process_runtime_heap_alloc_bytes" };
}

async function run(line: string, n: number): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jaeger-memory-"));
    const { proc, metrics, heap } = start(line, dir);
    try {
        for (let i = 0; i < 150; i++) {
            if (
                await fetch(`http://${at(686)}/api/services`)
                    .then((r) => r.ok)
                    .catch(() => false)
            ) {
                break;
            }
            await new Promise((r) => setTimeout(r, 200));
        }
        const send = async (from: number, to: number) => {
            for (let i = from; i < to; i += 50) {
                const spans = Array.from({ length: Math.min(50, to - i) }, (_, k) => meshTrace(i + k)).flat();
                const res = await fetch(`http://${at(411)}/api/v2/spans`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(spans) });
                if (!res.ok) {
                    throw new Error(`POST spans: HTTP ${res.status}`);
                }
            }
        };
        await send(0, 1000);
        await new Promise((r) => setTimeout(r, 3000));
        const [rss0, heap0] = [residentBytes(proc.pid ?? 0), await metric(metrics, heap)];
        await send(1000, 1000 + n);
        await new Promise((r) => setTimeout(r, 5000));
        const [rss1, heap1] = [residentBytes(proc.pid ?? 0), await metric(metrics, heap)];
        process.stdout.write(
            `Jaeger ${line}: ${n} traces of 5 spans: resident +${((rss1 - rss0) / n / 1000).toFixed(1)} KB/trace, Go heap +${((heap1 - heap0) / n / 1000).toFixed(1)} KB/trace ` +
                `(resident ${(rss0 / 1e6).toFixed(0)} MB after 1000 warm-up traces, ${(rss1 / 1e6).toFixed(0)} MB after)\n`,
        );
    } finally {
        proc.kill("SIGKILL");
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

const [line = "v1", count = "20000"] = process.argv.slice(2);
run(line, Number(count)).catch((e: Error) => {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
});
