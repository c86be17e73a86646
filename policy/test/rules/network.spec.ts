import * as assert from "assert";
import * as n from "../../rules/network";
import { Obj, collectorService, dnsEgressPolicy, jaegerEgressPolicy, jaegerV1Deployment, namespacePatch, networkPolicy, readNetworkPolicy, releasesConfigMap } from "../fixtures";
import { Fixture, UNKNOWN_STRING, stackViolationsOf } from "../harness";

/** The Jaeger side of every stack below: the collector Service and the pods it selects. */
const JAEGER: Fixture[] = [collectorService(), jaegerV1Deployment()];
const JAEGER_TO = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "istio-system" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "jaeger" } } };
const DNS_TO = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } };
const egressPolicy = (ns: string, name: string, egress: Obj[], extra: Obj = {}) => networkPolicy(ns, name, { podSelector: {}, policyTypes: ["Egress"], egress, ...extra });
const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: "TCP", port }));

const jaegerMessage = (ns: string, unreachable: string, policies: string) =>
    `Namespace ${ns} must allow egress to the Jaeger pods (Service istio-system/jaeger-collector-clusterip) on TCP 4317, 4318, 9411; unreachable${unreachable} (${policies}).`;
const dnsMessage = (ns: string, unreachable: string, policies: string, target = "kube-system k8s-app=kube-dns") =>
    `Namespace ${ns} must allow egress to the DNS pods (${target}) on UDP 53 and TCP 53 once Egress policies select its pods; unreachable${unreachable} (${policies}).`;

interface StackCase {
    readonly name: string;
    readonly stack: readonly Fixture[];
    readonly config?: Record<string, unknown>;
    readonly expected: readonly string[];
}

function table(policy: Parameters<typeof stackViolationsOf>[0], cases: readonly StackCase[]): void {
    for (const c of cases) {
        it(c.name, async () => {
            assert.deepStrictEqual(await stackViolationsOf(policy, c.stack, c.config), c.expected);
        });
    }
}

