/**
 * The live trace probe of `npm run verify -- --probe <gateway URL>`: requests with no trace header through the ingress
 * gateway, each marked by a query parameter of its own (`obs-verify=<id>`: an edge gateway replaces a client's
 * x-request-id, but Envoy tags its spans with the whole URL, `http.url`), then Jaeger asked for each: one trace per request,
 * the parent chain gateway → sidecar → app, the dependency edge, and the observed sampling against the stack's. Each
 * broken link is reported by the cause it points to, as the tracing suite's negative controls show them
 * (docs/tracing-tests.md).
 */
import * as http from "http";
import { randomUUID } from "crypto";
import { GATEWAY_NAME, SYSTEM_NAMESPACE } from "../lib/constants";
import { CheckResult } from "./checks";

export interface ProbeOptions {
    /** A route through the ingress gateway to an app, e.g. `http://gateway.example.com/api/health`. */
    readonly gatewayUrl: string;
    /** The Host header of the route, when the URL's host is not it. */
    readonly host?: string;
    /** Jaeger's query base URL (the HTTP API, port 16686). */
    readonly jaegerUrl?: string;
    readonly requests: number;
    /** The stack's sampling, to compare the observed one with. */
    readonly samplingPercentage: number;
    /** The gateway's span service name. @default `istio-ingressgateway.istio-system` */
    readonly gatewayService?: string;
    /** How long Jaeger may take to hold every span (proxies report in batches). @default 30 s */
    readonly timeoutMs?: number;
}

/** A span as Jaeger's HTTP API returns it, reduced to what the probe reads. */
interface Span {
    readonly traceId: string;
    readonly spanId: string;
    readonly parentId?: string;
    readonly service: string;
    readonly kind?: string;
    readonly proxy: boolean;
}

/** The query parameter that marks a probe request. */
const MARK = "obs-verify";

interface JaegerTrace {
    readonly traceID: string;
    readonly spans: { spanID: string; processID: string; references?: { refType: string; spanID: string }[]; tags?: { key: string; value: unknown }[] }[];
    readonly processes: Record<string, { serviceName: string }>;
}

async function getJson(url: string): Promise<{ data?: unknown }> {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (res.status === 404) {
        return { data: [] };
    }
    if (!res.ok) {
        throw new Error(`GET ${url}: HTTP ${res.status}`);
    }
    return (await res.json()) as { data?: unknown };
}

function spansOf(t: JaegerTrace): Span[] {
    return t.spans.map((s) => {
        const tags = Object.fromEntries((s.tags ?? []).map((x) => [x.key, String(x.value)]));
        return {
            traceId: t.traceID.padStart(32, "0"),
            spanId: s.spanID.padStart(16, "0"),
            parentId: (s.references ?? []).filter((r) => r.refType === "CHILD_OF").map((r) => r.spanID.padStart(16, "0"))[0],
            service: t.processes[s.processID]?.serviceName ?? "",
            kind: tags["span.kind"],
            // Envoy marks every span it reports with component=proxy (its HCM tracing tags).
            proxy: tags.component === "proxy",
        };
    });
}

/** The request id a span's `http.url` carries, if it is a probe request's. */
function markOf(t: JaegerTrace["spans"][number]): string | undefined {
    const url = (t.tags ?? []).find((x) => x.key === "http.url")?.value;
    return typeof url === "string" ? /[?&]obs-verify=([0-9a-z-]+)/.exec(url)?.[1] : undefined;
}

function send(url: string, host: string | undefined, requestId: string): Promise<number> {
    const marked = `${url}${url.includes("?") ? "&" : "?"}${MARK}=${requestId}`;
    return new Promise((resolve, reject) => {
        const req = http.request(marked, { headers: host !== undefined ? { host } : {}, timeout: 10_000 }, (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
        });
        req.on("error", reject);
        req.on("timeout", () => req.destroy(new Error(`no answer from ${url} within 10 s`)));
        req.end();
    });
}

/** What one request became in Jaeger: its traces (by the request id), and the spans of each. */
interface Traced {
    readonly requestId: string;
    readonly traces: Span[][];
}

