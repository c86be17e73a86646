/**
 * Sizing of Jaeger's in-memory trace store. Jaeger v1's memory store keeps every trace unless
 * `--memory.max-traces` (env `MEMORY_MAX_TRACES`) is set; Jaeger v2's keeps `max_traces` (1,000,000 when a
 * `memory: {}` backend omits it). Either way the pod grows until its memory limit and is OOM-killed, losing
 * every trace. The default bound is derived from the container's memory limit. No imports, so the policy
 * pack and the tests can read it too.
 */

const UNITS: Readonly<Record<string, number>> = {
    "": 1,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    Ti: 1024 ** 4,
};

/** Bytes of a Kubernetes memory quantity such as `512Mi`, `1G` or `2147483648`; undefined when it is not one. */
export function quantityBytes(quantity: string): number | undefined {
    const m = /^([0-9]+(?:\.[0-9]+)?)(m|k|Ki|Mi|Gi|Ti|M|G|T)?$/.exec(quantity);
    return m === null ? undefined : Number(m[1]) * UNITS[m[2] ?? ""];
}

/**
 * Memory one stored trace takes, by Jaeger line, rounded up from a measurement: 20000 mesh-shaped traces (the
 * ingress gateway's and the sidecar's Envoy spans with Envoy's 19 tags, the app's server span and two children
 * with the OpenTelemetry SDK's tags; 5 spans) sent over Zipkin to an otherwise idle Jaeger grew its resident
 * memory by 27.0-29.8 KB per trace on the v1 all-in-one 1.53.0 and by 12.9-13.9 KB on Jaeger v2.13.0, the toolchain's v2 then (two
 * runs). Resident memory includes the garbage collector's headroom. `npm run bench:memory`
 * (e2e/jaegerMemory.ts) repeats the measurement; docs/production.md "Bounded in-memory storage".
 */
const TRACE_BYTES: Readonly<Record<"v1" | "v2", number>> = { v1: 32 * 1024, v2: 16 * 1024 };

/** Kept out of the trace budget for the runtime: an idle v1 all-in-one measured about 45 MB resident, Jaeger v2 about 80 MB (the ¾ share covers the difference). */
const RUNTIME_BYTES = 64 * 1024 ** 2;

/** Share of the rest of the memory limit the traces may take: room for bigger traces than the measured ones, queues and queries. */
const TRACE_MEMORY_SHARE = 0.75;

/** Lowest default bound (a limit too small for it is a mistake the pod will show anyway). */
const MIN_DEFAULT_MAX_TRACES = 1000;

/**
 * The default `maxTraces` for a memory limit and Jaeger line: {@link TRACE_MEMORY_SHARE} of the limit beyond
 * {@link RUNTIME_BYTES}, divided by {@link TRACE_BYTES} (512Mi: v1 10752, v2 21504).
 */
export function defaultMaxTraces(memoryLimit: string, line: "v1" | "v2"): number {
    const bytes = quantityBytes(memoryLimit);
    if (bytes === undefined) {
        throw new Error(`defaultMaxTraces: ${JSON.stringify(memoryLimit)} is not a Kubernetes memory quantity`);
    }
    return Math.max(MIN_DEFAULT_MAX_TRACES, Math.floor(((bytes - RUNTIME_BYTES) * TRACE_MEMORY_SHARE) / TRACE_BYTES[line]));
}
