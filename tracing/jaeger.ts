/**
 * A real Jaeger on 127.0.0.1 with in-memory storage and the receivers and ports the stack configures
 * (Zipkin 9411, OTLP gRPC 4317, OTLP HTTP 4318, query 16686/16685; lib/constants.ts), plus a client
 * for its query API. v1 is the all-in-one of chart 3.4.1's line; v2 the `jaeger` binary of the 4.x line.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { JAEGER_PORTS, ZIPKIN_SPANS_PATH } from "../lib/constants";
import { toolsBin } from "../e2e/tools";

export type JaegerLine = "v1" | "v2";

const LOOPBACK = "127.0.0.1";

/** Jaeger v2 configuration: memory store, receivers and query on loopback, no other listeners. */
export function jaegerV2Config(): string {
    const at = (port: number) => `${LOOPBACK}:${port}`;
    return [
        "service:",
        "  extensions: [jaeger_storage, jaeger_query, healthcheckv2]",
        "  pipelines:",
        "    traces:",
        "      receivers: [otlp, zipkin]",
        "      processors: [batch]",
        "      exporters: [jaeger_storage_exporter]",
        "  telemetry:",
        "    metrics:",
        "      level: none",
        "extensions:",
        "  healthcheckv2:",
        "    use_v2: true",
        "    http:",
        `      endpoint: ${at(13133)}`,
        "  jaeger_query:",
        "    storage:",
        "      traces: memstore",
        "    http:",
        `      endpoint: ${at(JAEGER_PORTS.queryHttp)}`,
        "    grpc:",
        `      endpoint: ${at(JAEGER_PORTS.queryGrpc)}`,
        "  jaeger_storage:",
        "    backends:",
        "      memstore:",
        "        memory:",
        "          max_traces: 100000",
        "receivers:",
        "  otlp:",
        "    protocols:",
        "      grpc:",
        `        endpoint: ${at(JAEGER_PORTS.otlpGrpc)}`,
        "      http:",
        `        endpoint: ${at(JAEGER_PORTS.otlpHttp)}`,
        "  zipkin:",
        `    endpoint: ${at(JAEGER_PORTS.zipkin)}`,
        "processors:",
        "  batch:",
        "    timeout: 100ms",
        "exporters:",
        "  jaeger_storage_exporter:",
        "    trace_storage: memstore",
        "",
    ].join("\n");
}

export class Jaeger {
    private constructor(
        readonly line: JaegerLine,
        private readonly proc: ChildProcess,
        private readonly logFile: string,
    ) {}

