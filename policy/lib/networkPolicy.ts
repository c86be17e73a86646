/**
 * One NetworkPolicy evaluator: "may this endpoint reach that one on port X/protocol", answered the
 * way the Kubernetes NetworkPolicy API defines it, for every rule of the pack that asks.
 *
 * Semantics (Kubernetes NetworkPolicy API reference, networking.k8s.io/v1
 * https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/ and the concept page
 * https://kubernetes.io/docs/concepts/services-networking/network-policies/):
 *
 * - A pod is isolated for egress (ingress) when at least one NetworkPolicy in its namespace whose
 *   `podSelector` selects it has `Egress` (`Ingress`) in its `policyTypes`. A non-isolated pod may send
 *   (receive) anything. An isolated pod may send (receive) only what at least one rule of one of those
 *   policies allows: policies are additive (a union), there are no deny rules.
 * - `policyTypes` absent: "it will default based on the existence of ingress or egress rules; policies that
 *   contain an egress section are assumed to affect egress, and all policies (whether or not they contain an
 *   ingress section) are assumed to affect ingress". The API server's defaulting adds `Egress` only when the
 *   egress list is non-empty, so `egress: []` without `policyTypes` is an Ingress-only policy.
 * - `spec.podSelector` is a plain (non-pointer) LabelSelector: absent and `{}` both select every pod of the
 *   policy's namespace.
 * - Reachability of a connection is egress allowed by the source side AND ingress allowed by the destination side.
 * - A rule with no (or empty) `to`/`from` matches every peer; no (or empty) `ports` matches every port.
 * - Peers: `podSelector` alone selects pods in the policy's own namespace; `namespaceSelector` alone selects
 *   every pod of the matching namespaces; both in one peer select the matching pods of the matching namespaces
 *   (AND); `ipBlock` (exclusive) selects addresses in `cidr` and not in any `except`.
 * - Ports: `protocol` defaults to TCP; `port` absent matches every port of that protocol; a numeric `port` with
 *   `endPort` matches the inclusive range; a named `port` matches a container port of that name and protocol on
 *   the destination pod (the pod the policy selects for ingress, the peer pod for egress).
 * - Label selectors: `matchLabels` and `matchExpressions` are ANDed; operators In, NotIn, Exists and
 *   DoesNotExist; an empty selector matches everything.
 * - Namespaces always carry `kubernetes.io/metadata.name: <name>` (set by the API server).
 *
 * Objects the API server would reject (a peer with no selector, `ipBlock` beside a selector, `endPort` with a
 * named or missing `port` or below `port`, an unknown operator or missing values) allow nothing here: they
 * cannot exist in a cluster. Pod IPs are unpredictable ("ipBlock ... should be cluster-external IPs, since Pod
 * IPs are ephemeral"), so `ipBlock` peers match a pod only when the pod's address is given.
 */
import type * as k8s from "@pulumi/kubernetes";
import type { Unwrap } from "@pulumi/pulumi";
import * as ipaddr from "ipaddr.js";

export type NetworkPolicySpec = Unwrap<k8s.types.input.networking.v1.NetworkPolicySpec>;
export type LabelSelector = Unwrap<k8s.types.input.meta.v1.LabelSelector>;
export type NetworkPolicyPeer = Unwrap<k8s.types.input.networking.v1.NetworkPolicyPeer>;
export type NetworkPolicyPort = Unwrap<k8s.types.input.networking.v1.NetworkPolicyPort>;
export type ContainerPort = Unwrap<k8s.types.input.core.v1.ContainerPort>;
export type Labels = Readonly<Record<string, string>>;

/** The label the API server puts on every namespace. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** A pod: its namespace, labels, container ports (for named ports) and, when known, its address. */
export interface PodEndpoint {
    readonly kind: "pod";
    readonly namespace: string;
    readonly labels: Labels;
    readonly ports?: readonly ContainerPort[];
    readonly ip?: string;
}

/** An address outside the cluster's pods (only `ipBlock` peers match it). */
interface ExternalEndpoint {
    readonly kind: "external";
    readonly ip: string;
}

