/**
 * Tracing benchmark (prints figures; not a test), per Jaeger line and tracing provider, on the same
 * rendered stacks and real processes as the conformance suite, with the Node.js app:
 * - requests per second through gateway -> sidecar -> app at concurrency 20;
 * - latency added per Envoy hop: median of sequential requests to the app, to its sidecar and to the
 *   gateway (each hop's figure is the difference);
 * - spans per second ingested: the spans of a burst of requests until Jaeger's dependency counts show all;
 * - emit to queryable: from a request's end (and the app's flush) until its whole trace is queryable.
 * Run: `npm run bench:tracing` (renders through the CLI first; takes a few minutes).
 */
import * as http from "http";
import { LOOPBACK } from "./loopback";
import { VARIANTS, Variant, renderAll, variantTitle } from "./render";
import { APPS, Scenario } from "./scenario";
import { load, loggedTraceId, services, traceWith, uniquePath } from "./traces";

const REQUESTS = 1000;
const CONCURRENCY = 20;
const SEQUENTIAL = 200;
const SAMPLES = 15;
const APP = APPS[0];

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function get(port: number, host: string, pathName: string): Promise<number> {
    return new Promise((resolve, reject) => {
        const req = http.request({ host: LOOPBACK, port, path: pathName, agent, headers: { host } }, (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
        });
        req.on("error", reject);
        req.end();
    });
}

async function medianLatency(port: number, host: string): Promise<number> {
    const times: number[] = [];
    for (let i = 0; i < SEQUENTIAL; i++) {
        const t = performance.now();
        await get(port, host, "/latency");
        times.push(performance.now() - t);
    }
    return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

/** Polls `read` until it reaches `target` or has not changed for `quietMs` (at most 120 s); the value and when it last changed. */
async function settle(read: () => Promise<number>, target: number, quietMs: number): Promise<{ value: number; at: number }> {
    const start = performance.now();
    let value = await read();
    let at = performance.now();
    while (value < target && performance.now() - at < quietMs && performance.now() - start < 120_000) {
        await new Promise((r) => setTimeout(r, 100));
        const next = await read();
        if (next !== value) {
            [value, at] = [next, performance.now()];
        }
    }
    return { value, at };
}

async function bench(variant: Variant, s: Scenario): Promise<string> {
    const names = services(s, APP);
    const gatewayPort = Number(new URL(s.gatewayUrl).port);
    const sidecarPort = s.loopback.resolve(`${APP.name}.${APP.namespace}`, APP.port);
    const appPort = s.apps.get(APP.name)!.port;
    // Warm-up, then the spans one request makes (to count spans per second).
    await load(50, 10, () => get(gatewayPort, APP.domain, "/warmup"));
    const p = uniquePath("sample");
    await s.request(APP.domain, p);
    await s.flushApps();
    const spansPerRequest = (await traceWith(s, await loggedTraceId(s, p), [names.gateway, names.sidecar, names.app])).length;

    const [direct, viaSidecar, viaGateway] = [await medianLatency(appPort, APP.domain), await medianLatency(sidecarPort, APP.domain), await medianLatency(gatewayPort, APP.domain)];

    // Calls sidecar -> app in Jaeger's dependencies: one per request whose app span arrived with its parent.
    const edge = async () => (await s.jaeger.serviceEdges()).find((e) => e.parent === names.sidecar && e.child === names.app)?.callCount ?? 0;
    await s.flushApps();
    const base = (await settle(edge, Infinity, 2000)).value;
    const t0 = performance.now();
    await load(REQUESTS, CONCURRENCY, () => get(gatewayPort, APP.domain, "/load"));
    const loadSeconds = (performance.now() - t0) / 1000;
    await s.flushApps();
    // Until every request is counted, or the count has stopped growing for 5 s (spans lost on the way, e.g. the
    // SDK's batch queue of 2048 spans overflowing: that is reported, not hidden).
    const ingested = await settle(edge, base + REQUESTS, 5000);
    const complete = ingested.value - base;
    const ingestSeconds = (ingested.at - t0) / 1000;

    const latencies: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
        // From the response (every span has ended) until the whole trace is queryable; the trace id is the
        // one the app continued (its response body), so nothing waits for the access log's 1 s flush first.
        const r = await s.request(APP.domain, uniquePath("queryable"));
        const t = performance.now();
        const traceId = String(JSON.parse(r.body).traceId);
        await s.flushApps();
        await s.jaeger.until(
            () => s.jaeger.trace(traceId),
            (spans) => spans.length >= spansPerRequest,
            30_000,
        );
        latencies.push(performance.now() - t);
    }
    latencies.sort((a, b) => a - b);
    return [
        variantTitle(variant),
        `  throughput   ${(REQUESTS / loadSeconds).toFixed(0)} requests/s through gateway -> sidecar -> ${APP.runtime} app (${REQUESTS} requests, concurrency ${CONCURRENCY})`,
        `  latency      app ${direct.toFixed(2)} ms, + sidecar hop ${(viaSidecar - direct).toFixed(2)} ms, + gateway hop ${(viaGateway - viaSidecar).toFixed(2)} ms (medians of ${SEQUENTIAL} sequential requests)`,
        `  ingest       ${((complete * spansPerRequest) / ingestSeconds).toFixed(0)} spans/s (${complete * spansPerRequest} spans, ${spansPerRequest} per request, queryable ${ingestSeconds.toFixed(2)} s after the first request${complete < REQUESTS ? `; only ${complete} of ${REQUESTS} requests' app spans arrived` : ""})`,
        `  queryable    median ${latencies[Math.floor(SAMPLES / 2)].toFixed(0)} ms, max ${latencies[SAMPLES - 1].toFixed(0)} ms from emit to a complete trace (${SAMPLES} single requests; proxies report every 250 ms)`,
        "",
    ].join("\n");
}

(async () => {
    process.stdout.write(`observability-stack tracing benchmark, ${new Date().toISOString()}\n\n`);
    const rendered = await renderAll(VARIANTS.filter((v, i) => VARIANTS.findIndex((w) => w.line === v.line && w.provider === v.provider) === i));
    for (const r of rendered) {
        const s = await Scenario.start(r, { apps: [APP] });
        try {
            process.stdout.write(await bench(r.variant, s));
        } finally {
            await s.stop();
        }
    }
    agent.destroy();
})().catch((e: Error) => {
    process.stderr.write(`${e.stack ?? e.message}\n`);
    process.exit(1);
});
