/**
 * Jaeger as the chart runs it: the toolchain's binary of the rendered line (v1 all-in-one 1.53.0 for
 * chart 3.x, `jaeger` v2.12.0 for chart 4.x), started with the rendered container's args and env and,
 * on v2, the rendered config file. The one change is where it listens: every listener is bound to
 * 127.0.0.1 with the container port's number (lib: loopback.ts). Then every port a Service of the stack
 * targets on the Jaeger pod must accept connections, or the start fails naming the Service and port.
 * The query client (traces, services, dependencies) reads what Jaeger stored.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { stopProcess, toolsBin } from "../e2e/tools";
import { K8sObject, StackObjects } from "./stackObjects";
import { LOOPBACK, Loopback, listening } from "./loopback";

/**
 * Every listener of the v1 all-in-one 1.53.0 (flag, and its default when neither a flag nor the
 * viper environment variable sets it; "" = off). Read from the flags of cmd/collector, cmd/query,
 * cmd/agent and the admin server at v1.53.0. A listener that is on gets a 127.0.0.1 flag.
 */
const V1_LISTENERS: readonly { flag: string; fallback: string }[] = [
    { flag: "collector.zipkin.host-port", fallback: "" },
    { flag: "collector.otlp.grpc.host-port", fallback: ":4317" },
    { flag: "collector.otlp.http.host-port", fallback: ":4318" },
    { flag: "collector.grpc-server.host-port", fallback: ":14250" },
    { flag: "collector.http-server.host-port", fallback: ":14268" },
    { flag: "query.http-server.host-port", fallback: ":16686" },
    { flag: "query.grpc-server.host-port", fallback: ":16685" },
    { flag: "admin.http.host-port", fallback: ":14269" },
    { flag: "processor.jaeger-compact.server-host-port", fallback: ":6831" },
    { flag: "processor.jaeger-binary.server-host-port", fallback: ":6832" },
    { flag: "processor.zipkin-compact.server-host-port", fallback: ":5775" },
    { flag: "http-server.host-port", fallback: ":5778" },
];

/** A flag's value from `--flag=v` / `--flag v` args, else its viper environment variable (`a.b-c` -> `A_B_C`). */
function v1Setting(flag: string, args: readonly string[], env: Readonly<Record<string, string>>): string | undefined {
    for (let i = 0; i < args.length; i++) {
        if (args[i].startsWith(`--${flag}=`)) {
            return args[i].slice(flag.length + 3);
        }
        if (args[i] === `--${flag}`) {
            return args[i + 1];
        }
    }
    return env[flag.toUpperCase().replace(/[.-]/g, "_")];
}

/** Rewrites listen addresses of a v2 config (`0.0.0.0:p`, `:p`) to 127.0.0.1. */
function loopbackConfig(text: string): string {
    const walk = (v: unknown): unknown =>
        typeof v === "string"
            ? v.replace(/^(0\.0\.0\.0)?:(\d+)$/, `${LOOPBACK}:$2`)
            : Array.isArray(v)
              ? v.map(walk)
              : typeof v === "object" && v !== null
                ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]))
                : v;
    return yaml.dump(walk(yaml.load(text)));
}

export interface JaegerStartOptions {
    /** Changes the rendered container before it runs (negative control: a pod that would not listen on a port). */
    readonly container?: (c: any) => any;
    /** Changes the rendered v2 config file (parsed YAML) before it runs (negative control: a receiver left out). */
    readonly config?: (config: any) => any;
}

export class Jaeger {
    private constructor(
        readonly line: "v1" | "v2",
        readonly image: string,
        private readonly proc: ChildProcess,
        private readonly dir: string,
        readonly queryUrl: string,
    ) {}

