/**
 * The evaluator, one semantic rule at a time, each with an allowed and a denied case. Policies are the
 * examples of the Kubernetes NetworkPolicy concept page where it has one
 * (https://kubernetes.io/docs/concepts/services-networking/network-policies/), field semantics from the API
 * reference (https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/).
 */
import * as assert from "assert";
import { Endpoint, Labels, NamedNetworkPolicy, NetworkPolicyEvaluator, NetworkPolicySpec, PodEndpoint, cidrContains, policyTypesOf, selectorMatches } from "../../lib/networkPolicy";

const pod = (namespace: string, labels: Labels = {}, extra: Partial<PodEndpoint> = {}): PodEndpoint => ({ kind: "pod", namespace, labels, ...extra });
const external = (ip: string): Endpoint => ({ kind: "external", ip });
const policy = (namespace: string, name: string, spec: NetworkPolicySpec): NamedNetworkPolicy => ({ namespace, name, spec });

/** The concept page's `test-network-policy` (namespace default). */
const testNetworkPolicy = policy("default", "test-network-policy", {
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
const multiPortEgress = policy("default", "multi-port-egress", {
    podSelector: { matchLabels: { role: "db" } },
    policyTypes: ["Egress"],
    egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/24" } }], ports: [{ protocol: "TCP", port: 32000, endPort: 32768 }] }],
});

const andPeer = policy("default", "and", {
    podSelector: { matchLabels: { role: "db" } },
    policyTypes: ["Ingress"],
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { user: "alice" } }, podSelector: { matchLabels: { role: "client" } } }] }],
});
const orPeers = policy("default", "or", {
    podSelector: { matchLabels: { role: "db" } },
    policyTypes: ["Ingress"],
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { user: "alice" } } }, { podSelector: { matchLabels: { role: "client" } } }] }],
});

const namespaces = new Map<string, Labels>([
    ["myproject-ns", { project: "myproject" }],
    ["alice", { user: "alice" }],
    ["bob", { user: "bob" }],
]);

const db = pod("default", { role: "db" });
const coredns = pod(
    "kube-system",
    { "k8s-app": "kube-dns" },
    {
        ports: [
            { name: "dns", containerPort: 53, protocol: "UDP" },
            { name: "dns-tcp", containerPort: 53, protocol: "TCP" },
        ],
    },
);
const dnsPolicy = (ports: NetworkPolicySpec["egress"]): NamedNetworkPolicy => policy("auth", "allow-dns", { podSelector: {}, policyTypes: ["Egress"], egress: ports });

interface Case {
    readonly rule: string;
    readonly policies: readonly NamedNetworkPolicy[];
    readonly question: "egress" | "ingress" | "reachable";
    readonly src: Endpoint;
    readonly dst: Endpoint;
    readonly port: number;
    readonly protocol?: string;
    readonly allowed: boolean;
}

