/** Egress-restricted namespaces still resolve names: they reach the cluster DNS pods on port 53. */
import { StackValidationPolicy } from "@pulumi/policy";
import { DNS_PORT } from "../../../lib/constants";
import { Labels } from "../../lib/networkPolicy";
import { configOf, stackResources } from "../../lib/policy";
import { StackPod, egressRestrictedNamespaces, stackNetwork } from "../../lib/stackNetwork";
import { firstPolicyUrn, judgeNamespaces, reportBlindSpots } from "./reachability";

export const EGRESS_DNS = "egress-restricted-namespaces-must-allow-dns";

/** Config of {@link egressRestrictedNamespacesMustAllowDns}: where the cluster DNS pods run (usually not in the stack). */
export interface EgressDnsArgs {
    /** Namespace of the cluster DNS pods (the program's `networkPolicies.dnsNamespace`). @default "kube-system" */
    dnsNamespace: string;
    /** Labels of the cluster DNS pods (the program's `networkPolicies.dnsPodLabels`). @default { "k8s-app": "kube-dns" } */
    dnsPodLabels: Record<string, string>;
}

/** CoreDNS's container ports (kube-dns Deployment): named ports in policies resolve against them. */
const DNS_CONTAINER_PORTS = [
    { name: "dns", containerPort: DNS_PORT, protocol: "UDP" },
    { name: "dns-tcp", containerPort: DNS_PORT, protocol: "TCP" },
];

/** Once an Egress policy selects a pod, everything else is denied: the namespace must still reach the DNS pods. */
export const egressRestrictedNamespacesMustAllowDns: StackValidationPolicy = {
    name: EGRESS_DNS,
    description: "A namespace whose pods an Egress NetworkPolicy selects must still be able to reach the cluster DNS pods on port 53 over UDP and TCP under all NetworkPolicies of the stack.",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
        "Add a NetworkPolicy allowing UDP and TCP 53 to the cluster DNS pods (namespaceSelector kubernetes.io/metadata.name of the DNS namespace AND the DNS pod labels) in the namespace (the stack's networkPolicies.mode complete does), or rely on a baseline policy the program reads and records (mode baseline); set dnsNamespace/dnsPodLabels in the policy config when DNS runs elsewhere.",
    url: "https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies",
    configSchema: {
        properties: {
            dnsNamespace: { type: "string", minLength: 1, default: "kube-system" },
            dnsPodLabels: { type: "object", additionalProperties: { type: "string" }, default: { "k8s-app": "kube-dns" } },
        },
    },
    validateStack: (args, reportViolation) => {
        const { dnsNamespace, dnsPodLabels } = configOf<EgressDnsArgs>(args);
        const resources = stackResources(args);
        const net = stackNetwork(resources);
        reportBlindSpots(net, "egress to DNS", reportViolation);
        const labels: Labels = { ...dnsPodLabels };
        const inStack = net.pods.filter((p) => p.namespace === dnsNamespace && Object.entries(labels).every(([k, v]) => p.labels[k] === v));
        const dnsPods: StackPod[] = inStack.length > 0 ? inStack : [{ kind: "pod", namespace: dnsNamespace, labels, ports: DNS_CONTAINER_PORTS, source: "cluster DNS pods" }];
        const selector = Object.entries(labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(",");
        judgeNamespaces(
            net,
            egressRestrictedNamespaces(net),
            dnsPods.map((pod) => ({ pod, podPort: (port) => port })),
            [
                { port: DNS_PORT, protocol: "UDP" },
                { port: DNS_PORT, protocol: "TCP" },
            ],
            (ns, unreachable, from, policies) =>
                `Namespace ${ns} must allow egress to the DNS pods (${dnsNamespace} ${selector}) on UDP ${DNS_PORT} and TCP ${DNS_PORT} once Egress policies select its pods; unreachable${from}: ${unreachable} (${policies}).`,
            reportViolation,
            (ns) => firstPolicyUrn(resources, ns),
        );
    },
};
