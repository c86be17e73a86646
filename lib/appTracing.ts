/**
 * The OpenTelemetry environment an app in the mesh needs so that its spans join the trace the
 * ingress gateway and its sidecar started. Computed from the same constants as the collector
 * Service, so the endpoint and the propagators cannot drift from what the stack deploys.
 */
import { COLLECTOR_SERVICE, JAEGER_PORTS, OTEL_PROPAGATORS_BY_PROVIDER, SYSTEM_NAMESPACE, TracingProvider, serviceFqdn } from "./constants";

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
 * The tracing environment for one app.
 * @param serviceName `OTEL_SERVICE_NAME`, e.g. `auth-api`.
 * @param endpoint OTLP endpoint override; defaults to the stack's collector.
 * @param provider The mesh's tracing provider: the propagators follow it (B3 for zipkin, W3C trace context for opentelemetry).
 * @see https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/
 */
export function appTracingEnv(serviceName: string, endpoint: string = OTLP_GRPC_ENDPOINT, provider: TracingProvider = "zipkin"): EnvVar[] {
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
        { name: "OTEL_PROPAGATORS", value: OTEL_PROPAGATORS_BY_PROVIDER[provider].join(",") },
    ];
}

/** The same environment as a map, the form `@pulumi/kubernetesx` containers take for `env`. */
export function appTracingEnvMap(serviceName: string, endpoint?: string, provider?: TracingProvider): Record<string, string> {
    return Object.fromEntries(appTracingEnv(serviceName, endpoint, provider).map((e) => [e.name, e.value]));
}