const CASES: readonly Case[] = [
    // Isolation and union
    { rule: "a pod no policy selects is not isolated", policies: [testNetworkPolicy], question: "egress", src: pod("default", { role: "web" }), dst: external("8.8.8.8"), port: 53, allowed: true },
    { rule: "a pod a policy selects is isolated", policies: [testNetworkPolicy], question: "egress", src: db, dst: external("8.8.8.8"), port: 53, allowed: false },
    {
        rule: "policies are a union: a second policy adds what the first lacks",
        policies: [testNetworkPolicy, policy("default", "dns", { podSelector: {}, policyTypes: ["Egress"], egress: [{ ports: [{ protocol: "UDP", port: 53 }] }] })],
        question: "egress",
        src: db,
        dst: external("8.8.8.8"),
        port: 53,
        protocol: "UDP",
        allowed: true,
    },
    {
        rule: "a policy in another namespace does not select the pod",
        policies: [policy("other", "deny", { podSelector: {}, policyTypes: ["Egress"] })],
        question: "egress",
        src: db,
        dst: external("1.1.1.1"),
        port: 443,
        allowed: true,
    },
    // Default policies (concept page "Default policies")
    {
        rule: "default-deny-egress denies everything",
        policies: [policy("default", "default-deny-egress", { podSelector: {}, policyTypes: ["Egress"] })],
        question: "egress",
        src: db,
        dst: pod("default"),
        port: 80,
        allowed: false,
    },
    {
        rule: "allow-all-egress allows everything",
        policies: [policy("default", "allow-all-egress", { podSelector: {}, egress: [{}], policyTypes: ["Egress"] })],
        question: "egress",
        src: db,
        dst: pod("x"),
        port: 80,
        allowed: true,
    },
    {
        rule: "default-deny-ingress denies everything",
        policies: [policy("default", "default-deny-ingress", { podSelector: {}, policyTypes: ["Ingress"] })],
        question: "ingress",
        src: pod("x"),
        dst: db,
        port: 80,
        allowed: false,
    },
    {
        rule: "allow-all-ingress allows everything",
        policies: [policy("default", "allow-all-ingress", { podSelector: {}, ingress: [{}] })],
        question: "ingress",
        src: pod("x"),
        dst: db,
        port: 80,
        allowed: true,
    },
    // policyTypes inference
    {
        rule: "policyTypes absent with egress rules: Egress inferred",
        policies: [policy("default", "p", { podSelector: {}, egress: [{ ports: [{ port: 53 }] }] })],
        question: "egress",
        src: db,
        dst: external("1.1.1.1"),
        port: 443,
        allowed: false,
    },
    {
        rule: "policyTypes absent with an empty egress list: Ingress only",
        policies: [policy("default", "p", { podSelector: {}, egress: [] })],
        question: "egress",
        src: db,
        dst: external("1.1.1.1"),
        port: 443,
        allowed: true,
    },
    {
        rule: "policyTypes absent: Ingress always inferred",
        policies: [policy("default", "p", { podSelector: {}, egress: [{}] })],
        question: "ingress",
        src: pod("x"),
        dst: db,
        port: 80,
        allowed: false,
    },
    {
        rule: "policyTypes [Egress] does not isolate ingress",
        policies: [policy("default", "p", { podSelector: {}, policyTypes: ["Egress"] })],
        question: "ingress",
        src: pod("x"),
        dst: db,
        port: 80,
        allowed: true,
    },
    // Peers (test-network-policy ingress)
    { rule: "podSelector alone: pods of the policy's namespace", policies: [testNetworkPolicy], question: "ingress", src: pod("default", { role: "frontend" }), dst: db, port: 6379, allowed: true },
    { rule: "podSelector alone: not pods of another namespace", policies: [testNetworkPolicy], question: "ingress", src: pod("bob", { role: "frontend" }), dst: db, port: 6379, allowed: false },
    {
        rule: "namespaceSelector alone: every pod of a matching namespace",
        policies: [testNetworkPolicy],
        question: "ingress",
        src: pod("myproject-ns", { any: "pod" }),
        dst: db,
        port: 6379,
        allowed: true,
    },
    { rule: "namespaceSelector alone: not a namespace without the label", policies: [testNetworkPolicy], question: "ingress", src: pod("bob"), dst: db, port: 6379, allowed: false },
    {
        rule: "both selectors in one peer are ANDed: client pod in alice's namespace",
        policies: [andPeer],
        question: "ingress",
        src: pod("alice", { role: "client" }),
        dst: db,
        port: 80,
        allowed: true,
    },
    { rule: "both selectors in one peer are ANDed: other pod in alice's namespace", policies: [andPeer], question: "ingress", src: pod("alice", { role: "other" }), dst: db, port: 80, allowed: false },
    { rule: "two peers are ORed: any pod in alice's namespace", policies: [orPeers], question: "ingress", src: pod("alice", { role: "other" }), dst: db, port: 80, allowed: true },
    {
        rule: "two peers are ORed: client pod of another namespace only by podSelector of default",
        policies: [orPeers],
        question: "ingress",
        src: pod("bob", { role: "client" }),
        dst: db,
        port: 80,
        allowed: false,
    },
    { rule: "ipBlock: an address in the CIDR", policies: [testNetworkPolicy], question: "ingress", src: external("172.17.0.5"), dst: db, port: 6379, allowed: true },
    { rule: "ipBlock: except removes a range", policies: [testNetworkPolicy], question: "ingress", src: external("172.17.1.5"), dst: db, port: 6379, allowed: false },
    { rule: "ipBlock: a pod with a known address in the CIDR", policies: [testNetworkPolicy], question: "egress", src: db, dst: pod("x", {}, { ip: "10.0.0.7" }), port: 5978, allowed: true },
    { rule: "ipBlock: a pod of unknown address is not matched", policies: [testNetworkPolicy], question: "egress", src: db, dst: pod("x"), port: 5978, allowed: false },
    {
        rule: "ipBlock: IPv6 CIDR",
        policies: [policy("default", "v6", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "2001:db8::/64", except: ["2001:db8::/120"] } }] }] })],
        question: "egress",
        src: db,
        dst: external("2001:db8::1:1"),
        port: 443,
        allowed: true,
    },
    {
        rule: "ipBlock: IPv6 except",
        policies: [policy("default", "v6", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "2001:db8::/64", except: ["2001:db8::/120"] } }] }] })],
        question: "egress",
        src: db,
        dst: external("2001:db8::5"),
        port: 443,
        allowed: false,
    },
    {
        rule: "empty `to`: every destination",
        policies: [policy("default", "p", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [], ports: [{ port: 443 }] }] })],
        question: "egress",
        src: db,
        dst: external("1.2.3.4"),
        port: 443,
        allowed: true,
    },
    {
        rule: "a peer that selects nothing (API rejects it) allows nothing",
        policies: [policy("default", "p", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{}] }] })],
        question: "egress",
        src: db,
        dst: pod("default"),
        port: 443,
        allowed: false,
    },
    // Ports
    { rule: "port: the listed port", policies: [testNetworkPolicy], question: "egress", src: db, dst: external("10.0.0.1"), port: 5978, allowed: true },
    { rule: "port: another port", policies: [testNetworkPolicy], question: "egress", src: db, dst: external("10.0.0.1"), port: 5979, allowed: false },
    {
        rule: "protocol defaults to TCP",
        policies: [policy("default", "p", { podSelector: {}, policyTypes: ["Egress"], egress: [{ ports: [{ port: 53 }] }] })],
        question: "egress",
        src: db,
        dst: coredns,
        port: 53,
        protocol: "TCP",
        allowed: true,
    },
    {
        rule: "protocol defaults to TCP, so UDP is not allowed",
        policies: [policy("default", "p", { podSelector: {}, policyTypes: ["Egress"], egress: [{ ports: [{ port: 53 }] }] })],
        question: "egress",
        src: db,
        dst: coredns,
        port: 53,
        protocol: "UDP",
        allowed: false,
    },
    { rule: "endPort: inside the range (inclusive)", policies: [multiPortEgress], question: "egress", src: db, dst: external("10.0.0.1"), port: 32768, allowed: true },
    { rule: "endPort: outside the range", policies: [multiPortEgress], question: "egress", src: db, dst: external("10.0.0.1"), port: 32769, allowed: false },
    {
        rule: "port without number: every port of the protocol",
        policies: [policy("default", "p", { podSelector: {}, policyTypes: ["Egress"], egress: [{ ports: [{ protocol: "UDP" }] }] })],
        question: "egress",
        src: db,
        dst: external("1.1.1.1"),
        port: 9999,
        protocol: "UDP",
        allowed: true,
    },
    {
        rule: "port without number: not another protocol",
        policies: [policy("default", "p", { podSelector: {}, policyTypes: ["Egress"], egress: [{ ports: [{ protocol: "UDP" }] }] })],
        question: "egress",
        src: db,
        dst: external("1.1.1.1"),
        port: 9999,
        allowed: false,
    },
    {
        rule: "empty ports: every port",
        policies: [policy("default", "p", { podSelector: {}, policyTypes: ["Egress"], egress: [{ ports: [] }] })],
        question: "egress",
        src: db,
        dst: external("1.1.1.1"),
        port: 12345,
        protocol: "SCTP",
        allowed: true,
    },
    {
        rule: "named port resolves on the destination pod",
        policies: [dnsPolicy([{ ports: [{ protocol: "UDP", port: "dns" }] }])],
        question: "egress",
        src: pod("auth"),
        dst: coredns,
        port: 53,
        protocol: "UDP",
        allowed: true,
    },
    {
        rule: "named port needs the same protocol on the container port",
        policies: [dnsPolicy([{ ports: [{ protocol: "TCP", port: "dns" }] }])],
        question: "egress",
        src: pod("auth"),
        dst: coredns,
        port: 53,
        protocol: "TCP",
        allowed: false,
    },
    {
        rule: "named port does not match an external address",
        policies: [dnsPolicy([{ ports: [{ protocol: "UDP", port: "dns" }] }])],
        question: "egress",
        src: pod("auth"),
        dst: external("8.8.8.8"),
        port: 53,
        protocol: "UDP",
        allowed: false,
    },
    {
        rule: "named port on ingress resolves on the selected pod",
        policies: [policy("kube-system", "dns-in", { podSelector: {}, ingress: [{ ports: [{ protocol: "TCP", port: "dns-tcp" }] }] })],
        question: "ingress",
        src: pod("auth"),
        dst: coredns,
        port: 53,
        allowed: true,
    },
    {
        rule: "endPort with a named port (API rejects it) allows nothing",
        policies: [dnsPolicy([{ ports: [{ protocol: "UDP", port: "dns", endPort: 60 }] }])],
        question: "egress",
        src: pod("auth"),
        dst: coredns,
        port: 53,
        protocol: "UDP",
        allowed: false,
    },
    // Namespace name label
    {
        rule: "namespaces carry kubernetes.io/metadata.name",
        policies: [dnsPolicy([{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }] }])],
        question: "egress",
        src: pod("auth"),
        dst: coredns,
        port: 53,
        protocol: "UDP",
        allowed: true,
    },
    {
        rule: "the right pods in the wrong namespace are not reached",
        policies: [dnsPolicy([{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "dns" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }] }])],
        question: "egress",
        src: pod("auth"),
        dst: coredns,
        port: 53,
        protocol: "UDP",
        allowed: false,
    },
    // Reachability: egress of the source AND ingress of the destination
    {
        rule: "reachable when egress and ingress both allow",
        policies: [dnsPolicy([{}]), policy("kube-system", "dns-in", { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] })],
        question: "reachable",
        src: pod("auth"),
        dst: coredns,
        port: 53,
        protocol: "UDP",
        allowed: true,
    },
    {
        rule: "not reachable when the destination's ingress denies",
        policies: [dnsPolicy([{}]), policy("kube-system", "dns-in", { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] })],
        question: "reachable",
        src: pod("auth"),
        dst: coredns,
        port: 53,
        protocol: "UDP",
        allowed: false,
    },
];

