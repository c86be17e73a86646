/**
 * The OpenTelemetry environment an app in the mesh needs so that its spans join the trace the
 * ingress gateway and its sidecar started. Computed from the same constants as the collector
 * Service, so the endpoint and the propagators cannot drift from what the stack deploys.
 */
import { COLLECTOR_SERVICE, JAEGER_PORTS, MeshTraceContext, OTEL_PROPAGATORS_BY_CONTEXT, PROVIDER_TRACE_CONTEXT, SYSTEM_NAMESPACE, TracingProvider, serviceFqdn } from "./constants";

/** One `name`/`value` pair, the shape of a Kubernetes container `env` entry. */
export interface EnvVar {
    readonly name: string;
    readonly value: string;
}

/** OTLP/gRPC endpoint of the collector ClusterIP Service. */
export const OTLP_GRPC_ENDPOINT = `http://${serviceFqdn(COLLECTOR_SERVICE.name, SYSTEM_NAMESPACE)}:${JAEGER_PORTS.otlpGrpc}`;

/** Host of the collector ClusterIP Service: the mesh's `jaeger` provider targets it (Zipkin 9411 or OTLP 4317). */
export const ZIPKIN_HOST = serviceFqdn(COLLECTOR_SERVICE.name, SYSTEM_NAMESPACE);

const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,126}$/;

/**
 * What the mesh's proxies send: a {@link MeshTraceContext}, or a provider name for what that provider sends by
 * default (`zipkin`: B3, `opentelemetry`: W3C), as this function took it before the zipkin provider could propagate both.
 */
export type AppTraceContext = MeshTraceContext | TracingProvider;

function contextOf(sent: AppTraceContext): MeshTraceContext {
    return sent === "zipkin" || sent === "opentelemetry" ? PROVIDER_TRACE_CONTEXT[sent] : sent;
}

/**
 * The tracing environment for one app.
 * @param serviceName `OTEL_SERVICE_NAME`, e.g. `auth-api`.
 * @param endpoint OTLP endpoint override; defaults to the stack's collector.
 * @param traceContext What the mesh's proxies send (the stack's `traceContext`): the propagators follow it. `b3`
 * (zipkin): `b3,tracecontext,baggage`. `b3+w3c` (zipkin with W3C propagation): the proxies put B3 and `traceparent`
 * on every request and read either, so an app may propagate either; it gets `tracecontext,baggage`, the
 * OpenTelemetry SDKs' default, which needs no B3 propagator package. `w3c` (opentelemetry): `tracecontext,baggage`.
 * @see https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/
 */
export function appTracingEnv(serviceName: string, endpoint: string = OTLP_GRPC_ENDPOINT, traceContext: AppTraceContext = "zipkin"): EnvVar[] {
    if (!SERVICE_NAME.test(serviceName)) {
        throw new Error(`appTracingEnv: serviceName ${JSON.stringify(serviceName)} must be 1-127 characters of letters, digits, '.', '_' or '-'`);
    }
    return [
        { name: "OTEL_SERVICE_NAME", value: serviceName },
        { name: "OTEL_TRACES_EXPORTER", value: "otlp" },
        { name: "OTEL_EXPORTER_OTLP_PROTOCOL", value: "grpc" },
        { name: "OTEL_EXPORTER_OTLP_ENDPOINT", value: endpoint },
        { name: "OTEL_METRICS_EXPORTER", value: "none" },
        { name: "OTEL_LOGS_EXPORTER", value: "none" },
        { name: "OTEL_PROPAGATORS", value: OTEL_PROPAGATORS_BY_CONTEXT[contextOf(traceContext)].join(",") },
    ];
}

/** The same environment as a map, the form `@pulumi/kubernetesx` containers take for `env`. */
export function appTracingEnvMap(serviceName: string, endpoint?: string, traceContext?: AppTraceContext): Record<string, string> {
    return Object.fromEntries(appTracingEnv(serviceName, endpoint, traceContext).map((e) => [e.name, e.value]));
}
