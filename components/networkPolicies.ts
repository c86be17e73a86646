/**
 * The NetworkPolicy building blocks the components share (`TracingNetworkPolicies` for the apps' egress,
 * `JaegerIngressPolicies` for the Jaeger pods' ingress): peers by namespace name (the label the API server sets
 * on every namespace) and TCP port lists.
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
import type * as k8s from "@pulumi/kubernetes";

export type PolicySpec = k8s.types.input.networking.v1.NetworkPolicySpec;

/** The label the API server puts on every namespace: its name. */
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** A namespace selector of one namespace, by name. */
export function namespaceNamed(name: string): { matchLabels: Record<string, string> } {
    return { matchLabels: { [NAMESPACE_NAME_LABEL]: name } };
}

/** A peer: every pod of these namespaces, by name. */
export function inNamespaces(names: readonly string[]): { namespaceSelector: { matchExpressions: { key: string; operator: string; values: string[] }[] } } {
    return { namespaceSelector: { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: "In", values: [...names] }] } };
}

/** TCP ports of a rule. */
export function tcp(ports: readonly number[]): { protocol: string; port: number }[] {
    return ports.map((port) => ({ protocol: "TCP", port }));
}