export type Endpoint = PodEndpoint | ExternalEndpoint;

export type PolicyType = "Ingress" | "Egress";

/** A NetworkPolicy as the evaluator needs it; `origin` says where the pack saw it (for messages). */
export interface NamedNetworkPolicy {
    readonly namespace: string;
    readonly name: string;
    readonly spec: NetworkPolicySpec;
    readonly origin?: "stack" | "read";
}

/** `policyTypes`, or the types the API server infers when it is absent or empty. */
export function policyTypesOf(spec: NetworkPolicySpec): PolicyType[] {
    const declared = (spec.policyTypes ?? []).filter((t): t is PolicyType => t === "Ingress" || t === "Egress");
    if ((spec.policyTypes ?? []).length > 0) {
        return declared;
    }
    return (spec.egress ?? []).length > 0 ? ["Ingress", "Egress"] : ["Ingress"];
}

/** True when a label selector matches the labels; an invalid selector matches nothing. */
export function selectorMatches(selector: LabelSelector, labels: Labels): boolean {
    for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
        if (labels[k] !== v) {
            return false;
        }
    }
    for (const e of selector.matchExpressions ?? []) {
        const values = e.values ?? [];
        const has = Object.prototype.hasOwnProperty.call(labels, e.key);
        switch (e.operator) {
            case "In":
                if (values.length === 0 || !has || !values.includes(labels[e.key])) {
                    return false;
                }
                break;
            case "NotIn":
                if (values.length === 0 || (has && values.includes(labels[e.key]))) {
                    return false;
                }
                break;
            case "Exists":
                if (values.length > 0 || !has) {
                    return false;
                }
                break;
            case "DoesNotExist":
                if (values.length > 0 || has) {
                    return false;
                }
                break;
            default:
                return false;
        }
    }
    return true;
}

/** True when `ip` lies in `cidr` (IPv4 or IPv6; an IPv4-mapped IPv6 address counts as IPv4). */
export function cidrContains(cidr: string, ip: string): boolean {
    if (!ipaddr.isValidCIDR(cidr) || !ipaddr.isValid(ip)) {
        return false;
    }
    const range = ipaddr.parseCIDR(cidr);
    const rangeAddr = ipaddr.process(range[0].toString());
    const addr = ipaddr.process(ip);
    if (addr.kind() !== rangeAddr.kind()) {
        return false;
    }
    return addr.match([rangeAddr, range[1]]);
}

function ipBlockMatches(block: NonNullable<NetworkPolicyPeer["ipBlock"]>, ip: string | undefined): boolean {
    return ip !== undefined && cidrContains(block.cidr, ip) && !(block.except ?? []).some((c) => cidrContains(c, ip));
}

/** True when a numeric port/protocol (on the pod `target`, for named ports) is one of the rule's ports. */
function portMatches(ports: readonly NetworkPolicyPort[] | undefined, port: number, protocol: string, target: PodEndpoint | undefined): boolean {
    if (ports === undefined || ports.length === 0) {
        return true;
    }
    return ports.some((p) => {
        if ((p.protocol ?? "TCP") !== protocol) {
            return false;
        }
        if (p.port === undefined) {
            return p.endPort === undefined;
        }
        if (typeof p.port === "number") {
            return p.endPort === undefined ? port === p.port : p.endPort >= p.port && port >= p.port && port <= p.endPort;
        }
        const name = p.port;
        return p.endPort === undefined && (target?.ports ?? []).some((c) => c.name === name && (c.protocol ?? "TCP") === protocol && c.containerPort === port);
    });
}

/**
 * Answers reachability questions over a fixed set of NetworkPolicies and namespace labels.
 * Namespaces missing from `namespaceLabels` have only their name label.
 */
export class NetworkPolicyEvaluator {
    constructor(
        public readonly policies: readonly NamedNetworkPolicy[],
        private readonly labelsByNamespace: ReadonlyMap<string, Labels> = new Map(),
    ) {}

    /** Labels of a namespace, with the `kubernetes.io/metadata.name` label the API server sets. */
    namespaceLabels(namespace: string): Labels {
        return { ...(this.labelsByNamespace.get(namespace) ?? {}), [NAMESPACE_NAME_LABEL]: namespace };
    }

