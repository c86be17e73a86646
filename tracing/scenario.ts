/**
 * One request path as the stack wires it: client -> gateway (emulated Envoy) -> sidecar (emulated
 * Envoy) -> app (real Node.js + OpenTelemetry SDK), all reporting to one real Jaeger.
 */
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { appTracingEnv } from "../lib/appTracing";
import { GATEWAY_NAME, SYSTEM_NAMESPACE, meshServiceName } from "../lib/constants";
import { Jaeger, JaegerLine } from "./jaeger";
import { Hop, ZipkinReporter, startHop } from "./proxies";

export const APP = { name: "auth-api", namespace: "auth" } as const;
export const SERVICES = {
    gateway: meshServiceName(GATEWAY_NAME, SYSTEM_NAMESPACE),
    sidecar: meshServiceName(APP.name, APP.namespace),
    app: APP.name,
} as const;

export interface ScenarioOptions {
    /** Replace OTEL_PROPAGATORS (negative control: no B3 propagator). */
    readonly propagators?: string;
    /** Where the proxies send Zipkin spans (negative control: a port nothing listens on). */
    readonly zipkinEndpoint?: string;
}

export interface Response {
    readonly status: number;
    /** Trace id the gateway put on the request (returned in `x-b3-traceid`). */
    readonly gatewayTraceId: string;
    /** Trace id the app's OpenTelemetry SDK used. */
    readonly appTraceId: string;
    readonly requestId: string;
}

export class Scenario {
    private constructor(
        readonly jaeger: Jaeger,
        readonly reporter: ZipkinReporter,
        private readonly app: ChildProcess,
        private readonly appPort: number,
        private readonly hops: Hop[],
        readonly gatewayUrl: string,
        /** The app's JSON log lines, as it writes them. */
        readonly logLines: Record<string, unknown>[],
    ) {}

    static async start(line: JaegerLine, opts: ScenarioOptions = {}): Promise<Scenario> {
        const jaeger = await Jaeger.start(line);
        // The app gets exactly the environment the stack exports; only the endpoint host differs,
        // because the collector's cluster DNS name does not resolve on this machine.
        const env: Record<string, string> = Object.fromEntries(appTracingEnv(APP.name, jaeger.otlpEndpoint).map((e) => [e.name, e.value]));
        if (opts.propagators !== undefined) {
            env.OTEL_PROPAGATORS = opts.propagators;
        }
        const app = spawn(process.execPath, ["-r", "ts-node/register", path.join(__dirname, "app.ts")], {
            env: { ...process.env, ...env, PORT: "0", TS_NODE_TRANSPILE_ONLY: "true" },
            stdio: ["ignore", "pipe", "inherit"],
        });
        const logs: Record<string, unknown>[] = [];
        const port = await new Promise<number>((resolve, reject) => {
            let buf = "";
            app.stdout!.on("data", (chunk: Buffer) => {
                buf += chunk.toString();
                let nl;
                while ((nl = buf.indexOf("\n")) >= 0) {
                    const line = buf.slice(0, nl);
                    buf = buf.slice(nl + 1);
                    const m = /^listening (\d+)$/.exec(line);
                    if (m !== null) {
                        resolve(Number(m[1]));
                    } else if (line.startsWith("{")) {
                        logs.push(JSON.parse(line));
                    }
                }
            });
            app.once("exit", (code) => reject(new Error(`app exited with ${code}`)));
        });
        const reporter = new ZipkinReporter(opts.zipkinEndpoint ?? jaeger.zipkinEndpoint);
        const sidecar = await startHop(SERVICES.sidecar, `http://127.0.0.1:${port}`, reporter);
        const gateway = await startHop(SERVICES.gateway, `http://127.0.0.1:${sidecar.port}`, reporter);
        return new Scenario(jaeger, reporter, app, port, [gateway, sidecar], `http://127.0.0.1:${gateway.port}`, logs);
    }

    /** A client request through the gateway (no trace headers, as from the internet). */
    async request(pathName: string, requestId: string): Promise<Response> {
        const res = await fetch(`${this.gatewayUrl}${pathName}`, { headers: { host: `${APP.name}.${APP.namespace}.svc.cluster.local`, "x-request-id": requestId } });
        const body = (await res.json()) as { traceId: string };
        return { status: res.status, gatewayTraceId: res.headers.get("x-b3-traceid") ?? "", appTraceId: body.traceId, requestId };
    }

    /** Makes the app export now (its batch processor would wait seconds). */
    async flush(): Promise<void> {
        await fetch(`http://127.0.0.1:${this.appPort}/__flush`);
    }

    async stop(): Promise<void> {
        await Promise.all(this.hops.map((h) => h.close()));
        const exited = new Promise((r) => this.app.once("exit", r));
        this.app.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        await this.jaeger.stop();
    }
}