    /**
     * Starts the Jaeger pod behind the collector Service the mesh's tracing provider targets. Its pod is
     * added to `loopback` (the stack's Services must already be there).
     */
    static async start(objects: StackObjects, loopback: Loopback, collectorHost: string, queryHost: string, opts: JaegerStartOptions = {}): Promise<Jaeger> {
        const [svcName, namespace] = collectorHost.split(".");
        const deployment: K8sObject = objects.deploymentSelectedBy(svcName, namespace);
        const rendered = deployment.spec.template.spec.containers[0];
        const c = opts.container?.(structuredClone(rendered)) ?? rendered;
        const image: string = c.image;
        const line = image.includes("/all-in-one:") ? "v1" : "v2";
        const env: Record<string, string> = {};
        for (const e of c.env ?? []) {
            if (e.value === undefined) {
                throw new Error(`Jaeger env ${e.name} comes from ${JSON.stringify(e.valueFrom)}; only literal values can be replayed here`);
            }
            env[e.name] = String(e.value);
        }
        const args: string[] = [...(c.command ?? []).slice(1), ...(c.args ?? [])].map(String);
        // The pod's ports: what the container declares and what the stack's Services target on it, same numbers on loopback.
        const labels: Record<string, string> = deployment.spec.template.metadata.labels;
        const selecting = objects.clusterIpServices().filter((s) => s.namespace === namespace && Object.keys(s.selector).length > 0 && Object.entries(s.selector).every(([k, v]) => labels[k] === v));
        // Our Services (the chart's own, e.g. jaeger 4.x's `jaeger` with ports v2 no longer serves, are not the stack's path).
        const targeted = selecting.filter((s) => s.labels["app.kubernetes.io/managed-by"] !== "Helm");
        const ports = [...(c.ports ?? []).map((p: any) => ({ port: Number(p.containerPort), name: p.name }))];
        for (const s of selecting) {
            for (const p of s.ports) {
                if (typeof p.targetPort === "number" && !ports.some((x) => x.port === p.targetPort)) {
                    ports.push({ port: p.targetPort, name: undefined });
                }
            }
        }
        await loopback.addPod(deployment.metadata.name, namespace, labels, ports, true);

        const dir = fs.mkdtempSync(path.join(os.tmpdir(), `jaeger-${line}-`));
        let binary: string;
        // Ready as the kubelet would see it: the rendered container's readiness probe (the v1 admin port, the v2 health check).
        const probe = (c.readinessProbe ?? c.livenessProbe)?.httpGet;
        if (probe === undefined) {
            throw new Error(`the rendered Jaeger container has no HTTP readiness or liveness probe to wait for`);
        }
        const health = `http://${LOOPBACK}:${probe.port}${probe.path ?? "/"}`;
        if (line === "v1") {
            binary = path.join(toolsBin(), "jaeger-all-in-one");
            for (const l of V1_LISTENERS) {
                const value = v1Setting(l.flag, args, env) ?? l.fallback;
                const port = /:(\d+)$/.exec(value)?.[1];
                if (port !== undefined) {
                    args.push(`--${l.flag}=${LOOPBACK}:${port}`);
                }
            }
        } else {
            binary = path.join(toolsBin(), "jaeger");
            const i = args.indexOf("--config");
            if (i >= 0) {
                const text = objects.mountedFile(deployment, c, args[i + 1]);
                if (text === undefined) {
                    throw new Error(`Jaeger's --config ${args[i + 1]} is not mounted from a rendered ConfigMap`);
                }
                const config = (opts.config ?? ((x: any) => x))(yaml.load(text));
                // The query extension listens on its defaults ":16686"/":16685" (all interfaces) unless the config
                // names endpoints (the extension's default config is cmd/query/app/flags.go `DefaultQueryOptions`,
                // ports.QueryHTTP/QueryGRPC, at jaegertracing/jaeger v1.75.0 = v2.12.0): pin them to loopback.
                const query = config.extensions?.jaeger_query;
                if (query !== undefined) {
                    query.http = { ...query.http, endpoint: query.http?.endpoint ?? ":16686" };
                    query.grpc = { ...query.grpc, endpoint: query.grpc?.endpoint ?? ":16685" };
                }
                args[i + 1] = path.join(dir, "config.yaml");
                fs.writeFileSync(args[i + 1], loopbackConfig(yaml.dump(config)));
            } else {
                // The built-in all-in-one configuration: the image sets JAEGER_LISTEN_HOST=0.0.0.0 (cmd/jaeger/Dockerfile)
                // for its listeners; the query extension defaults to ":16686"/":16685".
                env.JAEGER_LISTEN_HOST = LOOPBACK;
                args.push(`--set=extensions.jaeger_query.http.endpoint=${LOOPBACK}:16686`, `--set=extensions.jaeger_query.grpc.endpoint=${LOOPBACK}:16685`);
            }
        }
        const log = fs.openSync(path.join(dir, "jaeger.log"), "w");
        const proc = spawn(binary, args, { env: { PATH: process.env.PATH ?? "", HOME: dir, ...env }, stdio: ["ignore", log, log] });
        fs.closeSync(log);
        // The query API: the HTTP port of the query Service (the one Kiali's rendered config names).
        const [qName, qNamespace] = queryHost.split(".");
        const queryPort = objects.get("Service", qName, qNamespace).spec.ports.find((p: any) => (p.name ?? "").startsWith("http"));
        if (queryPort === undefined) {
            throw new Error(`Service ${queryHost} has no http port for Jaeger's query API`);
        }
        const j = new Jaeger(line, image, proc, dir, `http://${LOOPBACK}:${loopback.resolve(queryHost, Number(queryPort.port))}`);
        try {
            await j.waitReady(health);
            // A port a Service targets but the process does not listen on: spans (or queries) sent there are lost.
            for (const s of targeted) {
                for (const p of s.ports) {
                    if (!(await listening(loopback.target(`${s.name}.${s.namespace}`, p.port)))) {
                        throw new Error(
                            `Service ${s.namespace}/${s.name} port ${p.port}${p.name ? ` (${p.name})` : ""} targets port ${p.targetPort} of the Jaeger pod (${image}), which does not listen on it with the rendered args ${JSON.stringify(rendered.args ?? [])} and env ${JSON.stringify(rendered.env ?? [])}`,
                        );
                    }
                }
            }
        } catch (e) {
            await j.stop();
            throw e;
        }
        return j;
    }

