/**
 * A brute-force reference for the NetworkPolicy evaluator, written independently of it: it expands every
 * policy into the explicit set of (peer, port, protocol) tuples it allows over a small finite universe,
 * converts `matchLabels` into equality requirements the way apimachinery's LabelSelectorAsSelector does, and
 * does IPv4 CIDR arithmetic by hand. The property test compares both answers for every tuple.
 */
import { ContainerPort, Endpoint, NamedNetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, PodEndpoint } from "../../lib/networkPolicy";

export interface Universe {
    readonly namespaces: ReadonlyMap<string, Readonly<Record<string, string>>>;
    readonly endpoints: readonly Endpoint[];
    readonly ports: readonly number[];
    readonly protocols: readonly string[];
    readonly policies: readonly NamedNetworkPolicy[];
}

interface Requirement {
    key: string;
    op: "=" | "In" | "NotIn" | "Exists" | "DoesNotExist";
    values: readonly string[];
}

function requirements(selector: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] }): Requirement[] | "invalid" {
    const out: Requirement[] = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => ({ key, op: "=" as const, values: [value] }));
    for (const e of selector.matchExpressions ?? []) {
        if (e.operator !== "In" && e.operator !== "NotIn" && e.operator !== "Exists" && e.operator !== "DoesNotExist") {
            return "invalid";
        }
        out.push({ key: e.key, op: e.operator, values: e.values ?? [] });
    }
    return out;
}

function satisfies(r: Requirement, labels: Readonly<Record<string, string>>): boolean {
    const present = Object.keys(labels).includes(r.key);
    switch (r.op) {
        case "=":
            return present && labels[r.key] === r.values[0];
        case "In":
            return r.values.length > 0 && present && r.values.includes(labels[r.key]);
        case "NotIn":
            return r.values.length > 0 && (!present || !r.values.includes(labels[r.key]));
        case "Exists":
            return r.values.length === 0 && present;
        case "DoesNotExist":
            return r.values.length === 0 && !present;
    }
}

function matches(selector: Parameters<typeof requirements>[0], labels: Readonly<Record<string, string>>): boolean {
    const reqs = requirements(selector);
    return reqs !== "invalid" && reqs.filter((r) => !satisfies(r, labels)).length === 0;
}

function ipv4(ip: string): number {
    return ip.split(".").reduce((acc, part) => acc * 256 + Number(part), 0);
}

function inCidr(cidr: string, ip: string): boolean {
    const [base, bits] = cidr.split("/");
    const size = 2 ** (32 - Number(bits));
    return Math.floor(ipv4(ip) / size) === Math.floor(ipv4(base) / size);
}

function nsLabels(u: Universe, ns: string): Readonly<Record<string, string>> {
    return { ...(u.namespaces.get(ns) ?? {}), "kubernetes.io/metadata.name": ns };
}

function peerEndpoints(u: Universe, peer: NetworkPolicyPeer, policyNamespace: string): Endpoint[] {
    const hasPod = peer.podSelector !== undefined;
    const hasNs = peer.namespaceSelector !== undefined;
    if (peer.ipBlock !== undefined) {
        if (hasPod || hasNs) {
            return [];
        }
        const block = peer.ipBlock;
        return u.endpoints.filter((e) => e.ip !== undefined && inCidr(block.cidr, e.ip) && (block.except ?? []).every((x) => !inCidr(x, e.ip as string)));
    }
    const pods = u.endpoints.filter((e): e is PodEndpoint => e.kind === "pod");
    if (hasNs && hasPod) {
        return pods.filter((p) => matches(peer.namespaceSelector ?? {}, nsLabels(u, p.namespace)) && matches(peer.podSelector ?? {}, p.labels));
    }
    if (hasNs) {
        return pods.filter((p) => matches(peer.namespaceSelector ?? {}, nsLabels(u, p.namespace)));
    }
    if (hasPod) {
        return pods.filter((p) => p.namespace === policyNamespace && matches(peer.podSelector ?? {}, p.labels));
    }
    return [];
}

function portTuples(u: Universe, entry: NetworkPolicyPort, namedOn: readonly ContainerPort[]): string[] {
    const protocol = entry.protocol ?? "TCP";
    let numbers: number[];
    if (entry.port === undefined) {
        numbers = entry.endPort === undefined ? [...u.ports] : [];
    } else if (typeof entry.port === "number") {
        const from = entry.port;
        const to = entry.endPort ?? entry.port;
        numbers = to < from ? [] : u.ports.filter((p) => p >= from && p <= to);
    } else {
        const name = entry.port;
        numbers = entry.endPort !== undefined ? [] : namedOn.filter((c) => c.name === name && (c.protocol ?? "TCP") === protocol).map((c) => c.containerPort);
    }
    return numbers.map((n) => `${n}/${protocol}`);
}

function allPortTuples(u: Universe): string[] {
    return u.ports.flatMap((p) => u.protocols.map((proto) => `${p}/${proto}`));
}

function types(p: NamedNetworkPolicy): string[] {
    if (p.spec.policyTypes !== undefined && p.spec.policyTypes.length > 0) {
        return p.spec.policyTypes;
    }
    return p.spec.egress !== undefined && p.spec.egress.length > 0 ? ["Ingress", "Egress"] : ["Ingress"];
}

/** Set of `peerIndex|port/protocol` the pod at `self` may reach (Egress) or be reached by (Ingress); "all" when not isolated. */
export function allowedTuples(u: Universe, self: PodEndpoint, direction: "Ingress" | "Egress"): Set<string> | "all" {
    const isolating = u.policies.filter((p) => p.namespace === self.namespace && matches(p.spec.podSelector ?? {}, self.labels) && types(p).includes(direction));
    if (isolating.length === 0) {
        return "all";
    }
    const out = new Set<string>();
    for (const p of isolating) {
        const rules = direction === "Egress" ? (p.spec.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports })) : (p.spec.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports }));
        for (const rule of rules) {
            const peers = rule.peers === undefined || rule.peers.length === 0 ? [...u.endpoints] : rule.peers.flatMap((peer) => peerEndpoints(u, peer, p.namespace));
            for (const peer of peers) {
                // Named ports resolve on the destination: the peer for egress, the selected pod for ingress.
                const namedOn = direction === "Egress" ? (peer.kind === "pod" ? (peer.ports ?? []) : []) : (self.ports ?? []);
                const tuples = rule.ports === undefined || rule.ports.length === 0 ? allPortTuples(u) : rule.ports.flatMap((entry) => portTuples(u, entry, namedOn));
                for (const t of tuples) {
                    out.add(`${u.endpoints.indexOf(peer)}|${t}`);
                }
            }
        }
    }
    return out;
}