    /** Policies of the pod's namespace that select it and have `type` among their (inferred) policy types. */
    policiesSelecting(pod: PodEndpoint, type: PolicyType): NamedNetworkPolicy[] {
        return this.policies.filter((p) => p.namespace === pod.namespace && selectorMatches(p.spec.podSelector ?? {}, pod.labels) && policyTypesOf(p.spec).includes(type));
    }

    /** True when `peer` (in a rule of a policy of `policyNamespace`) matches `e`. */
    peerMatches(peer: NetworkPolicyPeer, policyNamespace: string, e: Endpoint): boolean {
        if (peer.ipBlock != null) {
            return peer.podSelector == null && peer.namespaceSelector == null && ipBlockMatches(peer.ipBlock, e.ip);
        }
        if (e.kind !== "pod") {
            return false;
        }
        if (peer.namespaceSelector != null) {
            return selectorMatches(peer.namespaceSelector, this.namespaceLabels(e.namespace)) && (peer.podSelector == null || selectorMatches(peer.podSelector, e.labels));
        }
        if (peer.podSelector != null) {
            return e.namespace === policyNamespace && selectorMatches(peer.podSelector, e.labels);
        }
        return false;
    }

    private peersMatch(peers: readonly NetworkPolicyPeer[] | undefined, policyNamespace: string, e: Endpoint): boolean {
        return peers === undefined || peers.length === 0 || peers.some((peer) => this.peerMatches(peer, policyNamespace, e));
    }

    /** May `src` send to `dst` on `port`/`protocol`, as far as the policies selecting `src` (Egress) say. */
    egressAllows(src: PodEndpoint, dst: Endpoint, port: number, protocol = "TCP"): boolean {
        const policies = this.policiesSelecting(src, "Egress");
        return (
            policies.length === 0 ||
            policies.some((p) => (p.spec.egress ?? []).some((rule) => this.peersMatch(rule.to, p.namespace, dst) && portMatches(rule.ports, port, protocol, dst.kind === "pod" ? dst : undefined)))
        );
    }

    /** May `dst` receive from `src` on `port`/`protocol`, as far as the policies selecting `dst` (Ingress) say. */
    ingressAllows(src: Endpoint, dst: PodEndpoint, port: number, protocol = "TCP"): boolean {
        const policies = this.policiesSelecting(dst, "Ingress");
        return policies.length === 0 || policies.some((p) => (p.spec.ingress ?? []).some((rule) => this.peersMatch(rule.from, p.namespace, src) && portMatches(rule.ports, port, protocol, dst)));
    }

    /**
     * The `ipBlock` peers of the rules that would admit this connection if they counted: in the policies selecting
     * `src` for Egress and `dst` for Ingress, on a matching port. The evaluator never counts them for a pod whose
     * address it does not know, so messages name them as rules the verdict leaves out.
     */
    uncountedIpBlocks(src: PodEndpoint, dst: PodEndpoint, port: number, protocol = "TCP"): { policy: NamedNetworkPolicy; type: PolicyType; cidr: string }[] {
        const blocks = (type: PolicyType, pod: PodEndpoint) =>
            this.policiesSelecting(pod, type).flatMap((policy) =>
                (type === "Egress" ? (policy.spec.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports })) : (policy.spec.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports })))
                    .filter((rule) => portMatches(rule.ports, port, protocol, dst))
                    .flatMap((rule) => (rule.peers ?? []).flatMap((peer) => (peer.ipBlock == null ? [] : [{ policy, type, cidr: peer.ipBlock.cidr }]))),
            );
        return [...blocks("Egress", src), ...blocks("Ingress", dst)];
    }

    /** Egress of the source side AND ingress of the destination side (an external destination has no ingress policies). */
    reachable(src: PodEndpoint, dst: Endpoint, port: number, protocol = "TCP"): boolean {
        return this.egressAllows(src, dst, port, protocol) && (dst.kind !== "pod" || this.ingressAllows(src, dst, port, protocol));
    }
}