    /** Starts Jaeger and waits until its health endpoint and query API answer. */
    static async start(line: JaegerLine): Promise<Jaeger> {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), `jaeger-${line}-`));
        const logFile = path.join(dir, "jaeger.log");
        const log = fs.openSync(logFile, "w");
        const at = (port: number) => `${LOOPBACK}:${port}`;
        let proc: ChildProcess;
        let health: string;
        if (line === "v1") {
            proc = spawn(
                path.join(toolsBin(), "jaeger-all-in-one"),
                [
                    `--collector.zipkin.host-port=${at(JAEGER_PORTS.zipkin)}`,
                    "--collector.otlp.enabled=true",
                    `--collector.otlp.grpc.host-port=${at(JAEGER_PORTS.otlpGrpc)}`,
                    `--collector.otlp.http.host-port=${at(JAEGER_PORTS.otlpHttp)}`,
                    `--collector.grpc-server.host-port=${at(14250)}`,
                    `--collector.http-server.host-port=${at(14268)}`,
                    `--query.http-server.host-port=${at(JAEGER_PORTS.queryHttp)}`,
                    `--query.grpc-server.host-port=${at(JAEGER_PORTS.queryGrpc)}`,
                    `--admin.http.host-port=${at(14269)}`,
                    `--processor.jaeger-compact.server-host-port=${at(6831)}`,
                    `--processor.jaeger-binary.server-host-port=${at(6832)}`,
                    `--processor.zipkin-compact.server-host-port=${at(5775)}`,
                    `--http-server.host-port=${at(5778)}`,
                    "--memory.max-traces=100000",
                ],
                { env: { ...process.env, SPAN_STORAGE_TYPE: "memory" }, stdio: ["ignore", log, log] },
            );
            health = `http://${at(14269)}/`;
        } else {
            const config = path.join(dir, "config.yaml");
            fs.writeFileSync(config, jaegerV2Config());
            proc = spawn(path.join(toolsBin(), "jaeger"), ["--config", config], { stdio: ["ignore", log, log] });
            health = `http://${at(13133)}/status`;
        }
        const j = new Jaeger(line, proc, logFile);
        const deadline = Date.now() + 30_000;
        while (Date.now() < deadline) {
            if (proc.exitCode !== null) {
                throw new Error(`Jaeger ${line} exited with ${proc.exitCode}:\n${fs.readFileSync(logFile, "utf8").slice(-3000)}`);
            }
            try {
                if ((await fetch(health)).ok && (await fetch(`${j.queryUrl}/api/services`)).ok) {
                    return j;
                }
            } catch {
                // not listening yet
            }
            await new Promise((r) => setTimeout(r, 200));
        }
        proc.kill("SIGKILL");
        throw new Error(`Jaeger ${line} did not become ready in 30 s:\n${fs.readFileSync(logFile, "utf8").slice(-3000)}`);
    }

    get queryUrl(): string {
        return `http://${LOOPBACK}:${JAEGER_PORTS.queryHttp}`;
    }

    /** The Zipkin v2 span endpoint the mesh's `jaeger` provider reports to. */
    get zipkinEndpoint(): string {
        return `http://${LOOPBACK}:${JAEGER_PORTS.zipkin}${ZIPKIN_SPANS_PATH}`;
    }

    /** OTLP gRPC endpoint (the stack's OTEL_EXPORTER_OTLP_ENDPOINT port, on loopback). */
    get otlpEndpoint(): string {
        return `http://${LOOPBACK}:${JAEGER_PORTS.otlpGrpc}`;
    }

    async stop(): Promise<void> {
        if (this.proc.exitCode === null) {
            const exited = new Promise((r) => this.proc.once("exit", r));
            this.proc.kill("SIGTERM");
            await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
            if (this.proc.exitCode === null) {
                this.proc.kill("SIGKILL");
            }
        }
        fs.rmSync(path.dirname(this.logFile), { recursive: true, force: true });
    }

    private async get(p: string): Promise<any> {
        const res = await fetch(`${this.queryUrl}${p}`);
        if (res.status === 404) {
            return { data: [] };
        }
        if (!res.ok) {
            throw new Error(`GET ${p}: HTTP ${res.status} ${await res.text()}`);
        }
        return res.json();
    }

    /** `/api/traces/{id}`: spans with the service name of each, ids normalised to 32/16 hex digits. */
    async trace(traceId: string): Promise<QueriedSpan[]> {
        const body = await this.get(`/api/traces/${traceId}`);
        return (body.data ?? []).flatMap((t: any) =>
            t.spans.map((s: any) => ({
                traceId: normTrace(s.traceID),
                spanId: normSpan(s.spanID),
                parentId: (s.references ?? []).filter((r: any) => r.refType === "CHILD_OF").map((r: any) => normSpan(r.spanID))[0],
                operation: s.operationName,
                service: t.processes[s.processID].serviceName,
            })),
        );
    }

    async services(): Promise<string[]> {
        return ((await this.get("/api/services")).data ?? []).sort();
    }

    /**
     * Dependency edges between different services. Jaeger v2's memory store also reports calls
     * inside one service (auth-api -> auth-api for the app's db and cache spans); v1 does not. Those
     * are left out so both lines are compared on the service graph Kiali and the Jaeger UI draw.
     */
    async serviceEdges(): Promise<{ parent: string; child: string; callCount: number }[]> {
        return (await this.dependencies()).filter((d) => d.parent !== d.child);
    }

    async dependencies(): Promise<{ parent: string; child: string; callCount: number }[]> {
        const body = await this.get(`/api/dependencies?endTs=${Date.now() + 60_000}&lookback=${3_600_000}`);
        return (body.data ?? []).map((d: any) => ({ parent: d.parent, child: d.child, callCount: d.callCount })).sort((a: any, b: any) => `${a.parent}>${a.child}`.localeCompare(`${b.parent}>${b.child}`));
    }

    /** Polls until `check` passes (Jaeger ingests asynchronously); returns the last value. */
    async until<T>(read: () => Promise<T>, check: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
        const deadline = Date.now() + timeoutMs;
        let v = await read();
        while (!check(v) && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 100));
            v = await read();
        }
        return v;
    }
}

export interface QueriedSpan {
    readonly traceId: string;
    readonly spanId: string;
    readonly parentId?: string;
    readonly operation: string;
    readonly service: string;
}

/** Jaeger prints ids without leading zeros; compare them padded. */
export function normTrace(id: string): string {
    return id.toLowerCase().padStart(32, "0");
}

export function normSpan(id: string): string {
    return id.toLowerCase().padStart(16, "0");
}