describe("NetworkPolicyEvaluator", () => {
    for (const c of CASES) {
        it(`${c.allowed ? "allows" : "denies"}: ${c.rule}`, () => {
            const e = new NetworkPolicyEvaluator(c.policies, namespaces);
            const protocol = c.protocol ?? "TCP";
            let answer: boolean;
            if (c.question === "egress") {
                assert.ok(c.src.kind === "pod");
                answer = e.egressAllows(c.src, c.dst, c.port, protocol);
            } else if (c.question === "ingress") {
                assert.ok(c.dst.kind === "pod");
                answer = e.ingressAllows(c.src, c.dst, c.port, protocol);
            } else {
                assert.ok(c.src.kind === "pod");
                answer = e.reachable(c.src, c.dst, c.port, protocol);
            }
            assert.strictEqual(answer, c.allowed);
        });
    }

    it("has an allowed and a denied case for every semantic group", () => {
        const verdicts = new Map<string, Set<boolean>>();
        for (const c of CASES) {
            const group = c.rule.split(":")[0];
            verdicts.set(group, new Set([...(verdicts.get(group) ?? []), c.allowed]));
        }
        for (const group of ["ipBlock", "endPort", "port", "port without number", "both selectors in one peer are ANDed", "two peers are ORed", "podSelector alone", "namespaceSelector alone"]) {
            assert.deepStrictEqual([...(verdicts.get(group) ?? [])].sort(), [false, true], group);
        }
    });

    it("gives every namespace its kubernetes.io/metadata.name label, which cannot be overridden", () => {
        const e = new NetworkPolicyEvaluator([], new Map([["auth", { team: "a", "kubernetes.io/metadata.name": "spoofed" }]]));
        assert.deepStrictEqual(e.namespaceLabels("auth"), { team: "a", "kubernetes.io/metadata.name": "auth" });
        assert.deepStrictEqual(e.namespaceLabels("kube-system"), { "kubernetes.io/metadata.name": "kube-system" });
    });

    it("lists the policies that isolate a pod, per direction", () => {
        const e = new NetworkPolicyEvaluator([testNetworkPolicy, multiPortEgress, andPeer], namespaces);
        assert.deepStrictEqual(
            e.policiesSelecting(db, "Egress").map((p) => p.name),
            ["test-network-policy", "multi-port-egress"],
        );
        assert.deepStrictEqual(
            e.policiesSelecting(db, "Ingress").map((p) => p.name),
            ["test-network-policy", "and"],
        );
        assert.deepStrictEqual(e.policiesSelecting(pod("default", { role: "web" }), "Ingress"), []);
    });
});

