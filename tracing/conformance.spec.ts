/**
 * Tracing conformance, for both Jaeger lines and both tracing providers: the stack is rendered by the
 * program through the CLI (render.ts), and a request through the real Envoy gateway, the real Envoy
 * sidecar and the app (Node.js SDK, or Python under zero-code instrumentation) is one trace in the
 * rendered Jaeger, with the parent chain, the dependency edges, the access-log and app-log trace ids,
 * and the ext-authz check carrying the same trace. With the zipkin provider's B3 and W3C propagation (Istio 1.30),
 * clients and apps that speak only W3C trace context or only B3 join that one trace too. Negative controls:
 * controls.spec.ts.
 */
import * as assert from "assert";
import { validate } from "./envoy";
import { DENY_TOKEN } from "./extAuthz";
import { normSpan } from "./jaeger";
import { VARIANTS, Rendered, render, stopRenderCluster, variantTitle } from "./render";
import { APPS, Scenario, accessLogLine } from "./scenario";
import { ZIPKIN_B3_WITH_W3C } from "../lib/constants";
import { AppSpec } from "./apps";
import { ClientContext, assertChain, assertEdgeGrowth, clientContext, loggedTraceId, services, traceWith, uniquePath } from "./traces";

after(stopRenderCluster);

for (const variant of VARIANTS) {
    const dual = variant.propagation === "b3+w3c";
    describe(`tracing conformance: ${variantTitle(variant)}`, function () {
        this.timeout(180_000);
        let rendered: Rendered;
        let s: Scenario;
        let spawns: boolean;
        before(async function () {
            this.timeout(900_000);
            rendered = await render(variant);
            s = await Scenario.start(rendered);
            spawns = rendered.objects.istioVersion().minor >= 28;
        });
        after(async () => {
            await s?.stop();
        });

        it("runs each proxy with the tracer, access log and ext-authz istiod makes of the rendered mesh config, and Envoy 1.40 validates every bootstrap", async () => {
            const telemetry = rendered.objects.telemetry();
            assert.strictEqual(telemetry.tracing.kind, variant.provider);
            assert.strictEqual(telemetry.tracing.traceContextOption, dual ? ZIPKIN_B3_WITH_W3C : undefined, "traceContextOption only for b3+w3c");
            assert.strictEqual(rendered.objects.extAuthz()?.protocol, variant.extAuthz);
            for (const b of s.bootstraps) {
                await validate(b.config);
                const text = JSON.stringify(b.config);
                assert.ok(text.includes(`"envoy.tracers.${variant.provider}"`), `${b.name} uses the ${variant.provider} tracer`);
                assert.ok(text.includes(`outbound|${telemetry.tracing.port}||${s.loopback.fqdn(telemetry.tracing.service)}`), `${b.name} reports to the provider's collector cluster`);
                assert.strictEqual(text.includes(`"trace_context_option":"${ZIPKIN_B3_WITH_W3C}"`), dual, `${b.name}: the Zipkin tracer's trace_context_option`);
            }
            assert.strictEqual(JSON.stringify(s.bootstraps.find((b) => b.name === services(s, APPS[0]).gateway)?.config).includes("envoy.filters.http.ext_authz"), true);
        });

        for (const app of APPS) {
            it(`makes one request through gateway, sidecar and the ${app.runtime} app one trace with the parent chain gateway -> sidecar -> app`, async () => {
                const names = services(s, app);
                const p = uniquePath("login");
                const r = await s.request(app.domain, p);
                assert.strictEqual(r.status, 200, r.body);
                const traceId = await loggedTraceId(s, p);
                assert.strictEqual(JSON.parse(r.body).traceId, traceId, "the app continued the trace the gateway logged");
                await s.flushApps();
                const spans = await traceWith(s, traceId, [names.gateway, names.sidecar, names.app]);
                const chain = assertChain(spans, names, spawns);
                assert.deepStrictEqual([...new Set(spans.map((x) => x.service))].sort(), [names.app, names.sidecar, names.gateway].sort());
                if (app.runtime === "node") {
                    const children = spans.filter((x) => x.parentId === chain.app.spanId).map((x) => x.operation);
                    assert.deepStrictEqual(children.sort(), ["cache GET session", "db SELECT users"]);
                }
            });

            it(`writes the trace id Jaeger shows into the gateway's and the sidecar's access logs and the ${app.runtime} app's JSON log line`, async () => {
                const names = services(s, app);
                const p = uniquePath("profile");
                assert.strictEqual((await s.request(app.domain, p)).status, 200);
                const traceId = await loggedTraceId(s, p);
                await s.flushApps();
                const chain = assertChain(await traceWith(s, traceId, [names.gateway, names.sidecar, names.app]), names, spawns);
                assert.strictEqual(chain.root.traceId, traceId.padStart(32, "0"));
                const sidecarLine = await accessLogLine(s.sidecars.get(app.name)!, s.logFields.path, p);
                assert.strictEqual(sidecarLine[s.logFields.traceId], traceId, "the sidecar logged the same trace id");
                const appLine = s.apps.get(app.name)!.logLines.find((l) => l["url.path"] === p);
                assert.ok(appLine !== undefined, "the app logged the request");
                assert.strictEqual(appLine["trace.id"], traceId);
                assert.strictEqual(normSpan(String(appLine["span.id"])), chain.app.spanId);
            });
        }

        it("draws the dependency edges gateway -> sidecar -> app with call counts for 200 requests per app at concurrency 20", async function () {
            this.timeout(300_000);
            await assertEdgeGrowth(s, APPS, 200, 20, (app) => {
                const n = services(s, app);
                return [n.gateway, n.sidecar, n.app];
            });
        });

        it("logs the trace id Jaeger shows for a request the gateway answers 404 (no route), which never reaches an app", async () => {
            const p = uniquePath("nowhere");
            const r = await s.request("unrouted.example.test", p);
            assert.strictEqual(r.status, 404);
            const traceId = await loggedTraceId(s, p);
            assert.match(traceId, /^[0-9a-f]{32}$/);
            const spans = await traceWith(s, traceId, [services(s, APPS[0]).gateway]);
            assert.ok(spans.every((x) => x.service === services(s, APPS[0]).gateway));
            assert.ok(
                spans.some((x) => x.tags["http.status_code"] === "404"),
                JSON.stringify(spans),
            );
        });

        it(`denies with 403 through the ${variant.extAuthz === "grpc" ? "gRPC" : "HTTP"} ext-authz provider: the access log, Jaeger and the authz server see the same trace`, async () => {
            const names = services(s, APPS[0]);
            const p = uniquePath("admin");
            const before = s.extAuthz!.calls.length;
            const r = await s.request(APPS[0].domain, p, { authorization: DENY_TOKEN, "x-client-marker": "kept" });
            assert.strictEqual(r.status, 403);
            const traceId = await loggedTraceId(s, p);
            const spans = await traceWith(s, traceId, [names.gateway], (x) => x.some((span) => span.operation.startsWith("async")));
            assert.ok(
                spans.every((x) => x.service === names.gateway),
                "the request never reached the sidecar",
            );
            const call = s.extAuthz!.calls.slice(before).find((c) => c.path.endsWith(p) || c.requestHeaders[":path"] === p);
            assert.ok(call !== undefined && !call.allowed, "the authz server denied the request");
            // The check call is a child span of the gateway's, its context injected into the call's headers.
            const authzSpan = spans.find((x) => x.operation.startsWith("async"));
            assert.ok(authzSpan !== undefined, `an ext_authz span: ${spans.map((x) => x.operation).join(", ")}`);
            if (variant.provider === "zipkin") {
                assert.strictEqual(call.callHeaders["x-b3-traceid"], traceId);
                assert.strictEqual(normSpan(call.callHeaders["x-b3-spanid"]), authzSpan.spanId);
                // With B3 and W3C propagation the check call carries the same context as traceparent too.
                assert.strictEqual(call.callHeaders.traceparent, dual ? `00-${traceId}-${authzSpan.spanId}-01` : undefined);
            } else {
                assert.strictEqual(call.callHeaders.traceparent, `00-${traceId}-${authzSpan.spanId}-01`);
            }
            if (variant.extAuthz === "grpc") {
                // gRPC ext_authz: the CheckRequest carries every request header.
                assert.strictEqual(call.requestHeaders["x-client-marker"], "kept");
                assert.strictEqual(call.requestHeaders.authorization, DENY_TOKEN);
                assert.strictEqual(call.requestHeaders[":path"], p);
            } else {
                // HTTP ext_authz: only includeRequestHeadersInCheck (and Envoy's own) headers.
                const listed = rendered.objects.extAuthz()!.includeRequestHeadersInCheck;
                assert.ok(listed.includes("authorization") && call.requestHeaders.authorization === DENY_TOKEN);
                assert.strictEqual(call.requestHeaders["x-client-marker"], undefined, "a header outside includeRequestHeadersInCheck is not sent");
            }
        });
    });

    if (dual) {
        describe(`one trace across B3 and W3C trace context: ${variantTitle(variant)}`, function () {
            this.timeout(180_000);
            /** The Node.js app reads and writes W3C trace context only, the Python app B3 only (its opentelemetry-propagator-b3). */
            const ONLY: Readonly<Record<string, string>> = { "auth-api": "tracecontext", "chat-api": "b3multi" };
            let s: Scenario;
            let spawns: boolean;
            before(async function () {
                this.timeout(900_000);
                const rendered = await render(variant);
                s = await Scenario.start(rendered, { appEnvOverrides: Object.fromEntries(Object.entries(ONLY).map(([app, propagators]) => [app, { OTEL_PROPAGATORS: propagators }])) });
                spawns = rendered.objects.istioVersion().minor >= 28;
            });
            after(async () => {
                await s?.stop();
            });

            /** One request from a client with its own context (or none), and the one trace it must make. */
            async function oneTrace(app: AppSpec, client: ClientContext | undefined): Promise<void> {
                const names = services(s, app);
                const p = uniquePath("login");
                const r = await s.request(app.domain, p, client?.headers ?? {});
                assert.strictEqual(r.status, 200, r.body);
                const traceId = await loggedTraceId(s, p);
                if (client !== undefined) {
                    assert.strictEqual(traceId, client.traceId, "the gateway continued the client's trace");
                }
                assert.strictEqual(JSON.parse(r.body).traceId, traceId, `the app (OTEL_PROPAGATORS=${ONLY[app.name]}) continued the trace the gateway logged`);
                await s.flushApps();
                const spans = await traceWith(s, traceId, [names.gateway, names.sidecar, names.app], undefined, client?.spanId);
                assertChain(spans, names, spawns, client);
                assert.deepStrictEqual([...new Set(spans.map((x) => x.service))].sort(), [names.app, names.sidecar, names.gateway].sort());
            }

            for (const app of APPS) {
                const only = app.runtime === "node" ? "W3C trace context only (OTEL_PROPAGATORS=tracecontext)" : "B3 only (OTEL_PROPAGATORS=b3multi)";
                it(`continues a client's W3C traceparent (no B3 headers) through gateway, sidecar and the ${app.runtime} app with ${only}: one trace below the client's span`, () =>
                    oneTrace(app, clientContext("w3c")));
                it(`continues a client's B3 headers (no traceparent) through gateway, sidecar and the ${app.runtime} app with ${only}: one trace below the client's span`, () =>
                    oneTrace(app, clientContext("b3")));
                it(`starts one trace at the gateway for a client without trace headers, through sidecar and the ${app.runtime} app with ${only}`, () => oneTrace(app, undefined));
            }
        });
    }
}
