/**
 * The evaluator, one semantic rule at a time, each with an allowed and a denied case (the table is in
 * ./networkPolicyCases, by semantic group), then its helpers. Policies are the
 * examples of the Kubernetes NetworkPolicy concept page where it has one
 * (https://kubernetes.io/docs/concepts/services-networking/network-policies/), field semantics from the API
 * reference (https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/).
 */
import * as assert from "assert";
import { NetworkPolicyEvaluator, cidrContains, policyTypesOf, selectorMatches } from "../../lib/networkPolicy";
import { CASES } from "./networkPolicyCases";
import { andPeer, db, multiPortEgress, namespaces, pod, testNetworkPolicy } from "./networkPolicyCases/fixtures";

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
