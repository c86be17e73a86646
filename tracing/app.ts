/**
 * The Node.js app hop: a real HTTP server instrumented with the OpenTelemetry SDK, configured only
 * from the environment the stack exports (stack output `appTracingEnvironment`, lib/appTracing.ts):
 * service name, OTLP exporter and endpoint, propagators (they follow the mesh's tracing provider). It continues the trace the sidecar forwards, makes its own
 * server span and two child spans (a database and a cache call), exports, and writes one JSON log
 * line per request with the trace context taken from the OpenTelemetry API.
 *
 * Run as its own process (tracing/apps.ts): `ts-node tracing/app.ts` with PORT set; listens on 127.0.0.1.
 */
import { NodeSDK } from "@opentelemetry/sdk-node";
import { SpanKind, context, propagation, trace } from "@opentelemetry/api";
import * as http from "http";

const sdk = new NodeSDK(); // everything from OTEL_* environment variables
sdk.start();
const tracer = trace.getTracer("auth-api");
const serviceName = process.env.OTEL_SERVICE_NAME ?? "unknown";

function pause(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.url === "/__flush") {
        await (trace.getTracerProvider() as unknown as { getDelegate(): { forceFlush(): Promise<void> } }).getDelegate().forceFlush();
        res.writeHead(204).end();
        return;
    }
    const parent = propagation.extract(context.active(), req.headers);
    await tracer.startActiveSpan(`${req.method} ${req.url}`, { kind: SpanKind.SERVER, attributes: { "http.route": req.url ?? "/" } }, parent, async (span) => {
        await tracer.startActiveSpan("db SELECT users", { kind: SpanKind.CLIENT, attributes: { "db.system": "postgresql" } }, async (db) => {
            await pause(2);
            db.end();
        });
        await tracer.startActiveSpan("cache GET session", { kind: SpanKind.CLIENT, attributes: { "db.system": "redis" } }, async (cache) => {
            await pause(1);
            cache.end();
        });
        const ctx = trace.getActiveSpan()?.spanContext();
        process.stdout.write(
            `${JSON.stringify({
                "@timestamp": new Date().toISOString(),
                "trace.id": ctx?.traceId,
                "span.id": ctx?.spanId,
                "url.path": req.url,
                "service.name": serviceName,
                "request.id": req.headers["x-request-id"],
            })}\n`,
        );
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ traceId: ctx?.traceId }));
        span.end();
    });
}

const server = http.createServer((req, res) => {
    handle(req, res).catch((e: Error) => res.writeHead(500).end(e.message));
});
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
    process.stdout.write(`listening ${(server.address() as { port: number }).port}\n`);
});
process.on("SIGTERM", () => {
    server.close();
    void sdk.shutdown().finally(() => process.exit(0));
});
