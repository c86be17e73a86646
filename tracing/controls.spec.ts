/**
 * Negative controls with the real parts, on both Jaeger lines with the zipkin provider propagating B3 only (the
 * reference deployment's path): each brings back one of its incidents and must fail the way it did.
 */
import * as assert from "assert";
import { STALE_TRACE_ID_OPERATOR } from "../lib/constants";
import { PYTHON_LOCK_WITHOUT_B3 } from "./apps";
import { DENY_TOKEN } from "./extAuthz";
import { Jaeger, JaegerStartOptions } from "./jaeger";
import { Loopback } from "./loopback";
import { VARIANTS, Rendered, render, variantTitle } from "./render";
import { APPS, Scenario } from "./scenario";
import { clientContext, load, loggedTraceId, services, traceWith, uniquePath } from "./traces";

const [NODE_APP, PYTHON_APP] = APPS;

/** Jaeger's dependency graph holds the one edge gateway -> sidecar: the app, in a trace of its own, has no edge. */
async function onlyProxyEdge(s: Scenario, names: { gateway: string; sidecar: string }): Promise<void> {
    const edges = await s.jaeger.until(
        () => s.jaeger.serviceEdges(),
        (e) => e.length > 0,
    );
    assert.deepStrictEqual(
        edges.map((e) => `${e.parent} -> ${e.child}`),
        [`${names.gateway} -> ${names.sidecar}`],
    );
}

