/**
 * Tracing conformance with a real Jaeger, for both Jaeger lines: a request through the (emulated)
 * ingress gateway, the (emulated) sidecar and the real app shows up as one trace with the right
 * parent chain, Jaeger draws gateway -> sidecar -> app, and the app's log line carries the trace id.
 * The negative controls bring back the reference deployment's incidents.
 */
import * as assert from "assert";
import { JaegerLine, QueriedSpan, normSpan, normTrace } from "./jaeger";
import { SERVICES, Scenario } from "./scenario";

const LINES: { line: JaegerLine; title: string }[] = [
    { line: "v1", title: "Jaeger v1 1.53.0 (chart 3.4.1 line)" },
    { line: "v2", title: "Jaeger v2 (chart 4.x line)" },
];

/** Runs `count` requests, `concurrency` at a time. */
async function load(s: Scenario, count: number, concurrency: number, prefix: string) {
    const out = [];
    for (let i = 0; i < count; i += concurrency) {
        out.push(...(await Promise.all(Array.from({ length: Math.min(concurrency, count - i) }, (_, k) => s.request(`/login?i=${i + k}`, `${prefix}-${i + k}`)))));
    }
    return out;
}

function byService(spans: QueriedSpan[], service: string): QueriedSpan[] {
    return spans.filter((s) => s.service === service);
}

