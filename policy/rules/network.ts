/**
 * Network paths spans and mesh traffic need, judged the way Kubernetes and Istio evaluate the objects:
 * every app namespace reaches the Jaeger pods and the cluster DNS pods (NetworkPolicy evaluator,
 * lib/networkPolicy.ts), and external ServiceEntries let the sidecar resolve and route their hosts.
 *
 * Kubernetes NetworkPolicy API: https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/
 * and https://kubernetes.io/docs/concepts/services-networking/network-policies/
 * Istio ServiceEntry: https://istio.io/latest/docs/reference/config/networking/service-entry/
 */
import * as k8s from "@pulumi/kubernetes";
import { ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import * as ipaddr from "ipaddr.js";
import { COLLECTOR_SERVICE, DNS_PORT, INJECTION_LABEL, JAEGER_EGRESS_PORTS } from "../../lib/constants";
import { StackResource, TYPES, namespaceOf, propsOfType, ref } from "../lib/k8s";
import { readKnown } from "../lib/known";
import { Labels, NamedNetworkPolicy } from "../lib/networkPolicy";
import { configOf, stackResources } from "../lib/policy";
import { StackNetwork, StackPod, StackService, egressRestrictedNamespaces, podsSelectedBy, policyRef, sourcePods, stackNetwork } from "../lib/stackNetwork";

/** A destination pod and, per required port, the port number traffic arrives on at that pod (undefined: not an endpoint for it). */
interface Target {
    readonly pod: StackPod;
    readonly podPort: (port: number, protocol: string) => number | undefined;
}

interface Requirement {
    readonly port: number;
    readonly protocol: string;
}

const show = (r: Requirement) => `${r.protocol} ${r.port}`;

/**
 * Judges every source pod of each namespace against the targets with combined reachability (egress of the
 * source AND ingress of the target) and reports, per namespace, the unreachable ports and the policies
 * considered. Source pods that fail the same way are reported together.
 */
function judgeNamespaces(
    net: StackNetwork,
    namespaces: readonly string[],
    targets: readonly Target[],
    required: readonly Requirement[],
    message: (namespace: string, unreachable: string, from: string, policies: string) => string,
    reportViolation: ReportViolation,
    urnOf: (namespace: string) => string | undefined,
): void {
    for (const ns of namespaces) {
        const pods = sourcePods(net, ns);
        const failures = new Map<string, { pods: StackPod[]; missing: Requirement[] }>();
        for (const src of pods) {
            const missing = required.filter((r) =>
                targets.some((t) => {
                    const port = t.podPort(r.port, r.protocol);
                    return port !== undefined && !net.evaluator.reachable(src, t.pod, port, r.protocol);
                }),
            );
            if (missing.length > 0) {
                const key = missing.map(show).join(", ");
                failures.set(key, { pods: [...(failures.get(key)?.pods ?? []), src], missing });
            }
        }
        for (const [unreachable, f] of failures) {
            const everyPod = failures.size === 1 && f.pods.length === pods.length;
            const from = everyPod ? "" : ` from ${f.pods.map((p) => p.source).join("; ")}`;
            const egress = unique(f.pods.flatMap((p) => net.evaluator.policiesSelecting(p, "Egress")));
            const ingress = unique(targets.flatMap((t) => net.evaluator.policiesSelecting(t.pod, "Ingress")));
            const names = (list: readonly NamedNetworkPolicy[]) => list.map(policyRef).sort().join(", ");
            const policies = `egress policies: ${egress.length === 0 ? "none" : names(egress)}${ingress.length === 0 ? "" : `; ingress policies: ${names(ingress)}`}`;
            reportViolation(message(ns, unreachable, from, policies), urnOf(ns));
        }
    }
}

function unique(policies: readonly NamedNetworkPolicy[]): NamedNetworkPolicy[] {
    return [...new Set(policies)];
}

/** The policy URN a namespace's violation is attached to: its first NetworkPolicy in the stack. */
function firstPolicyUrn(resources: readonly StackResource[], namespace: string): string | undefined {
    return resources.find((r) => {
        const np = propsOfType(k8s.networking.v1.NetworkPolicy, r);
        return np !== undefined && readKnown(r.urn, "namespace", () => namespaceOf(np), []) === namespace;
    })?.urn;
}

/** Reports the resources the pack could not read (unknown during preview, unreadable record) instead of passing. */
function reportBlindSpots(net: StackNetwork, what: string, reportViolation: ReportViolation): void {
    for (const b of net.blindSpots) {
        reportViolation(`${b.what} must be readable for the pack to judge ${what}; ${b.reason}.`, b.urn);
    }
}

/** Where traffic to Service port `port` arrives on `pod`: the (named) targetPort, or the port itself when the Service lacks it. */
function servicePodPort(svc: StackService, pod: StackPod, port: number, protocol: string): number | undefined {
    const sp = svc.ports.find((p) => p.port === port && (p.protocol ?? "TCP") === protocol);
    if (sp === undefined) {
        return port;
    }
    const target = sp.targetPort ?? sp.port;
    if (typeof target === "number") {
        return target;
    }
    return (pod.ports ?? []).find((c) => c.name === target && (c.protocol ?? "TCP") === protocol)?.containerPort;
}

/** The Jaeger pods behind a collector Service: the workloads it selects, or a stand-in with its selector when they are not in the stack. */
function jaegerTargets(net: StackNetwork, svc: StackService): Target[] {
    let pods = podsSelectedBy(svc, net.pods);
    if (pods.length === 0 && svc.selector !== undefined && Object.keys(svc.selector).length > 0) {
        pods = [
            {
                kind: "pod",
                namespace: svc.namespace,
                labels: { ...svc.selector },
                ports: svc.ports.map((p) => ({ containerPort: typeof p.targetPort === "number" ? p.targetPort : p.port, protocol: p.protocol })),
                source: `pods selected by Service ${svc.namespace}/${svc.name}`,
            },
        ];
    }
    return pods.map((pod) => ({ pod, podPort: (port, protocol) => servicePodPort(svc, pod, port, protocol) }));
}

/** Namespaces whose sidecars are injected (they send Zipkin spans), from the stack's Namespace objects and patches. */
function meshNamespaces(net: StackNetwork): string[] {
    return [...net.namespaces].filter(([, labels]) => Object.entries(INJECTION_LABEL).every(([k, v]) => labels[k] === v) || labels["istio.io/rev"] !== undefined).map(([ns]) => ns);
}

export const JAEGER_EGRESS = "jaeger-egress-must-allow-otlp-and-zipkin";

/**
 * Every egress-restricted namespace (and every mesh namespace) reaches the Jaeger pods on 4317, 4318 and 9411
 * (the missing 9411 broke the service graph), judged per namespace over every policy of the stack.
 */
export const jaegerEgressMustAllowOtlpAndZipkin: StackValidationPolicy = {
    name: JAEGER_EGRESS,
    description:
        "Every namespace whose pods Egress NetworkPolicies restrict, and every mesh namespace, must be able to reach the Jaeger pods the collector Service selects on TCP 4317, 4318 and 9411 under all NetworkPolicies of the stack.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Allow egress to the Jaeger pods (namespaceSelector kubernetes.io/metadata.name of the Jaeger namespace AND the pods' labels) on TCP 4317, 4318 and 9411, and let any ingress policy of the Jaeger pods admit the namespace; 9411 carries the sidecars' Zipkin spans (without it Jaeger shows 'No service dependencies found').",
    url: "https://kubernetes.io/docs/concepts/services-networking/network-policies/",
    validateStack: (args, reportViolation) => {
        const resources = stackResources(args);
        const net = stackNetwork(resources);
        reportBlindSpots(net, "egress to Jaeger", reportViolation);
        const namespaces = [...new Set([...egressRestrictedNamespaces(net), ...meshNamespaces(net)])].sort();
        const required = JAEGER_EGRESS_PORTS.map((port) => ({ port, protocol: "TCP" }));
        const wanted = `TCP ${JAEGER_EGRESS_PORTS.join(", ")}`;
        const collectors = net.services.filter((s) => s.name === COLLECTOR_SERVICE.name);
        if (collectors.length === 0) {
            for (const ns of namespaces) {
                reportViolation(`Namespace ${ns} must allow egress to the Jaeger pods on ${wanted}; the pack cannot see them: no Service ${COLLECTOR_SERVICE.name} in the stack.`, firstPolicyUrn(resources, ns));
            }
            return;
        }
        for (const svc of collectors) {
            const targets = jaegerTargets(net, svc);
            const service = `Service ${svc.namespace}/${svc.name}`;
            if (targets.length === 0) {
                for (const ns of namespaces) {
                    reportViolation(`Namespace ${ns} must allow egress to the Jaeger pods on ${wanted}; the pack cannot see them: ${service} selects no pods.`, firstPolicyUrn(resources, ns));
                }
                continue;
            }
            judgeNamespaces(
                net,
                namespaces,
                targets,
                required,
                (ns, unreachable, from, policies) => `Namespace ${ns} must allow egress to the Jaeger pods (${service}) on ${wanted}; unreachable${from}: ${unreachable} (${policies}).`,
                reportViolation,
                (ns) => firstPolicyUrn(resources, ns),
            );
        }
    },
};

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
        const selector = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(",");
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

/**
 * The ServiceEntry fields the rule reads (no typed class exists for Istio's CRDs).
 * @see https://istio.io/latest/docs/reference/config/networking/service-entry/
 */
export interface ServiceEntrySpec {
    readonly hosts?: readonly string[];
    readonly location?: string;
    readonly resolution?: string;
    readonly endpoints?: readonly { readonly address?: string }[];
    readonly workloadSelector?: { readonly labels?: Readonly<Record<string, string>> };
}

/** Typed guard: the spec of an Istio ServiceEntry (any served version), or undefined for another type. */
export function serviceEntrySpecOf(type: string, props: { readonly spec?: ServiceEntrySpec }): ServiceEntrySpec | undefined {
    return TYPES.serviceEntry.some((t) => t === type) ? (props.spec ?? {}) : undefined;
}

export type HostKind = "ip" | "wildcard" | "name";

/** An IPv4 (dotted quad) or IPv6 literal, a wildcard `*.example.com`, or a DNS name. */
export function hostKind(host: string): HostKind {
    if (ipaddr.IPv4.isValidFourPartDecimal(host) || ipaddr.IPv6.isValid(host)) {
        return "ip";
    }
    return host.startsWith("*") ? "wildcard" : "name";
}

const RESOLUTIONS = ["NONE", "STATIC", "DNS", "DNS_ROUND_ROBIN"];

/**
 * Why a MESH_EXTERNAL ServiceEntry would leave the sidecar unable to resolve or route a host, per Istio's
 * ServiceEntry reference (https://istio.io/latest/docs/reference/config/networking/service-entry/#ServiceEntry-Resolution):
 * - NONE "assume[s] that incoming connections have already been resolved" and forwards to the address the
 *   app dialled: right for IP literals and for wildcard hosts (Istio's wildcard egress pattern), wrong for DNS
 *   names (the reference's NXDOMAIN incident);
 * - STATIC routes only to `endpoints` (or the workloads `workloadSelector` picks): none means nowhere;
 * - DNS / DNS_ROUND_ROBIN resolve the host names, or the endpoints' addresses when given; Istio rejects them
 *   for wildcard hosts without endpoints ("hosts must be FQDN if no endpoints are provided").
 * The default location is MESH_EXTERNAL and the default resolution NONE.
 */
export function serviceEntryProblems(name: string, spec: ServiceEntrySpec): string[] {
    if ((spec.location ?? "MESH_EXTERNAL") !== "MESH_EXTERNAL") {
        return [];
    }
    const hosts = spec.hosts ?? [];
    const byKind = (k: HostKind) => hosts.filter((h) => hostKind(h) === k);
    const resolution = spec.resolution ?? "NONE";
    const hasEndpoints = (spec.endpoints ?? []).length > 0;
    if (!RESOLUTIONS.includes(resolution)) {
        return [`ServiceEntry ${name} must use a resolution Istio supports (${RESOLUTIONS.join(", ")}); it has ${resolution}.`];
    }
    if (resolution === "NONE" && byKind("name").length > 0) {
        return [`ServiceEntry ${name} must use resolution DNS for its hosts ${byKind("name").join(", ")}; it has NONE.`];
    }
    if (resolution === "STATIC" && !hasEndpoints && spec.workloadSelector === undefined) {
        return [`ServiceEntry ${name} must list endpoints with resolution STATIC, or the sidecar has nowhere to route ${hosts.join(", ")}; it has none, expected endpoints or resolution DNS.`];
    }
    if ((resolution === "DNS" || resolution === "DNS_ROUND_ROBIN") && !hasEndpoints && byKind("wildcard").length > 0) {
        return [
            `ServiceEntry ${name} must not resolve wildcard hosts ${byKind("wildcard").join(", ")} by ${resolution} without endpoints (Istio resolves only fully qualified names); expected resolution NONE or endpoints.`,
        ];
    }
    return [];
}

export const SERVICE_ENTRY_DNS = "external-service-entries-must-use-dns-resolution";

/** MESH_EXTERNAL ServiceEntries let the sidecar resolve and route their hosts (`NONE` on host names ended in NXDOMAIN in the reference). */
export const externalServiceEntriesMustUseDnsResolution: ResourceValidationPolicy = {
    name: SERVICE_ENTRY_DNS,
    description:
        "A MESH_EXTERNAL ServiceEntry must let the sidecar resolve and route its hosts: DNS names by DNS resolution or STATIC endpoints, wildcard hosts without a DNS lookup of the wildcard, IP literals as they are.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Set spec.resolution: DNS (or DNS_ROUND_ROBIN) for host names; give STATIC entries their endpoints; resolve wildcard hosts with NONE (the app resolves them) or list endpoints.",
    url: "https://istio.io/latest/docs/reference/config/networking/service-entry/#ServiceEntry-Resolution",
    validateResource: (args, reportViolation) => {
        const spec = serviceEntrySpecOf(args.type, args.props);
        for (const problem of spec === undefined ? [] : serviceEntryProblems(ref(args.props), spec)) {
            reportViolation(problem);
        }
    },
};

export const networkPolicies = [jaegerEgressMustAllowOtlpAndZipkin, egressRestrictedNamespacesMustAllowDns, externalServiceEntriesMustUseDnsResolution];
