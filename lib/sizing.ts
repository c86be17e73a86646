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
 * Memory one stored trace takes in Jaeger's memory store, rounded up: a mesh request's trace (gateway, sidecar
 * and app server spans plus two child spans, each with the tags Envoy and the OpenTelemetry SDK set) as the
 * store holds it, with its indexes, measured on the Jaeger v1 all-in-one (README "Bounded in-memory storage").
 */
export const TRACE_BYTES = 16 * 1024;

/** Share of the memory limit the traces may take; the rest is the Go runtime's headroom (the heap grows to twice the live data before a GC), the collector queues and the query service. */
export const TRACE_MEMORY_SHARE = 0.5;

/** Lowest default bound (a limit too small for it is a mistake the pod will show anyway). */
export const MIN_DEFAULT_MAX_TRACES = 1000;

/** The default `maxTraces` for a memory limit: {@link TRACE_MEMORY_SHARE} of it divided by {@link TRACE_BYTES} (512Mi -> 16384). */
export function defaultMaxTraces(memoryLimit: string): number {
    const bytes = quantityBytes(memoryLimit);
    if (bytes === undefined) {
        throw new Error(`defaultMaxTraces: ${JSON.stringify(memoryLimit)} is not a Kubernetes memory quantity`);
    }
    return Math.max(MIN_DEFAULT_MAX_TRACES, Math.floor((bytes * TRACE_MEMORY_SHARE) / TRACE_BYTES));
}
