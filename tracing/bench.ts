/**
 * Tracing benchmark (prints figures; not a test), per Jaeger line: spans per second ingested
 * (gateway + sidecar + app, 5 spans per request, until all are queryable) and the time from emit to
 * queryable for single requests.
 */
import { JaegerLine } from "./jaeger";
import { SERVICES, Scenario } from "./scenario";

const REQUESTS = 300;
const CONCURRENCY = 20;
const SAMPLES = 20;

async function bench(line: JaegerLine): Promise<void> {
    const s = await Scenario.start(line);
    try {
        // Warm-up, so process start-up and JIT are not measured.
        await s.request("/warmup", "warmup");
        await s.flush();
        const edge = async () => (await s.jaeger.serviceEdges()).find((d) => d.parent === SERVICES.sidecar && d.child === SERVICES.app)?.callCount ?? 0;
        const base = await edge();
        const t0 = performance.now();
        for (let i = 0; i < REQUESTS; i += CONCURRENCY) {
            await Promise.all(Array.from({ length: CONCURRENCY }, (_, k) => s.request(`/login?i=${i + k}`, `bench-${i + k}`)));
        }
        await s.flush();
        await s.jaeger.until(edge, (n) => n - base >= REQUESTS, 120_000);
        const seconds = (performance.now() - t0) / 1000;
        const latencies: number[] = [];
        for (let i = 0; i < SAMPLES; i++) {
            const r = await s.request("/latency", `latency-${i}`);
            const t = performance.now();
            await s.flush();
            await s.jaeger.until(
                () => s.jaeger.trace(r.gatewayTraceId),
                (v) => v.length >= 5,
            );
            latencies.push(performance.now() - t);
        }
        latencies.sort((a, b) => a - b);
        const spans = REQUESTS * 5;
        process.stdout.write(
            `${line}: ${spans} spans from ${REQUESTS} requests (concurrency ${CONCURRENCY}) queryable in ${seconds.toFixed(2)} s = ${(spans / seconds).toFixed(0)} spans/s; ` +
                `emit to queryable (${SAMPLES} single requests): median ${latencies[Math.floor(SAMPLES / 2)].toFixed(0)} ms, max ${latencies[SAMPLES - 1].toFixed(0)} ms\n`,
        );
    } finally {
        await s.stop();
    }
}

(async () => {
    for (const line of ["v1", "v2"] as JaegerLine[]) {
        await bench(line);
    }
})().catch((e: Error) => {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
});