describe("policyTypesOf", () => {
    it("keeps declared types and infers them as the API server does", () => {
        assert.deepStrictEqual(policyTypesOf({ podSelector: {}, policyTypes: ["Egress"] }), ["Egress"]);
        assert.deepStrictEqual(policyTypesOf({ podSelector: {} }), ["Ingress"]);
        assert.deepStrictEqual(policyTypesOf({ podSelector: {}, policyTypes: [], egress: [{}] }), ["Ingress", "Egress"]);
        assert.deepStrictEqual(policyTypesOf({ podSelector: {}, egress: [] }), ["Ingress"]);
    });
});

describe("selectorMatches", () => {
    const labels = { app: "web", tier: "front" };
    const table: [string, Parameters<typeof selectorMatches>[0], boolean][] = [
        ["empty selector matches everything", {}, true],
        ["matchLabels equal", { matchLabels: { app: "web" } }, true],
        ["matchLabels different value", { matchLabels: { app: "db" } }, false],
        ["In with the value", { matchExpressions: [{ key: "tier", operator: "In", values: ["front", "back"] }] }, true],
        ["In without the value", { matchExpressions: [{ key: "tier", operator: "In", values: ["back"] }] }, false],
        ["In on a missing key", { matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] }, false],
        ["NotIn on a missing key", { matchExpressions: [{ key: "zone", operator: "NotIn", values: ["a"] }] }, true],
        ["NotIn with the value", { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["front"] }] }, false],
        ["Exists", { matchExpressions: [{ key: "app", operator: "Exists" }] }, true],
        ["Exists on a missing key", { matchExpressions: [{ key: "zone", operator: "Exists" }] }, false],
        ["DoesNotExist on a missing key", { matchExpressions: [{ key: "zone", operator: "DoesNotExist" }] }, true],
        ["DoesNotExist on a present key", { matchExpressions: [{ key: "app", operator: "DoesNotExist" }] }, false],
        ["matchLabels AND matchExpressions", { matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "In", values: ["back"] }] }, false],
        ["an unknown operator (API rejects it) matches nothing", { matchExpressions: [{ key: "app", operator: "Equals", values: ["web"] }] }, false],
        ["In without values (API rejects it) matches nothing", { matchExpressions: [{ key: "app", operator: "In", values: [] }] }, false],
    ];
    for (const [what, selector, expected] of table) {
        it(`${expected ? "matches" : "does not match"}: ${what}`, () => {
            assert.strictEqual(selectorMatches(selector, labels), expected);
        });
    }
});

describe("cidrContains", () => {
    it("matches IPv4 and IPv6 addresses by prefix and never across families", () => {
        assert.deepStrictEqual(
            [
                cidrContains("10.0.0.0/24", "10.0.0.255"),
                cidrContains("10.0.0.0/24", "10.0.1.0"),
                cidrContains("0.0.0.0/0", "203.0.113.9"),
                cidrContains("2001:db8::/64", "2001:db8::ffff"),
                cidrContains("0.0.0.0/0", "2001:db8::1"),
                cidrContains("10.0.0.0/8", "::ffff:10.1.2.3"),
                cidrContains("not-a-cidr", "10.0.0.1"),
            ],
            [true, false, true, true, false, true, false],
        );
    });
});
