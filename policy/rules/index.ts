import { ambientPolicies } from "./ambient";
import { chartPolicies } from "./charts";
import { jaegerPolicies } from "./jaeger";
import { kialiPolicies } from "./kiali";
import { metricsPolicies } from "./metrics";
import { networkPolicies } from "./network";
import { OTEL_PROPAGATION, tracingPolicies } from "./tracing";

export const allPolicies = [...tracingPolicies, ...networkPolicies, ...kialiPolicies, ...metricsPolicies, ...jaegerPolicies, ...chartPolicies, ...ambientPolicies];

/**
 * Every policy ever renamed, old name -> current name (README's table of renamed policies lists them). A policy config that
 * names an old one is refused with the current name (lib/policyNames.ts), never silently ignored.
 */
export const RENAMED_POLICIES: Readonly<Record<string, string>> = {
    // 0.1.0: the OpenTelemetry provider sends W3C trace context, not B3; the policy follows the mesh's provider.
    "otlp-exporters-must-propagate-b3": OTEL_PROPAGATION,
};
