/**
 * Reading one request's trace back: the trace id the gateway logged, the spans Jaeger stored for it,
 * and the parent chain gateway -> sidecar -> app those spans must form.
 */
import * as assert from "assert";
import { randomBytes, randomUUID } from "crypto";
import { AppSpec } from "./apps";
import { serviceCluster } from "./istiod";
import { QueriedSpan } from "./jaeger";
import { Scenario } from "./scenario";

/** The span service names of one app's path: the gateway's, the sidecar's (`<app>.<namespace>`) and the app's own. */
export function services(s: Scenario, app: AppSpec): { gateway: string; sidecar: string; app: string } {
    return { gateway: serviceCluster(s.gatewayNode), sidecar: serviceCluster({ kind: "sidecar", app: app.name, namespace: app.namespace }), app: app.name };
}

/** A path no other request of the run uses, so log lines and spans can be told apart. */
export function uniquePath(prefix: string): string {
    return `/${prefix}/${randomUUID().slice(0, 8)}`;
}

/** The trace id the gateway's access log carries for a path (the gateway is the trace's source of truth). */
export async function loggedTraceId(s: Scenario, pathName: string): Promise<string> {
    return String((await s.gatewayLog(pathName))[s.logFields.traceId] ?? "");
}

/**
 * Waits until Jaeger has a span of every named service in the trace and every parent a span names
 * (each process reports in its own batches: the gateway's ext_authz span may arrive before its server span),
 * and `also` holds. `externalParent`: the span id of a client that sent trace context and reports no spans.
 */
export async function traceWith(
    s: Scenario,
    traceId: string,
    serviceNames: readonly string[],
    also: (spans: readonly QueriedSpan[]) => boolean = () => true,
    externalParent?: string,
): Promise<QueriedSpan[]> {
    return s.jaeger.until(
        () => s.jaeger.trace(traceId),
        (spans) =>
            serviceNames.every((n) => spans.some((x) => x.service === n)) &&
            spans.every((x) => x.parentId === undefined || x.parentId === externalParent || spans.some((p) => p.spanId === x.parentId)) &&
            also(spans),
    );
}

/** A client's own trace context: a random sampled span, and the headers that carry it in each format. */
export interface ClientContext {
    readonly traceId: string;
    readonly spanId: string;
    readonly headers: Readonly<Record<string, string>>;
}

/** A client span sent as W3C `traceparent` (version 00, sampled) or as B3 multi headers (sampled), or no context at all. */
export function clientContext(format: "w3c" | "b3"): ClientContext {
    const traceId = randomBytes(16).toString("hex");
    const spanId = randomBytes(8).toString("hex");
    const headers: Record<string, string> = format === "w3c" ? { traceparent: `00-${traceId}-${spanId}-01` } : { "x-b3-traceid": traceId, "x-b3-spanid": spanId, "x-b3-sampled": "1" };
    return { traceId, spanId, headers };
}

/**
 * Asserts the parent chain of one request: the app's server span is a child of the sidecar's server
 * span, which is a child of the gateway span that sent the request upstream; that span is the root
 * (Istio 1.24: one gateway span) or a client child of the root server span (1.28+: the gateway spawns
 * an upstream span). With a `client` context the trace is the client's and the gateway's first span is a
 * child of the client's span; without, that span has no parent. Returns the spans of the chain.
 */
export function assertChain(
    spans: readonly QueriedSpan[],
    names: ReturnType<typeof services>,
    spawnsUpstreamSpan: boolean,
    client?: ClientContext,
): { root: QueriedSpan; egress: QueriedSpan; sidecar: QueriedSpan; app: QueriedSpan } {
    const byId = new Map(spans.map((x) => [x.spanId, x]));
    assert.deepStrictEqual([...new Set(spans.map((x) => x.traceId))].length, 1, "one trace id");
    const app = spans.find((x) => x.service === names.app && x.kind === "server");
    assert.ok(app !== undefined, `an app server span of ${names.app}: ${JSON.stringify(spans.map((x) => [x.service, x.operation, x.kind]))}`);
    const sidecar = byId.get(app.parentId ?? "");
    assert.ok(sidecar?.service === names.sidecar && sidecar.kind === "server", `the app span's parent is the server span of ${names.sidecar}, got ${JSON.stringify(sidecar)}`);
    const egress = byId.get(sidecar.parentId ?? "");
    assert.ok(egress?.service === names.gateway && egress.kind === "client", `the span of ${names.sidecar} has a gateway client span as parent, got ${JSON.stringify(egress)}`);
    const root = egress.parentId === client?.spanId ? egress : byId.get(egress.parentId ?? "");
    assert.ok(root !== undefined && root.parentId === client?.spanId && root.service === names.gateway, `the trace starts at the gateway${client === undefined ? "" : ", below the client's span"}`);
    if (client !== undefined) {
        assert.strictEqual(root.traceId, client.traceId, "the gateway continued the client's trace");
    }
    if (spawnsUpstreamSpan) {
        assert.ok(root !== egress && root.kind === "server", "the gateway's server span is the root and its upstream span a child");
    } else {
        assert.strictEqual(root, egress, "the gateway's one span is the root");
    }
    return { root, egress, sidecar, app };
}