/** Diagnoses one request: its chain, or the first broken link and the cause it points to. */
function diagnose(t: Traced, gatewayService: string, appServices: ReadonlySet<string>): { ok: boolean; what: string; cause?: string } {
    if (t.traces.length === 0) {
        return { ok: false, what: "no trace", cause: "not sampled, or Jaeger received nothing from the gateway" };
    }
    if (t.traces.length > 1) {
        return { ok: false, what: `${t.traces.length} traces`, cause: "the request's spans are split: a proxy or the app started a new trace (propagator)" };
    }
    const spans = t.traces[0];
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const sidecar = spans.find((s) => s.proxy && s.service !== gatewayService && s.kind === "server");
    if (sidecar === undefined) {
        // Sidecars report (Jaeger knows a `<workload>.<namespace>` service besides the gateway), but not into this trace.
        const sidecarsReport = [...appServices].some((s) => s !== gatewayService && s.includes("."));
        return sidecarsReport
            ? {
                  ok: false,
                  what: "gateway spans only",
                  cause: "the sidecar's spans are in separate traces: the proxies do not continue each other's trace headers (different tracing providers or propagation)",
              }
            : {
                  ok: false,
                  what: "gateway spans only",
                  cause: "no proxy spans from the app's sidecar: the collector port is blocked from the app namespace, or its mesh config points the provider elsewhere",
              };
    }
    let up = byId.get(sidecar.parentId ?? "");
    while (up?.service === gatewayService && up.parentId !== undefined && byId.get(up.parentId)?.service === gatewayService) {
        up = byId.get(up.parentId);
    }
    if (up?.service !== gatewayService) {
        return {
            ok: false,
            what: "the sidecar's span is not a child of the gateway's",
            cause: "the sidecar did not continue the gateway's trace headers (the proxies use different tracing providers)",
        };
    }
    const app = spans.find((s) => !s.proxy && s.parentId === sidecar.spanId);
    if (app === undefined) {
        return appServices.has(sidecar.service.split(".")[0])
            ? {
                  ok: false,
                  what: "gateway → sidecar, no app span in the trace",
                  cause: "the app's spans are in separate traces: its propagators do not read the headers its sidecar sends (OTEL_PROPAGATORS, appTracingEnvironment)",
              }
            : { ok: false, what: "gateway → sidecar, no app span", cause: "the app sends no spans: its OTLP exporter (OTEL_EXPORTER_OTLP_ENDPOINT) or the collector port is blocked" };
    }
    return { ok: true, what: `gateway → ${sidecar.service} → ${app.service}` };
}

