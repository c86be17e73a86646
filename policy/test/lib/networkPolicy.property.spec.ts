/**
 * Property test: over small random sets of namespaces, pods (labels, named container ports, addresses),
 * external addresses and NetworkPolicies, the evaluator answers every (source, destination, port, protocol)
 * question exactly as the brute-force reference (referenceNetworkPolicy.ts) does.
 */
import * as assert from "assert";
import * as fc from "fast-check";
import { Endpoint, LabelSelector, NamedNetworkPolicy, NetworkPolicyEvaluator, NetworkPolicyPeer, NetworkPolicyPort, PodEndpoint } from "../../lib/networkPolicy";
import { Universe, allowedTuples } from "./referenceNetworkPolicy";

const NAMESPACES = ["a", "b", "c"];
const PORTS = [1, 2, 3, 4, 5, 6];
const PROTOCOLS = ["TCP", "UDP"];
const VALUES = ["x", "y"];

const labels = (keys: string[]) => fc.dictionary(fc.constantFrom(...keys), fc.constantFrom(...VALUES), { maxKeys: keys.length });

const requirement = (keys: string[], values: string[]) =>
    fc.oneof(
        fc.record({ key: fc.constantFrom(...keys), operator: fc.constantFrom("In", "NotIn"), values: fc.subarray(values, { minLength: 1 }) }),
        fc.record({ key: fc.constantFrom(...keys), operator: fc.constantFrom("Exists", "DoesNotExist") }),
    );

const selector = (keys: string[], values: string[]): fc.Arbitrary<LabelSelector> =>
    fc.record(
        {
            matchLabels: fc.dictionary(fc.constantFrom(...keys), fc.constantFrom(...values), { maxKeys: 1 }),
            matchExpressions: fc.array(requirement(keys, values), { maxLength: 2 }),
        },
        { requiredKeys: [] },
    );

const podSelector = selector(["app", "tier"], VALUES);
const namespaceSelector = selector(["team", "kubernetes.io/metadata.name"], [...VALUES, ...NAMESPACES]);

const peer: fc.Arbitrary<NetworkPolicyPeer> = fc.oneof(
    fc.record({ podSelector }),
    fc.record({ namespaceSelector }),
    fc.record({ namespaceSelector, podSelector }),
    fc.record({ ipBlock: fc.record({ cidr: fc.constantFrom("10.0.0.0/29", "10.0.0.0/30", "10.0.0.4/31", "0.0.0.0/0"), except: fc.constant<string[]>(["10.0.0.2/31"]) }, { requiredKeys: ["cidr"] }) }),
);

const protocol = fc.option(fc.constantFrom(...PROTOCOLS), { nil: undefined });
const port: fc.Arbitrary<NetworkPolicyPort> = fc.oneof(
    fc.record({ protocol }, { requiredKeys: [] }),
    fc.record({ protocol, port: fc.constantFrom(...PORTS) }, { requiredKeys: ["port"] }),
    fc
        .record({ protocol, port: fc.constantFrom(...PORTS), width: fc.nat(3) })
        .map(({ protocol: p, port: start, width }) => ({ ...(p === undefined ? {} : { protocol: p }), port: start, endPort: start + width })),
    fc.record({ protocol, port: fc.constantFrom("http", "dns") }, { requiredKeys: ["port"] }),
);

const peers = fc.option(fc.array(peer, { maxLength: 2 }), { nil: undefined });
const ports = fc.option(fc.array(port, { maxLength: 2 }), { nil: undefined });

const policy: fc.Arbitrary<NamedNetworkPolicy> = fc
    .record({
        namespace: fc.constantFrom(...NAMESPACES),
        podSelector,
        policyTypes: fc.option(fc.constantFrom<string[]>([], ["Ingress"], ["Egress"], ["Ingress", "Egress"]), { nil: undefined }),
        egress: fc.option(fc.array(fc.record({ to: peers, ports }), { maxLength: 2 }), { nil: undefined }),
        ingress: fc.option(fc.array(fc.record({ from: peers, ports }), { maxLength: 2 }), { nil: undefined }),
    })
    .map((p) => ({ namespace: p.namespace, name: "p", spec: { podSelector: p.podSelector, policyTypes: p.policyTypes, egress: p.egress, ingress: p.ingress } }));

const pod: fc.Arbitrary<PodEndpoint> = fc.record(
    {
        kind: fc.constant("pod" as const),
        namespace: fc.constantFrom(...NAMESPACES),
        labels: labels(["app", "tier"]),
        ports: fc.array(fc.record({ name: fc.constantFrom("http", "dns"), containerPort: fc.constantFrom(...PORTS), protocol }, { requiredKeys: ["containerPort"] }), { maxLength: 2 }),
        ip: fc.constantFrom("10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.9"),
    },
    { requiredKeys: ["kind", "namespace", "labels"] },
);

const universe: fc.Arbitrary<Universe> = fc
    .record({
        namespaceLabels: fc.tuple(labels(["team"]), labels(["team"]), labels(["team"])),
        pods: fc.array(pod, { minLength: 1, maxLength: 4 }),
        policies: fc.array(policy, { maxLength: 4 }),
    })
    .map(({ namespaceLabels, pods, policies }) => ({
        namespaces: new Map(NAMESPACES.map((ns, i) => [ns, namespaceLabels[i]])),
        endpoints: [...pods, { kind: "external" as const, ip: "10.0.0.6" }, { kind: "external" as const, ip: "192.168.1.1" }],
        ports: PORTS,
        protocols: PROTOCOLS,
        policies: policies.map((p, i) => ({ ...p, name: `p${i}` })),
    }));

function allows(set: Set<string> | "all", peerIndex: number, port: number, proto: string): boolean {
    return set === "all" || set.has(`${peerIndex}|${port}/${proto}`);
}

describe("NetworkPolicyEvaluator against a brute-force reference", () => {
    it("answers egress, ingress and reachability exactly like the reference for random pods, namespaces and policies", () => {
        let isolatedChecks = 0;
        fc.assert(
            fc.property(universe, (u) => {
                const evaluator = new NetworkPolicyEvaluator(u.policies, u.namespaces);
                const pods = u.endpoints.filter((e): e is PodEndpoint => e.kind === "pod");
                for (const src of pods) {
                    const egress = allowedTuples(u, src, "Egress");
                    isolatedChecks += egress === "all" ? 0 : 1;
                    u.endpoints.forEach((dst: Endpoint, di) => {
                        const ingress = dst.kind === "pod" ? allowedTuples(u, dst, "Ingress") : "all";
                        for (const p of u.ports) {
                            for (const proto of u.protocols) {
                                const e = allows(egress, di, p, proto);
                                const i = allows(ingress, u.endpoints.indexOf(src), p, proto);
                                const what = `${JSON.stringify(src)} -> ${JSON.stringify(dst)} ${p}/${proto}`;
                                assert.strictEqual(evaluator.egressAllows(src, dst, p, proto), e, `egress ${what}`);
                                if (dst.kind === "pod") {
                                    assert.strictEqual(evaluator.ingressAllows(src, dst, p, proto), i, `ingress ${what}`);
                                }
                                assert.strictEqual(evaluator.reachable(src, dst, p, proto), e && i, `reachable ${what}`);
                            }
                        }
                    });
                }
            }),
            { numRuns: 1000 },
        );
        // The generators must actually produce isolated pods, or the property says little.
        assert.ok(isolatedChecks > 100, `only ${isolatedChecks} isolated source pods were generated`);
    });
});
