/**
 * Tracing in ambient mode (issue #25): the app namespaces in ambient mode with a waypoint each, rendered by the
 * program (render.ts `AMBIENT_VARIANT`); the real Envoy gateway, a real Envoy per waypoint configured as istiod
 * 1.30.3 configures a waypoint (envoy.ts `waypointBootstrap`), the apps without sidecars, and the rendered Jaeger.
 * A request is one trace gateway -> waypoint -> app, the waypoint's span a SERVER span under its own service name,
 * and the gateway's and the waypoint's access logs carry Jaeger's trace id. Negative control: the same namespaces
 * without a waypoint, where the gateway goes to the app directly, lose exactly the waypoint's span. The service graph
 * draws gateway -> waypoint -> app, and clients and apps that speak only W3C trace context or only B3 join one trace.
 * Not emulated: HBONE and its mTLS, and ztunnel, which is a plain pass-through here (docs/tracing-tests.md).
 */
import * as assert from "assert";
import { AMBIENT_LABELS, CLUSTER_DOMAIN, HBONE_PORT, WAYPOINT, ZIPKIN_B3_WITH_W3C } from "../lib/constants";
import { AppSpec } from "./apps";
import { validate } from "./envoy";
import { outboundCluster, routeOperation, waypointHttpCluster } from "./istiod";
import { QueriedSpan } from "./jaeger";
import { AMBIENT_VARIANT, Rendered, render, stopRenderCluster, variantTitle } from "./render";
import { APPS, Scenario, accessLogLine } from "./scenario";
import { ClientContext, assertEdgeGrowth, assertWaypointChain, clientContext, loggedTraceId, services, traceWith, uniquePath, waypointServices } from "./traces";

after(stopRenderCluster);

/** The app's Service as the gateway and the waypoint name it. */
const fqdn = (s: Scenario, app: AppSpec) => s.loopback.fqdn(`${app.name}.${app.namespace}`);

/** One request through the gateway (with a client's own context, or none), and its trace once Jaeger holds the spans of every service named. */
async function traced(s: Scenario, app: AppSpec, p: string, serviceNames: readonly string[], client?: ClientContext): Promise<{ traceId: string; spans: QueriedSpan[] }> {
    const r = await s.request(app.domain, p, client?.headers ?? {});
    assert.strictEqual(r.status, 200, r.body);
    const traceId = await loggedTraceId(s, p);
    if (client !== undefined) {
        assert.strictEqual(traceId, client.traceId, "the gateway continued the client's trace");
    }
    assert.strictEqual(JSON.parse(r.body).traceId, traceId, "the app continued the trace the gateway logged");
    await s.flushApps();
    return { traceId, spans: await traceWith(s, traceId, serviceNames, undefined, client?.spanId) };
}

/** The endpoint port of a cluster in a bootstrap (static clusters, one endpoint each). */
function endpointPort(config: any, name: string): number | undefined {
    return config.static_resources.clusters.find((c: any) => c.name === name)?.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value;
}

