/**
 * Tracing plumbing: where the mesh sends spans, how much it samples, what the access log carries,
 * what ext-authz forwards and how apps propagate context.
 */
import { accessLogMustUseTraceId } from "./accessLog";
import { meshConfigMustNotUseDeprecatedTracing, telemetrySamplingMustNotExceedCeiling, zipkinTargetMustBeClusterIpService } from "./meshTracing";
import { extAuthzMustForwardB3Headers, otlpExportersMustPropagateMeshTraceContext } from "./traceContext";

export * from "./accessLog";
export * from "./meshTracing";
export * from "./traceContext";

export const tracingPolicies = [
    zipkinTargetMustBeClusterIpService,
    meshConfigMustNotUseDeprecatedTracing,
    accessLogMustUseTraceId,
    extAuthzMustForwardB3Headers,
    telemetrySamplingMustNotExceedCeiling,
    otlpExportersMustPropagateMeshTraceContext,
];
