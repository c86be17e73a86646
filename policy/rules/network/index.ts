/**
 * Network paths spans and mesh traffic need, judged the way Kubernetes and Istio evaluate the objects:
 * every app namespace reaches the Jaeger pods and the cluster DNS pods (NetworkPolicy evaluator,
 * lib/networkPolicy.ts), and external ServiceEntries let the sidecar resolve and route their hosts.
 *
 * Kubernetes NetworkPolicy API: https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/
 * and https://kubernetes.io/docs/concepts/services-networking/network-policies/
 * Istio ServiceEntry: https://istio.io/latest/docs/reference/config/networking/service-entry/
 */
import { egressRestrictedNamespacesMustAllowDns } from "./dnsEgress";
import { jaegerEgressMustAllowOtlpAndZipkin } from "./jaegerEgress";
import { externalServiceEntriesMustUseDnsResolution } from "./serviceEntries";

export * from "./dnsEgress";
export { IP_BLOCK_NOTE } from "./reachability";
export * from "./jaegerEgress";
export * from "./serviceEntries";

export const networkPolicies = [jaegerEgressMustAllowOtlpAndZipkin, egressRestrictedNamespacesMustAllowDns, externalServiceEntriesMustUseDnsResolution];