/** The span service names of one app's path in ambient mode: the gateway's, the app's waypoint's (`<gateway name>.<namespace>`) and the app's own. */
export function waypointServices(s: Scenario, app: AppSpec): { gateway: string; waypoint: string; app: string } {
    const w = s.waypoints.get(app.name);
    assert.ok(w !== undefined, `${app.name} has a waypoint in this scenario`);
    return { gateway: serviceCluster(s.gatewayNode), waypoint: serviceCluster(w.node), app: app.name };
}

/**
 * The parent chain of one request through the app's waypoint (ambient): as {@link assertChain}, with the
 * waypoint's SERVER span in the sidecar's place (a waypoint is not a Router: no upstream span of its own).
 */
export function assertWaypointChain(
    spans: readonly QueriedSpan[],
    names: ReturnType<typeof waypointServices>,
    spawnsUpstreamSpan: boolean,
    client?: ClientContext,
): { root: QueriedSpan; egress: QueriedSpan; waypoint: QueriedSpan; app: QueriedSpan } {
    const c = assertChain(spans, { gateway: names.gateway, sidecar: names.waypoint, app: names.app }, spawnsUpstreamSpan, client);
    assert.strictEqual(spans.filter((x) => x.service === names.waypoint).length, 1, "the waypoint made exactly one span (SERVER, no upstream span)");
    return { root: c.root, egress: c.egress, waypoint: c.sidecar, app: c.app };
}

/**
 * Sends `requests` requests to each app through the gateway, `concurrency` at a time, and asserts that Jaeger's
 * dependency graph grew by exactly `requests` calls on each edge of each app's `path` (its services in call order,
 * e.g. gateway, sidecar, app), and on no other edge.
 */
export async function assertEdgeGrowth(s: Scenario, apps: readonly AppSpec[], requests: number, concurrency: number, path: (app: AppSpec) => readonly string[]): Promise<void> {
    const key = (parent: string, child: string) => `${parent} -> ${child}`;
    const expected: Record<string, number> = {};
    for (const app of apps) {
        const hops = path(app);
        hops.slice(1).forEach((child, i) => (expected[key(hops[i], child)] = requests));
    }
    const counts = async () => Object.fromEntries((await s.jaeger.serviceEdges()).map((e) => [key(e.parent, e.child), e.callCount]));
    const before = await counts();
    for (const app of apps) {
        const responses = await load(requests, concurrency, () => s.request(app.domain, "/load"));
        assert.deepStrictEqual(responses.filter((r) => r.status !== 200).length, 0);
    }
    await s.flushApps();
    const delta = (now: Record<string, number>) => Object.fromEntries(Object.entries(now).flatMap(([k, v]) => (v > (before[k] ?? 0) ? [[k, v - (before[k] ?? 0)]] : [])));
    const after = await s.jaeger.until(counts, (now) => Object.entries(expected).every(([k, v]) => (delta(now)[k] ?? 0) >= v), 60_000);
    assert.deepStrictEqual(delta(after), expected);
}

/** Runs `count` requests, `concurrency` at a time. */
export async function load<T>(count: number, concurrency: number, one: (i: number) => Promise<T>): Promise<T[]> {
    const out: T[] = [];
    for (let i = 0; i < count; i += concurrency) {
        out.push(...(await Promise.all(Array.from({ length: Math.min(concurrency, count - i) }, (_, k) => one(i + k)))));
    }
    return out;
}
