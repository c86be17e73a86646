import { chartPolicies } from "./charts";
import { jaegerPolicies } from "./jaeger";
import { kialiPolicies } from "./kiali";
import { metricsPolicies } from "./metrics";
import { networkPolicies } from "./network";
import { tracingPolicies } from "./tracing";

export const allPolicies = [...tracingPolicies, ...networkPolicies, ...kialiPolicies, ...metricsPolicies, ...jaegerPolicies, ...chartPolicies];