for (const { line, title } of LINES) {
    describe(`tracing conformance, ${title}`, function () {
        this.timeout(120_000);

        describe("with the stack's configuration", () => {
            let s: Scenario;
            before(async () => {
                s = await Scenario.start(line);
            });
            after(async () => {
                await s?.stop();
            });

            it("shows one request as one trace across gateway, sidecar and app, with the right parent chain", async () => {
                const r = await s.request("/login", "one-request");
                assert.strictEqual(r.status, 200);
                assert.strictEqual(normTrace(r.appTraceId), normTrace(r.gatewayTraceId), "the app continued the gateway's trace");
                await s.flush();
                const spans = await s.jaeger.until(
                    () => s.jaeger.trace(r.gatewayTraceId),
                    (v) => v.length >= 5,
                );
                assert.deepStrictEqual(spans.map((x) => x.traceId).filter((t, i, a) => a.indexOf(t) === i), [normTrace(r.gatewayTraceId)]);
                assert.deepStrictEqual(spans.map((x) => x.service).sort(), [SERVICES.app, SERVICES.app, SERVICES.app, SERVICES.sidecar, SERVICES.gateway].sort());
                const [gw] = byService(spans, SERVICES.gateway);
                const [sc] = byService(spans, SERVICES.sidecar);
                const app = byService(spans, SERVICES.app);
                const server = app.find((x) => x.operation === "GET /login") as QueriedSpan;
                assert.strictEqual(gw.parentId, undefined, "the gateway span is the root");
                assert.strictEqual(sc.parentId, gw.spanId, "sidecar span is a child of the gateway span");
                assert.strictEqual(server.parentId, sc.spanId, "the app's server span is a child of the sidecar span");
                assert.deepStrictEqual(
                    app.filter((x) => x !== server).map((x) => [x.operation, x.parentId]).sort(),
                    [
                        ["cache GET session", server.spanId],
                        ["db SELECT users", server.spanId],
                    ],
                );
                assert.deepStrictEqual(await s.jaeger.services(), [SERVICES.app, SERVICES.sidecar, SERVICES.gateway].sort());
            });

            it("writes the trace id Jaeger shows into the app's JSON log line for the request", async () => {
                const r = await s.request("/profile", "log-correlation");
                await s.flush();
                const spans = await s.jaeger.until(
                    () => s.jaeger.trace(r.gatewayTraceId),
                    (v) => v.length >= 5,
                );
                const line = s.logLines.find((l) => l["request.id"] === "log-correlation");
                assert.ok(line !== undefined, "the app logged the request");
                assert.strictEqual(normTrace(String(line["trace.id"])), spans[0].traceId);
                const server = spans.find((x) => x.service === SERVICES.app && x.operation === "GET /profile") as QueriedSpan;
                assert.strictEqual(normSpan(String(line["span.id"])), server.spanId);
                assert.strictEqual(line["service.name"], SERVICES.app);
                assert.strictEqual(line["url.path"], "/profile");
            });

            it("draws the dependency edges gateway -> sidecar -> app with their call counts under concurrency", async () => {
                const before = await s.jaeger.serviceEdges();
                const count = (deps: typeof before, parent: string, child: string) => deps.find((d) => d.parent === parent && d.child === child)?.callCount ?? 0;
                const responses = await load(s, 60, 12, "load");
                assert.ok(responses.every((r) => r.status === 200 && normTrace(r.appTraceId) === normTrace(r.gatewayTraceId)));
                assert.strictEqual(new Set(responses.map((r) => r.gatewayTraceId)).size, 60, "one trace per request");
                await s.flush();
                const expected = (deps: typeof before) => [count(deps, SERVICES.gateway, SERVICES.sidecar) - count(before, SERVICES.gateway, SERVICES.sidecar), count(deps, SERVICES.sidecar, SERVICES.app) - count(before, SERVICES.sidecar, SERVICES.app)];
                const deps = await s.jaeger.until(
                    () => s.jaeger.serviceEdges(),
                    (d) => expected(d)[0] >= 60 && expected(d)[1] >= 60,
                );
                assert.deepStrictEqual(expected(deps), [60, 60]);
                assert.deepStrictEqual(
                    deps.map((d) => `${d.parent} -> ${d.child}`),
                    [`${SERVICES.sidecar} -> ${SERVICES.app}`, `${SERVICES.gateway} -> ${SERVICES.sidecar}`].sort(),
                );
                assert.strictEqual(s.reporter.failed, 0);
                for (const r of responses.slice(0, 5)) {
                    assert.strictEqual((await s.jaeger.trace(r.gatewayTraceId)).length, 5, `trace ${r.gatewayTraceId} is complete`);
                }
            });
        });

        describe("negative controls (the reference deployment's incidents)", () => {
            it("without a B3 propagator the app starts its own trace: separate trace ids", async () => {
                const s = await Scenario.start(line, { propagators: "tracecontext,baggage" });
                try {
                    const r = await s.request("/login", "no-b3");
                    await s.flush();
                    assert.notStrictEqual(normTrace(r.appTraceId), normTrace(r.gatewayTraceId), "the app did not see the B3 context");
                    const proxyTrace = await s.jaeger.until(
                        () => s.jaeger.trace(r.gatewayTraceId),
                        (v) => v.length >= 2,
                    );
                    const appTrace = await s.jaeger.until(
                        () => s.jaeger.trace(r.appTraceId),
                        (v) => v.length >= 3,
                    );
                    assert.deepStrictEqual(proxyTrace.map((x) => x.service).sort(), [SERVICES.sidecar, SERVICES.gateway].sort());
                    assert.deepStrictEqual(appTrace.map((x) => x.service), [SERVICES.app, SERVICES.app, SERVICES.app]);
                    assert.strictEqual(appTrace.find((x) => x.operation === "GET /login")?.parentId, undefined, "the app span is a root");
                    const deps = await s.jaeger.serviceEdges();
                    assert.deepStrictEqual(deps.map((d) => `${d.parent} -> ${d.child}`), [`${SERVICES.gateway} -> ${SERVICES.sidecar}`], "no edge reaches the app");
                } finally {
                    await s.stop();
                }
            });

            it("with the Zipkin port unreachable the app's spans arrive but no gateway or sidecar spans and no edges", async () => {
                // As with an egress NetworkPolicy that allows 4317/4318 but not 9411: the proxies' reports never arrive.
                const s = await Scenario.start(line, { zipkinEndpoint: "http://127.0.0.1:9/api/v2/spans" });
                try {
                    const responses = await load(s, 10, 5, "no-zipkin");
                    await s.flush();
                    const appTrace = await s.jaeger.until(
                        () => s.jaeger.trace(responses[0].appTraceId),
                        (v) => v.length >= 3,
                    );
                    assert.deepStrictEqual(appTrace.map((x) => x.service), [SERVICES.app, SERVICES.app, SERVICES.app]);
                    assert.strictEqual(normTrace(responses[0].appTraceId), normTrace(responses[0].gatewayTraceId), "context still propagated");
                    assert.strictEqual(s.reporter.sent, 0);
                    assert.strictEqual(s.reporter.failed, 20);
                    assert.deepStrictEqual(await s.jaeger.services(), [SERVICES.app]);
                    assert.deepStrictEqual(await s.jaeger.serviceEdges(), [], "No service dependencies found");
                } finally {
                    await s.stop();
                }
            });
        });
    });
}