for (const variant of VARIANTS.filter((v) => v.provider === "zipkin" && v.propagation === "b3")) {
    describe(`negative controls: ${variantTitle(variant)}`, function () {
        this.timeout(180_000);
        let rendered: Rendered;
        before(async function () {
            this.timeout(900_000);
            rendered = await render(variant);
        });

        /** Runs `body` on a scenario of its own and always stops it. */
        async function withScenario(opts: Parameters<typeof Scenario.start>[1], body: (s: Scenario) => Promise<void>): Promise<void> {
            const s = await Scenario.start(rendered, opts);
            try {
                await body(s);
            } finally {
                await s.stop();
            }
        }

        it("a Node.js app without a B3 propagator starts its own trace: two traces, no edge to the app", () =>
            withScenario({ apps: [NODE_APP], envOverrides: { OTEL_PROPAGATORS: "tracecontext,baggage" } }, async (s) => {
                const names = services(s, NODE_APP);
                const p = uniquePath("login");
                const r = await s.request(NODE_APP.domain, p);
                const proxyTrace = await loggedTraceId(s, p);
                const appTrace = JSON.parse(r.body).traceId as string;
                assert.notStrictEqual(appTrace, proxyTrace, "the app did not read the B3 headers");
                await s.flushApps();
                const proxies = await traceWith(s, proxyTrace, [names.gateway, names.sidecar]);
                const own = await traceWith(s, appTrace, [names.app]);
                assert.ok(proxies.every((x) => x.service !== names.app));
                assert.ok(own.every((x) => x.service === names.app));
                assert.strictEqual(own.find((x) => x.kind === "server")?.parentId, undefined, "the app's span is a root");
                await onlyProxyEdge(s, names);
            }));

        it("a W3C-only Node.js app (OTEL_PROPAGATORS=tracecontext) behind B3-only proxies: a client's traceparent is not continued by the gateway but passes through to the app, which joins the client's trace instead of the mesh's; without a client context the app starts its own", () =>
            withScenario({ apps: [NODE_APP], envOverrides: { OTEL_PROPAGATORS: "tracecontext" } }, async (s) => {
                const names = services(s, NODE_APP);
                const client = clientContext("w3c");
                const p = uniquePath("login");
                const r = await s.request(NODE_APP.domain, p, client.headers);
                assert.strictEqual(r.status, 200, r.body);
                const proxyTrace = await loggedTraceId(s, p);
                assert.notStrictEqual(proxyTrace, client.traceId, "the gateway did not continue the client's traceparent");
                assert.strictEqual(JSON.parse(r.body).traceId, client.traceId, "the app continued the client's traceparent, passed through unchanged");
                const bare = uniquePath("login");
                const own = JSON.parse((await s.request(NODE_APP.domain, bare)).body).traceId as string;
                assert.notStrictEqual(own, await loggedTraceId(s, bare), "without a client context the app did not join the mesh's trace");
                await s.flushApps();
                const proxies = await traceWith(s, proxyTrace, [names.gateway, names.sidecar]);
                assert.ok(
                    proxies.every((x) => x.service !== names.app),
                    "no app span in the proxies' trace",
                );
                assert.deepStrictEqual(
                    proxies.filter((x) => x.parentId === undefined).map((x) => x.service),
                    [names.gateway],
                    "the proxies' trace starts at the gateway, not below the client",
                );
                const clients = await traceWith(s, client.traceId, [names.app], undefined, client.spanId);
                assert.ok(clients.every((x) => x.service === names.app));
                assert.strictEqual(clients.find((x) => x.kind === "server")?.parentId, client.spanId, "the app's span hangs below the client's span, skipping gateway and sidecar");
                const ownSpans = await traceWith(s, own, [names.app]);
                assert.strictEqual(ownSpans.find((x) => x.kind === "server")?.parentId, undefined, "the app's span is a root");
                await onlyProxyEdge(s, names);
            }));

        it("the Python app without opentelemetry-propagator-b3 installed, given the stack's OTEL_PROPAGATORS (b3 first), runs uninstrumented: no app spans, a zero trace id in its log", () =>
            withScenario({ apps: [PYTHON_APP], pythonLock: PYTHON_LOCK_WITHOUT_B3 }, async (s) => {
                const names = services(s, PYTHON_APP);
                const app = s.apps.get(PYTHON_APP.name)!;
                const p = uniquePath("login");
                assert.strictEqual((await s.request(PYTHON_APP.domain, p)).status, 200);
                const proxyTrace = await loggedTraceId(s, p);
                // opentelemetry-instrument's sitecustomize resolves OTEL_PROPAGATORS at import; `site` prints the error and goes on.
                assert.match(app.stderr, /Error in sitecustomize[^]*ValueError: Propagator b3 not found\. It is either misspelled or not installed\./);
                assert.deepStrictEqual(
                    app.logLines.filter((l) => l["url.path"] === p).map((l) => l["trace.id"]),
                    ["0".repeat(32)],
                    "the log line carries no trace id",
                );
                await s.flushApps();
                const proxies = await traceWith(s, proxyTrace, [names.gateway, names.sidecar]);
                assert.ok(
                    proxies.every((x) => x.service !== names.app),
                    "no app span in the proxies' trace",
                );
                await new Promise((r) => setTimeout(r, 1000));
                assert.deepStrictEqual(await s.jaeger.services(), [names.sidecar, names.gateway].sort(), "the app reports no spans at all");
            }));

        it("the Python app without opentelemetry-propagator-b3 installed, with the SDK's default propagators (tracecontext,baggage), starts its own trace: two traces, no edge to the app", () =>
            withScenario({ apps: [PYTHON_APP], pythonLock: PYTHON_LOCK_WITHOUT_B3, envOverrides: { OTEL_PROPAGATORS: undefined } }, async (s) => {
                const names = services(s, PYTHON_APP);
                const p = uniquePath("login");
                const r = await s.request(PYTHON_APP.domain, p);
                const proxyTrace = await loggedTraceId(s, p);
                const appTrace = JSON.parse(r.body).traceId as string;
                assert.match(appTrace, /^[0-9a-f]{32}$/);
                assert.notStrictEqual(appTrace, "0".repeat(32));
                assert.notStrictEqual(appTrace, proxyTrace, "the app did not read the B3 headers");
                await s.flushApps();
                await traceWith(s, proxyTrace, [names.gateway, names.sidecar]);
                const own = await traceWith(s, appTrace, [names.app]);
                assert.ok(own.every((x) => x.service === names.app));
                assert.strictEqual(own.find((x) => x.kind === "server")?.parentId, undefined, "the app's span is a root");
                assert.deepStrictEqual(
                    (await s.jaeger.serviceEdges()).map((e) => `${e.parent} -> ${e.child}`),
                    [`${names.gateway} -> ${names.sidecar}`],
                );
            }));

        it("with the collector's Zipkin port unreachable from the proxies, only the apps' spans arrive and Jaeger has no dependency edges", () =>
            withScenario({ blockProxyCollector: true }, async (s) => {
                for (const app of APPS) {
                    assert.deepStrictEqual(
                        (await load(10, 5, () => s.request(app.domain, uniquePath("login")))).map((r) => r.status),
                        Array(10).fill(200),
                    );
                }
                await s.flushApps();
                const apps = APPS.map((a) => a.name).sort();
                await s.jaeger.until(
                    () => s.jaeger.services(),
                    (names) => apps.every((a) => names.includes(a)),
                );
                await new Promise((r) => setTimeout(r, 1500)); // several report intervals of the proxies
                assert.deepStrictEqual(await s.jaeger.services(), apps, "no gateway or sidecar spans");
                assert.deepStrictEqual(await s.jaeger.serviceEdges(), [], "No service dependencies found");
                const stats = await s.gateway.stats("cx_connect_fail");
                const collector = Object.entries(stats).find(([k]) => k.includes(`outbound|${rendered.objects.telemetry().tracing.port}||`));
                assert.ok(collector !== undefined && collector[1] > 0, `the gateway failed to connect to the collector: ${JSON.stringify(stats)}`);
            }));

        it(`an access-log format with ${STALE_TRACE_ID_OPERATOR} logs an empty trace id for requests that never reach an app, when the client sent no B3 header`, () =>
            withScenario({ apps: [NODE_APP], accessLogLabels: (labels) => ({ ...labels, "trace.id": STALE_TRACE_ID_OPERATOR }) }, async (s) => {
                const names = services(s, NODE_APP);
                for (const [domain, headers, status] of [
                    ["unrouted.example.test", {}, 404],
                    [NODE_APP.domain, { authorization: DENY_TOKEN }, 403],
                ] as const) {
                    const p = uniquePath("stale");
                    assert.strictEqual((await s.request(domain, p, headers)).status, status);
                    const line = await s.gatewayLog(p);
                    assert.ok(line["trace.id"] === null || line["trace.id"] === "" || line["trace.id"] === "-", `trace.id is empty: ${JSON.stringify(line)}`);
                    // The request was traced all the same: its span is in Jaeger, but nothing in the log leads to it.
                    const found = await s.jaeger.until(
                        () => s.jaeger.search(names.gateway, p),
                        (t) => t.length > 0,
                    );
                    assert.strictEqual(found.length, 1);
                }
            }));

        it("fails, naming the Service and the port, when the rendered Jaeger pod would not listen on a port a Service targets", async () => {
            const lb = new Loopback();
            rendered.objects.clusterIpServices().forEach((svc) => lb.addService(svc));
            const { service, port } = rendered.objects.telemetry().tracing;
            const [name, namespace] = service.split(".");
            const portName = rendered.objects.get("Service", name, namespace).spec.ports.find((x: any) => x.port === port).name;
            // The Zipkin receiver is off unless the chart values turn it on: v1 through COLLECTOR_ZIPKIN_HOST_PORT,
            // v2 through a `zipkin` receiver in the traces pipeline of the program's config.
            const options: JaegerStartOptions =
                variant.line === "v1"
                    ? { container: (c: any) => ({ ...c, env: c.env.filter((e: any) => e.name !== "COLLECTOR_ZIPKIN_HOST_PORT") }) }
                    : {
                          config: (config: any) => {
                              delete config.receivers.zipkin;
                              config.service.pipelines.traces.receivers = config.service.pipelines.traces.receivers.filter((r: string) => r !== "zipkin");
                              return config;
                          },
                      };
            await assert.rejects(Jaeger.start(rendered.objects, lb, service, rendered.objects.queryHost(), options), (e: Error) => {
                assert.ok(e.message.startsWith(`Service ${namespace}/${name} port ${port} (${portName}) targets port ${port} of the Jaeger pod`), e.message);
                return true;
            });
        });
    });
}