describe(`tracing through waypoints: ${variantTitle(AMBIENT_VARIANT)}`, function () {
    this.timeout(180_000);
    let rendered: Rendered;
    let s: Scenario;
    before(async function () {
        this.timeout(900_000);
        rendered = await render(AMBIENT_VARIANT);
        s = await Scenario.start(rendered);
    });
    after(async () => {
        await s?.stop();
    });

    it("puts the app namespaces in ambient mode with a waypoint each, and runs each waypoint with the tracer, sampling, route and access log istiod 1.30 gives a waypoint; Envoy 1.40 validates every bootstrap", async () => {
        const objects = rendered.objects;
        const namespaces = [...new Set(APPS.map((a) => a.namespace))].sort();
        assert.deepStrictEqual(objects.ambientNamespaces(), namespaces);
        assert.deepStrictEqual(
            objects.meshNamespaces().filter((n) => namespaces.includes(n)),
            [],
            "no sidecar injection in an ambient namespace",
        );
        for (const ns of namespaces) {
            assert.strictEqual(objects.namespaceLabels(ns)[AMBIENT_LABELS.useWaypoint], WAYPOINT.name);
            assert.strictEqual(objects.namespaceLabels(ns)[AMBIENT_LABELS.ingressUseWaypoint], "true");
        }
        assert.deepStrictEqual(
            objects.waypoints().sort((a, b) => (a.namespace < b.namespace ? -1 : 1)),
            namespaces.map((namespace) => ({ name: WAYPOINT.name, namespace, waypointFor: WAYPOINT.for })),
        );
        for (const ns of namespaces) {
            assert.deepStrictEqual(objects.get("Gateway", WAYPOINT.name, ns).spec.listeners, [{ name: "mesh", port: HBONE_PORT, protocol: "HBONE" }], "the waypoint's one listener: HBONE on 15008");
        }
        const telemetry = objects.telemetry();
        assert.strictEqual(telemetry.tracing.traceContextOption, ZIPKIN_B3_WITH_W3C);
        assert.strictEqual(s.sidecars.size, 0, "no sidecars in ambient mode");
        for (const b of s.bootstraps) {
            await validate(b.config);
        }
        const gateway: any = s.bootstraps.find((b) => b.name === services(s, APPS[0]).gateway)?.config;
        for (const app of APPS) {
            const names = waypointServices(s, app);
            assert.strictEqual(names.waypoint, `${WAYPOINT.name}.${app.namespace}`);
            const config: any = s.bootstraps.find((b) => b.name === names.waypoint)?.config;
            assert.ok(config !== undefined, `a bootstrap for ${names.waypoint}`);
            assert.strictEqual(config.node.cluster, names.waypoint);
            assert.match(config.node.id, /^waypoint~/);
            const listener = config.static_resources.listeners.find((l: any) => l.name === waypointHttpCluster(fqdn(s, app), app.port));
            assert.strictEqual(listener.traffic_direction, "INBOUND", "main_internal is an INBOUND listener: SERVER spans");
            const hcm = listener.filter_chains[0].filters[0].typed_config;
            assert.strictEqual(hcm.tracing.spawn_upstream_span, undefined, "a waypoint is not a Router: no upstream span");
            assert.strictEqual(hcm.tracing.provider.name, "envoy.tracers.zipkin");
            assert.strictEqual(hcm.tracing.provider.typed_config.trace_context_option, ZIPKIN_B3_WITH_W3C);
            assert.strictEqual(hcm.tracing.random_sampling.value, telemetry.samplingPercentage);
            assert.deepStrictEqual(hcm.access_log[0].typed_config.log_format.json_format, telemetry.accessLog.labels);
            assert.strictEqual(hcm.route_config.virtual_hosts[0].routes[0].decorator.operation, routeOperation(fqdn(s, app), app.port));
            // The gateway's cluster for the Service has the waypoint's endpoint (istio.io/ingress-use-waypoint), the waypoint's the app's pod port.
            assert.strictEqual(endpointPort(gateway, outboundCluster(fqdn(s, app), app.port)), listener.address.socket_address.port_value);
            assert.strictEqual(endpointPort(config, waypointHttpCluster(fqdn(s, app), app.port)), s.apps.get(app.name)!.port);
        }
    });

    for (const app of APPS) {
        it(`makes one request through the gateway, the waypoint and the ${app.runtime} app one trace with the parent chain gateway -> waypoint (SERVER span, service ${WAYPOINT.name}.${app.namespace}) -> app`, async () => {
            const names = waypointServices(s, app);
            const { spans } = await traced(s, app, uniquePath("login"), [names.gateway, names.waypoint, names.app]);
            const chain = assertWaypointChain(spans, names, true);
            assert.strictEqual(chain.waypoint.kind, "server");
            assert.strictEqual(chain.waypoint.operation, routeOperation(fqdn(s, app), app.port));
            // istiod's service tags: the waypoint pod's canonical name is the Gateway's.
            assert.deepStrictEqual([chain.waypoint.tags["istio.canonical_service"], chain.waypoint.tags["istio.namespace"]], [WAYPOINT.name, app.namespace]);
            assert.deepStrictEqual([...new Set(spans.map((x) => x.service))].sort(), [names.app, names.waypoint, names.gateway].sort());
        });

        it(`writes the trace id Jaeger shows into the gateway's and the waypoint's access logs and the ${app.runtime} app's JSON log line`, async () => {
            const names = waypointServices(s, app);
            const p = uniquePath("profile");
            const { traceId, spans } = await traced(s, app, p, [names.gateway, names.waypoint, names.app]);
            const chain = assertWaypointChain(spans, names, true);
            assert.strictEqual(chain.root.traceId, traceId.padStart(32, "0"), "the gateway logged Jaeger's trace id");
            const waypointLine = await accessLogLine(s.waypoints.get(app.name)!.envoy, s.logFields.path, p);
            assert.strictEqual(waypointLine[s.logFields.traceId], traceId, "the waypoint logged the same trace id");
            const appLine = s.apps.get(app.name)!.logLines.find((l) => l["url.path"] === p);
            assert.strictEqual(appLine?.["trace.id"], traceId);
        });
    }
});