describe(n.JAEGER_EGRESS, () => {
    table(n.jaegerEgressMustAllowOtlpAndZipkin, [
        { name: "passes egress to the Jaeger pods on 4317, 4318 and 9411", stack: [...JAEGER, jaegerEgressPolicy("auth"), dnsEgressPolicy("auth")], expected: [] },
        {
            name: "denies the reference's policy without 9411",
            stack: [...JAEGER, jaegerEgressPolicy("chat", [4317, 4318])],
            expected: [jaegerMessage("chat", ": TCP 9411", "egress policies: chat/allow-jaeger-egress")],
        },
        {
            name: "denies the right pods in the wrong namespace (namespaceSelector AND podSelector)",
            stack: [
                ...JAEGER,
                egressPolicy("auth", "allow-jaeger-egress", [
                    { to: [{ ...JAEGER_TO, namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "observability" } } }], ports: tcp(4317, 4318, 9411) },
                ]),
            ],
            expected: [jaegerMessage("auth", ": TCP 4317, TCP 4318, TCP 9411", "egress policies: auth/allow-jaeger-egress")],
        },
        {
            name: "denies a podSelector-only peer (it selects pods of the policy's own namespace)",
            stack: [...JAEGER, egressPolicy("auth", "allow-jaeger-egress", [{ to: [{ podSelector: JAEGER_TO.podSelector }], ports: tcp(4317, 4318, 9411) }])],
            expected: [jaegerMessage("auth", ": TCP 4317, TCP 4318, TCP 9411", "egress policies: auth/allow-jaeger-egress")],
        },
        {
            name: "passes the ports written as a range (port + endPort)",
            stack: [...JAEGER, egressPolicy("auth", "allow-jaeger-egress", [{ to: [JAEGER_TO], ports: [{ protocol: "TCP", port: 4317, endPort: 4318 }, { port: 9411 }] }])],
            expected: [],
        },
        {
            name: "denies a range that stops short of 9411",
            stack: [...JAEGER, egressPolicy("auth", "allow-jaeger-egress", [{ to: [JAEGER_TO], ports: [{ protocol: "TCP", port: 4317, endPort: 4318 }] }])],
            expected: [jaegerMessage("auth", ": TCP 9411", "egress policies: auth/allow-jaeger-egress")],
        },
        {
            name: "denies the ports over UDP",
            stack: [...JAEGER, egressPolicy("auth", "allow-jaeger-egress", [{ to: [JAEGER_TO], ports: [4317, 4318, 9411].map((port) => ({ protocol: "UDP", port })) }])],
            expected: [jaegerMessage("auth", ": TCP 4317, TCP 4318, TCP 9411", "egress policies: auth/allow-jaeger-egress")],
        },
        {
            name: "passes a Jaeger rule without ports (every port) and a rule without `to` (every destination)",
            stack: [...JAEGER, egressPolicy("auth", "jaeger-all-ports", [{ to: [JAEGER_TO] }]), egressPolicy("chat", "ports-anywhere", [{ ports: tcp(4317, 4318, 9411) }])],
            expected: [],
        },
        {
            name: "passes the ports split over two policies (policies are a union)",
            stack: [...JAEGER, egressPolicy("auth", "otlp", [{ to: [JAEGER_TO], ports: tcp(4317, 4318) }]), egressPolicy("auth", "zipkin", [{ to: [JAEGER_TO], ports: tcp(9411) }])],
            expected: [],
        },
        {
            name: "judges a policy without policyTypes by its egress rules (Egress inferred)",
            stack: [...JAEGER, networkPolicy("auth", "allow-jaeger-egress", { podSelector: {}, egress: [{ to: [JAEGER_TO], ports: tcp(4317, 4318) }] })],
            expected: [jaegerMessage("auth", ": TCP 9411", "egress policies: auth/allow-jaeger-egress")],
        },
        {
            name: "names the pods that cannot reach Jaeger when a policy selects only some of them",
            stack: [
                ...JAEGER,
                egressPolicy("auth", "allow-jaeger-egress", [{ to: [JAEGER_TO], ports: tcp(4317, 4318, 9411) }], { podSelector: { matchLabels: { app: "api" } } }),
                egressPolicy("auth", "locked-down", [], { podSelector: { matchLabels: { app: "batch" } } }),
            ],
            expected: [jaegerMessage("auth", " from pods with labels app=batch: TCP 4317, TCP 4318, TCP 9411", "egress policies: auth/locked-down")],
        },
        {
            name: "resolves named ports against the Jaeger pods' container ports",
            stack: [
                collectorService(),
                (() => {
                    const d = jaegerV1Deployment();
                    d.props.spec.template.spec.containers[0].ports = [
                        { name: "zipkin", containerPort: 9411, protocol: "TCP" },
                        { name: "otlp-grpc", containerPort: 4317, protocol: "TCP" },
                        { name: "otlp-http", containerPort: 4318, protocol: "TCP" },
                    ];
                    return d;
                })(),
                egressPolicy("auth", "allow-jaeger-egress", [{ to: [JAEGER_TO], ports: [{ port: "otlp-grpc" }, { port: "otlp-http" }, { port: "zipkin" }] }]),
                egressPolicy("chat", "allow-jaeger-egress", [{ to: [JAEGER_TO], ports: [{ port: "otlp-grpc" }, { port: "otlp-http" }, { port: "http-zipkin" }] }]),
            ],
            expected: [jaegerMessage("chat", ": TCP 9411", "egress policies: chat/allow-jaeger-egress")],
        },
        {
            name: "honors an ingress policy of the Jaeger pods: a namespace it does not admit cannot reach them",
            stack: [
                ...JAEGER,
                jaegerEgressPolicy("auth"),
                jaegerEgressPolicy("chat"),
                namespacePatch("auth", { "istio-injection": "enabled", mesh: "observability" }),
                networkPolicy("istio-system", "collector-ingress", {
                    podSelector: { matchLabels: { "app.kubernetes.io/name": "jaeger" } },
                    policyTypes: ["Ingress"],
                    ingress: [{ from: [{ namespaceSelector: { matchLabels: { mesh: "observability" } } }], ports: tcp(4317, 4318, 9411) }],
                }),
            ],
            expected: [jaegerMessage("chat", ": TCP 4317, TCP 4318, TCP 9411", "egress policies: chat/allow-jaeger-egress; ingress policies: istio-system/collector-ingress")],
        },
        {
            name: "checks mesh namespaces without egress policies against the Jaeger ingress policy",
            stack: [
                ...JAEGER,
                namespacePatch("scan", { "istio-injection": "enabled" }),
                networkPolicy("istio-system", "collector-ingress", { podSelector: { matchLabels: { "app.kubernetes.io/name": "jaeger" } }, ingress: [{ from: [{ podSelector: {} }] }] }),
            ],
            expected: [jaegerMessage("scan", ": TCP 4317, TCP 4318, TCP 9411", "egress policies: none; ingress policies: istio-system/collector-ingress")],
        },
        {
            name: "takes a policy the program read from the cluster (reads.json) into account",
            stack: [
                ...JAEGER,
                jaegerEgressPolicy("auth", [4317, 4318]),
                releasesConfigMap([], [readNetworkPolicy("auth", "baseline", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [JAEGER_TO], ports: tcp(9411) }] })]),
            ],
            expected: [],
        },
        {
            name: "reports that it cannot see the Jaeger pods when the collector Service is not in the stack",
            stack: [jaegerEgressPolicy("auth")],
            expected: ["Namespace auth must allow egress to the Jaeger pods on TCP 4317, 4318, 9411; the pack cannot see them: no Service jaeger-collector-clusterip in the stack."],
        },
        {
            name: "stands in for Jaeger pods outside the stack with the collector Service's selector",
            stack: [collectorService(), jaegerEgressPolicy("auth"), jaegerEgressPolicy("chat", [4317])],
            expected: [jaegerMessage("chat", ": TCP 4318, TCP 9411", "egress policies: chat/allow-jaeger-egress")],
        },
        { name: "passes a stack without egress policies or mesh namespaces", stack: [...JAEGER], expected: [] },
    ]);

    it("reports a reads record it cannot parse instead of passing", async () => {
        const record = releasesConfigMap([]);
        record.props.data["reads.json"] = "{not json";
        assert.deepStrictEqual(await stackViolationsOf(n.jaegerEgressMustAllowOtlpAndZipkin, [...JAEGER, record]), [
            "reads.json of the releases record observability-stack-charts must be readable for the pack to judge egress to Jaeger; it is not JSON.",
        ]);
    });
});

describe("network rules: what the pack cannot see", () => {
    it("reports a NetworkPolicy whose spec is unknown during preview instead of a silent advisory", async () => {
        const p = jaegerEgressPolicy("auth");
        p.props.spec.egress[0].to[0].podSelector.matchLabels["app.kubernetes.io/name"] = UNKNOWN_STRING;
        const blind =
            "NetworkPolicy allow-jaeger-egress must be readable for the pack to judge egress to DNS; string value at .spec.egress.0.to.0.podSelector.matchLabels.app.kubernetes.io/name can't be known during preview.";
        assert.deepStrictEqual(await stackViolationsOf(n.egressRestrictedNamespacesMustAllowDns, [...JAEGER, p]), [blind]);
        assert.deepStrictEqual(await stackViolationsOf(n.jaegerEgressMustAllowOtlpAndZipkin, [...JAEGER, p]), [blind.replace("egress to DNS", "egress to Jaeger")]);
    });
});

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
            expected: [dnsMessage("auth", ": UDP 53, TCP 53", "egress policies: auth/allow-dns-egress")],
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
