/**
 * Protocol-level emulation of the two Envoy hops (Envoy cannot run on this machine): the ingress
 * gateway and the app's sidecar. Each reports a Zipkin v2 span with B3 ids to the Zipkin endpoint
 * the mesh's `jaeger` provider targets, the way Envoy's Zipkin tracer does, and forwards the request
 * with the `x-b3-*` headers. These are test emulations, not Envoy.
 */
import { randomBytes } from "crypto";
import * as http from "http";

export interface ZipkinSpan {
    traceId: string;
    id: string;
    parentId?: string;
    name: string;
    kind: "SERVER" | "CLIENT";
    timestamp: number;
    duration: number;
    localEndpoint: { serviceName: string };
    tags: Record<string, string>;
}

/** A new 128-bit trace id (Istio's zipkin provider default) or 64-bit span id, lower-case hex. */
export function newId(bytes: 8 | 16): string {
    return randomBytes(bytes).toString("hex");
}

/** Reports spans to a Zipkin v2 endpoint; failures are counted, never thrown (as Envoy drops them). */
export class ZipkinReporter {
    sent = 0;
    failed = 0;
    constructor(readonly endpoint: string) {}

    async report(spans: ZipkinSpan[]): Promise<void> {
        try {
            const res = await fetch(this.endpoint, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(spans), signal: AbortSignal.timeout(2000) });
            if (res.status >= 300) {
                throw new Error(`HTTP ${res.status}`);
            }
            this.sent += spans.length;
        } catch {
            this.failed += spans.length;
        }
    }
}

export interface Hop {
    readonly port: number;
    close(): Promise<void>;
}

/**
 * One Envoy hop: receives a request, continues the B3 context it carries (or starts a trace when
 * there is none, as the gateway does), forwards to `upstream` with its own span id as
 * `x-b3-spanid`, and reports its span as `serviceName`.
 */
export function startHop(serviceName: string, upstream: string, reporter: ZipkinReporter): Promise<Hop> {
    const server = http.createServer((req, res) => {
        const start = Date.now() * 1000;
        const traceId = (req.headers["x-b3-traceid"] as string | undefined) ?? newId(16);
        const parentId = req.headers["x-b3-spanid"] as string | undefined;
        const id = newId(8);
        const headers: Record<string, string> = { "x-b3-traceid": traceId, "x-b3-spanid": id, "x-b3-sampled": "1" };
        if (parentId !== undefined) {
            headers["x-b3-parentspanid"] = parentId;
        }
        const requestId = req.headers["x-request-id"];
        if (typeof requestId === "string") {
            headers["x-request-id"] = requestId;
        }
        const out = http.request(`${upstream}${req.url}`, { method: req.method, headers }, (up) => {
            const chunks: Buffer[] = [];
            up.on("data", (c: Buffer) => chunks.push(c));
            up.on("end", () => {
                res.writeHead(up.statusCode ?? 502, { "content-type": up.headers["content-type"] ?? "text/plain", "x-b3-traceid": traceId }).end(Buffer.concat(chunks));
                const span: ZipkinSpan = {
                    traceId,
                    id,
                    ...(parentId !== undefined ? { parentId } : {}),
                    name: `${req.headers.host ?? "auth-api"}${req.url}`,
                    kind: "SERVER",
                    timestamp: start,
                    duration: Math.max(1, Date.now() * 1000 - start),
                    localEndpoint: { serviceName },
                    tags: { "http.method": req.method ?? "GET", "http.url": req.url ?? "/", "http.status_code": String(up.statusCode ?? 0), component: "proxy", "emulated.envoy": "true" },
                };
                void reporter.report([span]);
            });
        });
        out.on("error", (e) => res.writeHead(502).end(e.message));
        out.end();
    });
    return new Promise((resolve) =>
        server.listen(0, "127.0.0.1", () =>
            resolve({ port: (server.address() as { port: number }).port, close: () => new Promise<void>((r) => server.close(() => r())) }),
        ),
    );
}