/** Sends the requests and judges what Jaeger holds for them. Needs `jaegerUrl`. */
export async function probe(opts: ProbeOptions): Promise<CheckResult[]> {
    const gatewayService = opts.gatewayService ?? `${GATEWAY_NAME}.${SYSTEM_NAMESPACE}`;
    const guards = "every incident of the reference deployment was an empty Jaeger or Kiali found days later: broken propagation, a blocked collector port, sampling not what was set";
    if (opts.jaegerUrl === undefined) {
        return [
            {
                id: "probe",
                status: "fail",
                found: ["no --jaeger-url: give Jaeger's query URL, e.g. after kubectl -n istio-system port-forward svc/jaeger-query-clusterip 16686"],
                guards,
                fix: "npm run verify -- --stack <name> --probe <gateway URL> --jaeger-url http://127.0.0.1:16686",
            },
        ];
    }
    const jaeger = opts.jaegerUrl.replace(/\/$/, "");
    const ids = Array.from({ length: opts.requests }, () => `verify-${randomUUID()}`);
    const statuses = await Promise.all(ids.map((id) => send(opts.gatewayUrl, opts.host, id).catch(() => 0)));
    const answered = statuses.filter((s) => s > 0).length;
    if (answered === 0) {
        return [
            { id: "probe", status: "fail", found: [`no answer from ${opts.gatewayUrl} to ${opts.requests} requests`], guards, fix: "check the gateway URL, its Host header (--host) and the route" },
        ];
    }
    // Jaeger holds a trace once every process reported its batch: poll the gateway's traces of the last minutes until each
    // request has a complete one (every named parent there, an app span in it) or the time is up.
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    let byRequest = new Map<string, Span[][]>();
    for (;;) {
        const found = ((await getJson(`${jaeger}/api/traces?service=${encodeURIComponent(gatewayService)}&lookback=15m&limit=1000`)).data as JaegerTrace[] | undefined) ?? [];
        byRequest = new Map();
        for (const t of found) {
            const id = t.spans.map(markOf).find((m) => m !== undefined);
            if (id !== undefined && ids.includes(id)) {
                byRequest.set(id, [...(byRequest.get(id) ?? []), spansOf(t)]);
            }
        }
        const complete = ids.every((id) =>
            (byRequest.get(id) ?? []).some((spans) => spans.every((s) => s.parentId === undefined || spans.some((p) => p.spanId === s.parentId)) && spans.some((s) => !s.proxy)),
        );
        if (complete || Date.now() > deadline) {
            break;
        }
        await new Promise((r) => setTimeout(r, 500));
    }
    const traced: Traced[] = ids.map((requestId) => ({ requestId, traces: byRequest.get(requestId) ?? [] }));
    const appServices = new Set(((await getJson(`${jaeger}/api/services`)).data as string[] | undefined) ?? []);
    const results = traced.map((t) => ({ t, d: diagnose(t, gatewayService, appServices) }));
    const broken = results.filter((r) => !r.d.ok && r.t.traces.length > 0);
    const sampled = traced.filter((t) => t.traces.length > 0).length;
    const causes = [...new Set(broken.map((r) => r.d.cause ?? ""))];
    const chains = [...new Set(results.filter((r) => r.d.ok).map((r) => r.d.what))];
    const out: CheckResult[] = [
        {
            id: "probe-traces",
            status: sampled > 0 && broken.length === 0 ? "pass" : "fail",
            found: [
                `${answered} of ${opts.requests} requests answered, ${sampled} traced`,
                ...chains.map((c) => `one trace each: ${c}`),
                ...broken.map((r) => `${r.t.requestId}: ${r.d.what}`),
                ...(sampled === 0 ? [`no trace at all: sampling is 0 % (the stack sets ${opts.samplingPercentage} %) or Jaeger receives nothing from the gateway`] : []),
                ...causes.map((c) => `cause: ${c}`),
            ],
            guards,
            fix: sampled === 0 ? "check the mesh's sampling (verify's telemetry check) and that the gateway reaches the collector Service on the provider's port" : (causes[0] ?? ""),
        },
    ];
    // Sampling: the observed share against the stack's, within three standard deviations of a binomial draw.
    const p = opts.samplingPercentage / 100;
    const observed = answered === 0 ? 0 : sampled / answered;
    const tolerance = 3 * Math.sqrt((p * (1 - p)) / Math.max(answered, 1)) + 1 / Math.max(answered, 1);
    out.push({
        id: "probe-sampling",
        status: Math.abs(observed - p) <= tolerance ? "pass" : "fail",
        found: [`${(observed * 100).toFixed(0)} % of ${answered} requests traced; the stack samples ${opts.samplingPercentage} %`],
        guards: '"sampling is not what I set": a Telemetry elsewhere overrides the stack\'s',
        fix: "run verify without --probe: its telemetry check names the Telemetry that overrides the stack's",
    });
    const edges = ((await getJson(`${jaeger}/api/dependencies?endTs=${Date.now() + 60_000}&lookback=3600000`)).data as { parent: string; child: string }[] | undefined) ?? [];
    const fromGateway = edges.filter((e) => e.parent === gatewayService && e.child !== gatewayService);
    out.push({
        id: "probe-dependencies",
        status: fromGateway.length > 0 ? "pass" : "fail",
        found: [fromGateway.length > 0 ? `edges from the gateway: ${fromGateway.map((e) => e.child).join(", ")}` : "no dependency edge from the gateway"],
        guards: '"No service dependencies found": the reference deployment\'s first incident (sidecar spans never reached port 9411)',
        fix: "with memory storage the edges come from the spans: see probe-traces; with Elasticsearch the dependencies job computes them nightly (jaeger.storage.dependencies)",
    });
    return out;
}
