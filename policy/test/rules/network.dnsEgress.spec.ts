import * as n from "../../rules/network";
import { dnsEgressPolicy, jaegerEgressPolicy, networkPolicy, readNetworkPolicy, releasesConfigMap } from "../fixtures";
import { egressPolicy, table } from "./networkTable";

const DNS_TO = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } };
const dnsMessage = (ns: string, unreachable: string, policies: string, target = "kube-system k8s-app=kube-dns") =>
    `Namespace ${ns} must allow egress to the DNS pods (${target}) on UDP 53 and TCP 53 once Egress policies select its pods; unreachable${unreachable} (${policies}).`;

describe(n.EGRESS_DNS, () => {
    table(n.egressRestrictedNamespacesMustAllowDns, [
        { name: "passes a namespace that allows DNS over UDP and TCP next to its Jaeger egress", stack: [jaegerEgressPolicy("auth"), dnsEgressPolicy("auth")], expected: [] },
        {
            name: "denies a namespace whose only egress policy is the Jaeger one (the reference)",
            stack: [jaegerEgressPolicy("scan"), jaegerEgressPolicy("auth"), dnsEgressPolicy("auth")],
            expected: [dnsMessage("scan", ": UDP 53, TCP 53", "egress policies: scan/allow-jaeger-egress")],
        },
        {
            name: "denies DNS over UDP only",
            stack: [jaegerEgressPolicy("auth"), dnsEgressPolicy("auth", ["UDP"])],
            expected: [dnsMessage("auth", ": TCP 53", "egress policies: auth/allow-dns-egress, auth/allow-jaeger-egress")],
        },
        {
            name: "passes the program's DNS policy (DNS namespace AND DNS pod labels)",
            stack: [
                jaegerEgressPolicy("auth"),
                egressPolicy("auth", "allow-dns-egress", [
                    {
                        to: [DNS_TO],
                        ports: [
                            { protocol: "UDP", port: 53 },
                            { protocol: "TCP", port: 53 },
                        ],
                    },
                ]),
            ],
            expected: [],
        },
        {
            name: "denies DNS pod labels in the wrong namespace",
            stack: [
                egressPolicy("auth", "allow-dns-egress", [
                    {
                        to: [{ ...DNS_TO, namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "default" } } }],
                        ports: [
                            { protocol: "UDP", port: 53 },
                            { protocol: "TCP", port: 53 },
                        ],
                    },
                ]),
            ],
            expected: [dnsMessage("auth", ": UDP 53, TCP 53", "egress policies: auth/allow-dns-egress")],
        },
        {
            name: "passes CoreDNS's named ports dns (UDP) and dns-tcp (TCP)",
            stack: [
                egressPolicy("auth", "allow-dns-egress", [
                    {
                        to: [DNS_TO],
                        ports: [
                            { protocol: "UDP", port: "dns" },
                            { protocol: "TCP", port: "dns-tcp" },
                        ],
                    },
                ]),
            ],
            expected: [],
        },
        {
            name: "denies a named port with the wrong protocol (dns is UDP)",
            stack: [
                egressPolicy("auth", "allow-dns-egress", [
                    {
                        to: [DNS_TO],
                        ports: [
                            { protocol: "UDP", port: "dns" },
                            { protocol: "TCP", port: "dns" },
                        ],
                    },
                ]),
            ],
            expected: [dnsMessage("auth", ": TCP 53", "egress policies: auth/allow-dns-egress")],
        },
        {
            name: "passes a port range that covers 53",
            stack: [
                egressPolicy("auth", "allow-dns-egress", [
                    {
                        ports: [
                            { protocol: "UDP", port: 1, endPort: 1024 },
                            { protocol: "TCP", port: 53, endPort: 53 },
                        ],
                    },
                ]),
            ],
            expected: [],
        },
        {
            name: "denies an ipBlock: pod addresses are unknown, ipBlock is meant for cluster-external addresses",
            stack: [
                egressPolicy("auth", "allow-dns-egress", [
                    {
                        to: [{ ipBlock: { cidr: "0.0.0.0/0" } }],
                        ports: [
                            { protocol: "UDP", port: 53 },
                            { protocol: "TCP", port: 53 },
                        ],
                    },
                ]),
            ],
            expected: [dnsMessage("auth", ": UDP 53, TCP 53", "egress policies: auth/allow-dns-egress") + ` Not counted: auth/allow-dns-egress egress to ipBlock 0.0.0.0/0 (${n.IP_BLOCK_NOTE}).`],
        },
        {
            name: "names only the ipBlock rules on the missing ports as not counted",
            stack: [
                egressPolicy("auth", "allow-dns-egress", [
                    { to: [DNS_TO], ports: [{ protocol: "UDP", port: 53 }] },
                    { to: [{ ipBlock: { cidr: "10.96.0.0/12" } }], ports: [{ protocol: "TCP", port: 53 }] },
                    { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] },
                ]),
            ],
            expected: [dnsMessage("auth", ": TCP 53", "egress policies: auth/allow-dns-egress") + ` Not counted: auth/allow-dns-egress egress to ipBlock 10.96.0.0/12 (${n.IP_BLOCK_NOTE}).`],
        },
        { name: "does not judge a policy whose empty egress list makes it Ingress-only", stack: [networkPolicy("auth", "ingress-only", { podSelector: {}, egress: [] })], expected: [] },
        {
            name: "uses the configured DNS pods (dnsNamespace, dnsPodLabels)",
            stack: [
                egressPolicy("auth", "allow-dns-egress", [
                    {
                        to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "dns-system" } }, podSelector: { matchLabels: { app: "coredns" } } }],
                        ports: [
                            { protocol: "UDP", port: 53 },
                            { protocol: "TCP", port: 53 },
                        ],
                    },
                ]),
            ],
            config: { dnsNamespace: "dns-system", dnsPodLabels: { app: "coredns" } },
            expected: [],
        },
        {
            name: "denies the same policy under the default DNS pods",
            stack: [
                egressPolicy("auth", "allow-dns-egress", [
                    {
                        to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "dns-system" } }, podSelector: { matchLabels: { app: "coredns" } } }],
                        ports: [
                            { protocol: "UDP", port: 53 },
                            { protocol: "TCP", port: 53 },
                        ],
                    },
                ]),
            ],
            expected: [dnsMessage("auth", ": UDP 53, TCP 53", "egress policies: auth/allow-dns-egress")],
        },
        {
            name: "passes baseline mode: the allow-dns policy the program read in each namespace (reads.json)",
            stack: [
                jaegerEgressPolicy("auth"),
                jaegerEgressPolicy("chat"),
                releasesConfigMap(
                    [],
                    [
                        readNetworkPolicy("auth", "allow-dns", {
                            podSelector: {},
                            policyTypes: ["Egress"],
                            egress: [
                                {
                                    to: [DNS_TO],
                                    ports: [
                                        { protocol: "UDP", port: 53 },
                                        { protocol: "TCP", port: 53 },
                                    ],
                                },
                            ],
                        }),
                        readNetworkPolicy("chat", "allow-dns", {
                            podSelector: {},
                            policyTypes: ["Egress"],
                            egress: [
                                {
                                    to: [DNS_TO],
                                    ports: [
                                        { protocol: "UDP", port: 53 },
                                        { protocol: "TCP", port: 53 },
                                    ],
                                },
                            ],
                        }),
                    ],
                ),
            ],
            expected: [],
        },
        {
            name: "denies baseline mode when the policy read does not allow TCP, naming it",
            stack: [
                jaegerEgressPolicy("auth"),
                releasesConfigMap([], [readNetworkPolicy("auth", "allow-dns", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [DNS_TO], ports: [{ protocol: "UDP", port: 53 }] }] })]),
            ],
            expected: [dnsMessage("auth", ": TCP 53", "egress policies: auth/allow-dns [read from the cluster], auth/allow-jaeger-egress")],
        },
        {
            name: "honors an ingress policy of the DNS pods in the stack",
            stack: [
                jaegerEgressPolicy("auth"),
                dnsEgressPolicy("auth"),
                networkPolicy("kube-system", "dns-ingress", {
                    podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                    ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } }] }],
                }),
            ],
            expected: [dnsMessage("auth", ": UDP 53, TCP 53", "egress policies: auth/allow-dns-egress, auth/allow-jaeger-egress; ingress policies: kube-system/dns-ingress")],
        },
    ]);
});
