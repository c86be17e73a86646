/**
 * The network a stack describes, for the NetworkPolicy evaluator (lib/networkPolicy.ts): its
 * NetworkPolicies (those in the stack and those the program read from the cluster and recorded, see
 * RELEASES_CONFIGMAP.readsKey), its namespaces and their labels, the pods its workloads run (with their
 * container ports, for named ports), and its Services.
 *
 * Kubernetes NetworkPolicy API: https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/
 * and https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
import * as k8s from "@pulumi/kubernetes";
import type { Unwrap } from "@pulumi/pulumi";
import { RELEASES_CONFIGMAP, WAYPOINT_POD } from "../../lib/constants";
import { gatewayRef, isWaypoint, stackGateways, waypointPodLabels } from "./ambient";
import { ContainerPort, Labels, NamedNetworkPolicy, NetworkPolicyEvaluator, NetworkPolicySpec, PodEndpoint, selectorMatches } from "./networkPolicy";
import { StackResource, propsOfType, workloadOf } from "./k8s";
import { BlindSpot, plain, readKnown } from "./known";

type ServicePort = Unwrap<k8s.types.input.core.v1.ServicePort>;

/** A pod of the stack: a workload's pod template, or a pod the rules model from a selector or known ports. */
export interface StackPod extends PodEndpoint {
    /** How messages name it, e.g. `Deployment istio-system/jaeger`. */
    readonly source: string;
    /** `namespace/name` of the waypoint Gateway whose pods (istiod's) this stands for. */
    readonly waypoint?: string;
}

export interface StackService {
    readonly namespace: string;
    readonly name: string;
    readonly selector: Labels | undefined;
    readonly ports: readonly ServicePort[];
}

export interface StackNetwork {
    readonly evaluator: NetworkPolicyEvaluator;
    readonly pods: readonly StackPod[];
    readonly services: readonly StackService[];
    /** Labels of the namespaces the stack creates or labels (without the name label the API server adds). */
    readonly namespaces: ReadonlyMap<string, Labels>;
    readonly blindSpots: readonly BlindSpot[];
}

/** A recorded object the program read from the cluster (RELEASES_CONFIGMAP.readsKey). */
interface ReadRecord {
    readonly kind?: string;
    readonly metadata?: { readonly name?: string; readonly namespace?: string };
    readonly spec?: NetworkPolicySpec;
}

/** The NetworkPolicies of the program's reads record(s); unreadable records become blind spots. */
function readNetworkPolicies(resources: readonly StackResource[], blind: BlindSpot[]): NamedNetworkPolicy[] {
    const out: NamedNetworkPolicy[] = [];
    for (const r of resources) {
        const cm = propsOfType(k8s.core.v1.ConfigMap, r);
        // A ConfigMap whose name is unknown is not known to be the record: not a blind spot of this rule.
        if (cm === undefined || readKnown(r.urn, "ConfigMap name", () => cm.metadata?.name, []) !== RELEASES_CONFIGMAP.name) {
            continue;
        }
        const text = readKnown(r.urn, `${RELEASES_CONFIGMAP.readsKey} of the releases record ${r.name}`, () => cm.data?.[RELEASES_CONFIGMAP.readsKey], blind);
        if (text === undefined) {
            continue;
        }
        let records: unknown;
        try {
            records = JSON.parse(text);
        } catch {
            blind.push({ urn: r.urn, what: `${RELEASES_CONFIGMAP.readsKey} of the releases record ${r.name}`, reason: "it is not JSON" });
            continue;
        }
        if (!Array.isArray(records)) {
            blind.push({ urn: r.urn, what: `${RELEASES_CONFIGMAP.readsKey} of the releases record ${r.name}`, reason: "it is not a list" });
            continue;
        }
        for (const rec of records as ReadRecord[]) {
            if (rec?.kind === "NetworkPolicy" && rec.spec !== undefined && typeof rec.metadata?.name === "string") {
                out.push({ namespace: rec.metadata.namespace ?? "default", name: rec.metadata.name, spec: rec.spec, origin: "read" });
            }
        }
    }
    return out;
}