describe(`through waypoints, the service graph and one trace across B3 and W3C trace context: ${variantTitle(AMBIENT_VARIANT)}`, function () {
    this.timeout(300_000);
    /** The Node.js app reads and writes W3C trace context only, the Python app B3 only (its opentelemetry-propagator-b3). */
    const ONLY: Readonly<Record<string, string>> = { "auth-api": "tracecontext", "chat-api": "b3multi" };
    let s: Scenario;
    before(async function () {
        this.timeout(900_000);
        const rendered = await render(AMBIENT_VARIANT);
        assert.strictEqual(rendered.objects.telemetry().tracing.traceContextOption, ZIPKIN_B3_WITH_W3C, "the ambient variant propagates B3 and W3C");
        s = await Scenario.start(rendered, { appEnvOverrides: Object.fromEntries(Object.entries(ONLY).map(([app, propagators]) => [app, { OTEL_PROPAGATORS: propagators }])) });
    });
    after(async () => {
        await s?.stop();
    });

    it("draws the dependency edges gateway -> waypoint -> app with call counts for 100 requests per app at concurrency 10", async () => {
        await assertEdgeGrowth(s, APPS, 100, 10, (app) => {
            const n = waypointServices(s, app);
            return [n.gateway, n.waypoint, n.app];
        });
    });

    for (const app of APPS) {
        const only = app.runtime === "node" ? "W3C trace context only (OTEL_PROPAGATORS=tracecontext)" : "B3 only (OTEL_PROPAGATORS=b3multi)";
        for (const format of ["w3c", "b3", undefined] as const) {
            const client = format === undefined ? "a client without trace headers" : format === "w3c" ? "a client's W3C traceparent (no B3 headers)" : "a client's B3 headers (no traceparent)";
            it(`makes ${client} one trace through the gateway, the waypoint and the ${app.runtime} app with ${only}`, async () => {
                const names = waypointServices(s, app);
                const context = format === undefined ? undefined : clientContext(format);
                const { spans } = await traced(s, app, uniquePath("login"), [names.gateway, names.waypoint, names.app], context);
                assertWaypointChain(spans, names, true, context);
                assert.deepStrictEqual([...new Set(spans.map((x) => x.service))].sort(), [names.app, names.waypoint, names.gateway].sort());
            });
        }
    }
});