    private async waitReady(health: string): Promise<void> {
        const deadline = Date.now() + 30_000;
        while (Date.now() < deadline) {
            if (this.proc.exitCode !== null) {
                throw new Error(`Jaeger ${this.line} exited with ${this.proc.exitCode}:\n${this.log()}`);
            }
            try {
                if ((await fetch(health)).ok && (await fetch(`${this.queryUrl}/api/services`)).ok) {
                    return;
                }
            } catch {
                // not listening yet
            }
            await new Promise((r) => setTimeout(r, 200));
        }
        throw new Error(`Jaeger ${this.line} did not become ready in 30 s:\n${this.log()}`);
    }

    log(): string {
        return fs.readFileSync(path.join(this.dir, "jaeger.log"), "utf8").slice(-3000);
    }

    async stop(): Promise<void> {
        await stopProcess(this.proc);
        fs.rmSync(this.dir, { recursive: true, force: true });
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

    /** `/api/traces/{id}`: spans with their service, kind and tags, ids normalised to 32/16 hex digits. */
    async trace(traceId: string): Promise<QueriedSpan[]> {
        const body = await this.get(`/api/traces/${traceId}`);
        return (body.data ?? []).flatMap((t: any) =>
            t.spans.map((s: any) => {
                const tags: Record<string, string> = Object.fromEntries((s.tags ?? []).map((x: any) => [x.key, String(x.value)]));
                return {
                    traceId: normTrace(s.traceID),
                    spanId: normSpan(s.spanID),
                    parentId: (s.references ?? []).filter((r: any) => r.refType === "CHILD_OF").map((r: any) => normSpan(r.spanID))[0],
                    operation: s.operationName,
                    service: t.processes[s.processID].serviceName,
                    kind: tags["span.kind"],
                    tags,
                };
            }),
        );
    }

    /** Trace ids of a service whose spans carry `pathName` in their `http.url` tag (`/api/traces` search, last hour). */
    async search(service: string, pathName: string): Promise<string[]> {
        const body = await this.get(`/api/traces?service=${encodeURIComponent(service)}&limit=500&lookback=1h`);
        return (body.data ?? [])
            .filter((t: any) => t.spans.some((x: any) => (x.tags ?? []).some((tag: any) => tag.key === "http.url" && String(tag.value).endsWith(pathName))))
            .map((t: any) => normTrace(t.traceID));
    }

    async services(): Promise<string[]> {
        // Without Jaeger's own traces (v1 reports `jaeger-all-in-one`, v2 `jaeger`).
        return ((await this.get("/api/services")).data ?? []).filter((s: string) => !s.startsWith("jaeger")).sort();
    }

    /** Dependency edges between different services (Jaeger v2's memory store also reports calls inside one service). */
    async serviceEdges(): Promise<Edge[]> {
        const body = await this.get(`/api/dependencies?endTs=${Date.now() + 60_000}&lookback=3600000`);
        return (body.data ?? [])
            .filter((d: any) => d.parent !== d.child)
            .map((d: any) => ({ parent: d.parent, child: d.child, callCount: d.callCount }))
            .sort((a: Edge, b: Edge) => `${a.parent}>${a.child}`.localeCompare(`${b.parent}>${b.child}`));
    }

    /**
     * The Monitor tab's query (`/api/metrics/calls` or `/latencies`, the 95th percentile) for a service's server spans
     * over the last 5 minutes, rates per minute in 5 s steps, as the UI asks it (jaegertracing/jaeger v1.75.0
     * cmd/query/app/http_handler.go, query_parser.go). Each series: its labels and the values of its points; HTTP 501
     * when the query has no metrics storage.
     */
    async metrics(kind: "calls" | "latencies", service: string): Promise<{ status: number; series: { labels: Record<string, string>; values: number[] }[] }> {
        const params = new URLSearchParams({ service, endTs: String(Date.now()), lookback: "300000", step: "5000", ratePer: "60000", spanKind: "server" });
        if (kind === "latencies") {
            params.set("quantile", "0.95");
        }
        const res = await fetch(`${this.queryUrl}/api/metrics/${kind}?${params.toString()}`);
        if (!res.ok) {
            return { status: res.status, series: [] };
        }
        const body = (await res.json()) as { metrics?: { labels?: { name: string; value: string }[]; metricPoints?: { gaugeValue?: { doubleValue?: number } }[] }[] };
        return {
            status: res.status,
            series: (body.metrics ?? []).map((m) => ({
                labels: Object.fromEntries((m.labels ?? []).map((l) => [l.name, l.value])),
                values: (m.metricPoints ?? []).map((p) => p.gaugeValue?.doubleValue ?? Number.NaN),
            })),
        };
    }

    /** Polls until `check` passes (Jaeger ingests asynchronously, proxies report in batches); returns the last value. */
    async until<T>(read: () => Promise<T>, check: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
        const deadline = Date.now() + timeoutMs;
        let v = await read();
        while (!check(v) && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 150));
            v = await read();
        }
        return v;
    }
}

export interface Edge {
    readonly parent: string;
    readonly child: string;
    readonly callCount: number;
}

export interface QueriedSpan {
    readonly traceId: string;
    readonly spanId: string;
    readonly parentId?: string;
    readonly operation: string;
    readonly service: string;
    readonly kind?: string;
    readonly tags: Readonly<Record<string, string>>;
}

/** Jaeger prints ids without leading zeros; compare them padded. */
function normTrace(id: string): string {
    return id.toLowerCase().padStart(32, "0");
}

export function normSpan(id: string): string {
    return id.toLowerCase().padStart(16, "0");
}