/** Reads the network of a stack: policies (in the stack and recorded reads), namespaces, pods and Services. */
export function stackNetwork(resources: readonly StackResource[]): StackNetwork {
    const blind: BlindSpot[] = [];
    const policies: NamedNetworkPolicy[] = [];
    const namespaces = new Map<string, Record<string, string>>();
    const pods: StackPod[] = [];
    const services: StackService[] = [];
    for (const r of resources) {
        const np = propsOfType(k8s.networking.v1.NetworkPolicy, r);
        if (np !== undefined) {
            const seen = readKnown(r.urn, `NetworkPolicy ${r.name}`, () => plain({ metadata: { name: np.metadata?.name, namespace: np.metadata?.namespace }, spec: np.spec }), blind);
            if (seen?.spec !== undefined) {
                policies.push({ namespace: seen.metadata.namespace ?? "default", name: seen.metadata.name ?? "", spec: seen.spec, origin: "stack" });
            }
            continue;
        }
        const ns = propsOfType(k8s.core.v1.Namespace, r) ?? propsOfType(k8s.core.v1.NamespacePatch, r);
        if (ns !== undefined) {
            const meta = readKnown(r.urn, `Namespace ${r.name}`, () => plain({ name: ns.metadata?.name, labels: ns.metadata?.labels }), blind);
            if (meta?.name !== undefined) {
                namespaces.set(meta.name, { ...(namespaces.get(meta.name) ?? {}), ...(meta.labels ?? {}) });
            }
            continue;
        }
        const svc = propsOfType(k8s.core.v1.Service, r);
        if (svc !== undefined) {
            const s = readKnown(r.urn, `Service ${r.name}`, () => plain({ name: svc.metadata?.name, namespace: svc.metadata?.namespace, selector: svc.spec?.selector, ports: svc.spec?.ports }), blind);
            if (s !== undefined) {
                services.push({ namespace: s.namespace ?? "default", name: s.name ?? "", selector: s.selector, ports: s.ports ?? [] });
            }
            continue;
        }
        const w = workloadOf(r);
        if (w?.template !== undefined) {
            const template = w.template;
            const t = readKnown(
                r.urn,
                `${w.kind} ${r.name}`,
                () => plain({ name: w.metadata?.name, namespace: w.metadata?.namespace, labels: template.metadata?.labels, ports: (template.spec?.containers ?? []).map((c) => c.ports ?? []) }),
                blind,
            );
            if (t !== undefined) {
                const ports: ContainerPort[] = t.ports.flat();
                const namespace = t.namespace ?? "default";
                pods.push({ kind: "pod", namespace, labels: t.labels ?? {}, ports, source: `${w.kind} ${namespace}/${t.name ?? ""}` });
            }
        }
    }
    // The waypoints' pods: istiod deploys them in the Gateway's namespace, so they are not in the stack; they send the
    // namespace's proxy spans in ambient mode, so a rule judges them as pods of that namespace.
    for (const gw of stackGateways(resources, blind).filter(isWaypoint)) {
        const waypoint = gatewayRef(gw);
        pods.push({ kind: "pod", namespace: gw.namespace, labels: waypointPodLabels(gw), ports: [...WAYPOINT_POD.containerPorts], source: `waypoint pods of Gateway ${waypoint}`, waypoint });
    }
    policies.push(...readNetworkPolicies(resources, blind));
    return { evaluator: new NetworkPolicyEvaluator(policies, namespaces), pods, services, namespaces, blindSpots: blind };
}

/** The pods a Service selects among `pods` (Service selectors are equality-only; an empty one selects none). */
export function podsSelectedBy(service: StackService, pods: readonly StackPod[]): StackPod[] {
    const selector = service.selector ?? {};
    if (Object.keys(selector).length === 0) {
        return [];
    }
    return pods.filter((p) => p.namespace === service.namespace && selectorMatches({ matchLabels: { ...selector } }, p.labels));
}

/** A pod that has exactly what a label selector requires (the least-labelled pod it selects), or undefined when none can match. */
function witnessPod(spec: NetworkPolicySpec): Labels | undefined {
    const selector = spec.podSelector ?? {};
    const labels: Record<string, string> = { ...(selector.matchLabels ?? {}) };
    for (const e of selector.matchExpressions ?? []) {
        if ((e.operator === "In" || e.operator === "Exists") && !(e.key in labels)) {
            labels[e.key] = e.operator === "In" ? ((e.values ?? [])[0] ?? "") : "";
        }
    }
    return selectorMatches(selector, labels) ? labels : undefined;
}

function labelText(labels: Labels): string {
    const entries = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
    return entries.length === 0 ? "without labels" : `with labels ${entries.map(([k, v]) => `${k}=${v}`).join(",")}`;
}

/**
 * The pods of a namespace a rule judges: the workloads of the stack there, the pods istiod deploys for its
 * waypoints, the least-labelled pod each Egress policy of the namespace selects (apps are usually deployed
 * elsewhere, so these stand for them), and a pod without labels. Deduplicated by labels and ports.
 */
export function sourcePods(net: StackNetwork, namespace: string): StackPod[] {
    const candidates: StackPod[] = [{ kind: "pod", namespace, labels: {}, source: `pods ${labelText({})}` }];
    for (const p of net.evaluator.policies.filter((x) => x.namespace === namespace)) {
        const labels = witnessPod(p.spec);
        if (labels !== undefined) {
            candidates.push({ kind: "pod", namespace, labels, source: `pods ${labelText(labels)}` });
        }
    }
    candidates.push(...net.pods.filter((p) => p.namespace === namespace).map((p) => (p.waypoint !== undefined ? p : { ...p, source: `pods ${labelText(p.labels)}` })));
    const seen = new Set<string>();
    return candidates.filter((p) => {
        const key = JSON.stringify([Object.entries(p.labels).sort(), p.ports ?? []]);
        return seen.has(key) ? false : (seen.add(key), true);
    });
}

/** Namespaces with at least one pod an Egress policy selects, sorted. */
export function egressRestrictedNamespaces(net: StackNetwork): string[] {
    const namespaces = [...new Set(net.evaluator.policies.map((p) => p.namespace))].sort();
    return namespaces.filter((ns) => sourcePods(net, ns).some((p) => net.evaluator.policiesSelecting(p, "Egress").length > 0));
}

/** `ns/name`, marked when the program read it from the cluster. */
export function policyRef(p: NamedNetworkPolicy): string {
    return `${p.namespace}/${p.name}${p.origin === "read" ? " [read from the cluster]" : ""}`;
}