describe(`negative control, namespaces without a waypoint: ${variantTitle(AMBIENT_VARIANT)}`, function () {
    this.timeout(300_000);
    let rendered: Rendered;
    before(async function () {
        this.timeout(900_000);
        rendered = await render(AMBIENT_VARIANT);
    });

    interface RunResult {
        readonly gateway: string;
        readonly spans: QueriedSpan[];
        /** The loopback port of the gateway's cluster for the app's Service. */
        readonly gatewayEndpoint?: number;
        /** The loopback port the app listens on (its pod port). */
        readonly appPort: number;
    }

    /** A span as the comparison sees it: service, kind and name (ids differ between runs). */
    const signature = (x: QueriedSpan) => `${x.service} ${x.kind ?? "-"} ${x.operation}`;

    /** One request per app on its own scenario (the same paths on both), with each app's trace. */
    async function run(r: Rendered, paths: ReadonlyMap<string, string>, withWaypoint: boolean): Promise<Map<string, RunResult>> {
        const s = await Scenario.start(r);
        try {
            const out = new Map<string, RunResult>();
            for (const app of APPS) {
                assert.strictEqual(s.waypoints.has(app.name), withWaypoint, `${app.name} ${withWaypoint ? "has" : "has no"} waypoint`);
                const gateway = services(s, app).gateway;
                const names = withWaypoint ? [gateway, waypointServices(s, app).waypoint, app.name] : [gateway, app.name];
                const { spans } = await traced(s, app, paths.get(app.name)!, names);
                const gwConfig = s.bootstraps.find((b) => b.name === gateway)?.config;
                out.set(app.name, { gateway, spans, gatewayEndpoint: endpointPort(gwConfig, outboundCluster(fqdn(s, app), app.port)), appPort: s.apps.get(app.name)!.port });
            }
            return out;
        } finally {
            await s.stop();
        }
    }

    it("without the namespaces' waypoint (no Gateway, no istio.io/use-waypoint) the gateway goes to each app directly, and each trace loses exactly the waypoint's SERVER span: the app's span hangs below the gateway's upstream span", async () => {
        // The render as the program makes it, with the waypoints taken away: istiod then finds no waypoint for the Services (istiod.ts `serviceWaypoint`).
        const namespaces = new Set(APPS.map((a) => a.namespace));
        const objects = rendered.objects.edited((o) => {
            if (o.kind === "Gateway" && namespaces.has(o.metadata.namespace ?? "")) {
                return undefined;
            }
            if (o.kind === "Namespace" && namespaces.has(o.metadata.name)) {
                const labels = { ...o.metadata.labels };
                // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- a label map
                delete labels[AMBIENT_LABELS.useWaypoint];
                return { ...o, metadata: { ...o.metadata, labels } };
            }
            return o;
        });
        assert.deepStrictEqual(objects.ambientNamespaces(), rendered.objects.ambientNamespaces(), "still ambient namespaces");
        assert.deepStrictEqual(objects.waypoints(), []);
        const paths = new Map(APPS.map((a) => [a.name, uniquePath("login")]));
        const withWaypoint = await run(rendered, paths, true);
        const without = await run({ ...rendered, objects }, paths, false);
        for (const app of APPS) {
            const a = withWaypoint.get(app.name)!;
            const b = without.get(app.name)!;
            const waypoint = `${WAYPOINT.name}.${app.namespace}`;
            assert.notStrictEqual(a.gatewayEndpoint, a.appPort, "with the waypoint the gateway's endpoint is the waypoint");
            assert.strictEqual(b.gatewayEndpoint, b.appPort, "without it the gateway's endpoint is the app's pod");
            // The exact difference: the waypoint's one SERVER span, nothing else lost or added.
            const lost = a.spans.filter((x) => x.service === waypoint).map(signature);
            assert.deepStrictEqual(lost, [`${waypoint} server ${routeOperation(`${app.name}.${app.namespace}.svc.${CLUSTER_DOMAIN}`, app.port)}`]);
            assert.deepStrictEqual(
                b.spans.map(signature).sort(),
                a.spans
                    .filter((x) => x.service !== waypoint)
                    .map(signature)
                    .sort(),
                `${app.name}: the same spans but the waypoint's`,
            );
            // And the chain closes over the gap: the app's server span is a child of the gateway's upstream (client) span.
            for (const [spans, parentService, parentKind] of [
                [a.spans, waypoint, "server"],
                [b.spans, b.gateway, "client"],
            ] as const) {
                const appSpan = spans.find((x) => x.service === app.name && x.kind === "server")!;
                const parent = spans.find((x) => x.spanId === appSpan.parentId);
                assert.deepStrictEqual([parent?.service, parent?.kind], [parentService, parentKind]);
            }
        }
    });
});
