/**
 * The policies, endpoints and namespaces the evaluator's cases (./index.ts) are built from. Policies are the
 * examples of the Kubernetes NetworkPolicy concept page where it has one
 * (https://kubernetes.io/docs/concepts/services-networking/network-policies/).
 */
import { Endpoint, Labels, NamedNetworkPolicy, NetworkPolicySpec, PodEndpoint } from "../../../lib/networkPolicy";

export const pod = (namespace: string, labels: Labels = {}, extra: Partial<PodEndpoint> = {}): PodEndpoint => ({ kind: "pod", namespace, labels, ...extra });
export const external = (ip: string): Endpoint => ({ kind: "external", ip });
export const policy = (namespace: string, name: string, spec: NetworkPolicySpec): NamedNetworkPolicy => ({ namespace, name, spec });

/** The concept page's `test-network-policy` (namespace default). */
export const testNetworkPolicy = policy("default", "test-network-policy", {
    podSelector: { matchLabels: { role: "db" } },
    policyTypes: ["Ingress", "Egress"],
    ingress: [
        {
            from: [
                { ipBlock: { cidr: "172.17.0.0/16", except: ["172.17.1.0/24"] } },
                { namespaceSelector: { matchLabels: { project: "myproject" } } },
                { podSelector: { matchLabels: { role: "frontend" } } },
            ],
            ports: [{ protocol: "TCP", port: 6379 }],
        },
    ],
    egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/24" } }], ports: [{ protocol: "TCP", port: 5978 }] }],
});

/** The concept page's `multi-port-egress` (endPort). */
export const multiPortEgress = policy("default", "multi-port-egress", {
    podSelector: { matchLabels: { role: "db" } },
    policyTypes: ["Egress"],
    egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/24" } }], ports: [{ protocol: "TCP", port: 32000, endPort: 32768 }] }],
});

export const andPeer = policy("default", "and", {
    podSelector: { matchLabels: { role: "db" } },
    policyTypes: ["Ingress"],
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { user: "alice" } }, podSelector: { matchLabels: { role: "client" } } }] }],
});
export const orPeers = policy("default", "or", {
    podSelector: { matchLabels: { role: "db" } },
    policyTypes: ["Ingress"],
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { user: "alice" } } }, { podSelector: { matchLabels: { role: "client" } } }] }],
});

export const namespaces = new Map<string, Labels>([
    ["myproject-ns", { project: "myproject" }],
    ["alice", { user: "alice" }],
    ["bob", { user: "bob" }],
]);

export const db = pod("default", { role: "db" });
export const coredns = pod(
    "kube-system",
    { "k8s-app": "kube-dns" },
    {
        ports: [
            { name: "dns", containerPort: 53, protocol: "UDP" },
            { name: "dns-tcp", containerPort: 53, protocol: "TCP" },
        ],
    },
);
export const dnsPolicy = (ports: NetworkPolicySpec["egress"]): NamedNetworkPolicy => policy("auth", "allow-dns", { podSelector: {}, policyTypes: ["Egress"], egress: ports });

export interface Case {
    readonly rule: string;
    readonly policies: readonly NamedNetworkPolicy[];
    readonly question: "egress" | "ingress" | "reachable";
    readonly src: Endpoint;
    readonly dst: Endpoint;
    readonly port: number;
    readonly protocol?: string;
    readonly allowed: boolean;
}
