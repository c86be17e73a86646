/**
 * Whether the pods of each namespace reach a set of target pods, judged with combined reachability (the
 * NetworkPolicy evaluator, lib/networkPolicy.ts), and how the NetworkPolicy rules report what they find.
 */
import * as k8s from "@pulumi/kubernetes";
import { ReportViolation } from "@pulumi/policy";
import { StackResource, namespaceOf, propsOfType } from "../../lib/k8s";
import { readKnown } from "../../lib/known";
import { NamedNetworkPolicy } from "../../lib/networkPolicy";
import { StackNetwork, StackPod, policyRef, sourcePods } from "../../lib/stackNetwork";

/** A destination pod and, per required port, the port number traffic arrives on at that pod (undefined: not an endpoint for it). */
export interface Target {
    readonly pod: StackPod;
    readonly podPort: (port: number, protocol: string) => number | undefined;
}

export interface Requirement {
    readonly port: number;
    readonly protocol: string;
}

const show = (r: Requirement) => `${r.protocol} ${r.port}`;

/**
 * Judges every source pod of each namespace against the targets with combined reachability (egress of the
 * source AND ingress of the target) and reports, per namespace, the unreachable ports and the policies
 * considered. Source pods that fail the same way are reported together.
 */
export function judgeNamespaces(
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
            reportViolation(message(ns, unreachable, from, policies) + uncountedNote(net, f.pods, targets, f.missing), urnOf(ns));
        }
    }
}

/** Why an ipBlock rule is not counted as reaching pods, and what to write instead. */
export const IP_BLOCK_NOTE =
    "an ipBlock does not select pods: pod IPs change with every restart, and CNIs differ on whether ipBlock applies to pod-to-pod traffic at all (Kubernetes documents it for cluster-external IPs); select the pods with namespaceSelector and podSelector instead";

/** " Not counted: <rules> (<why>)." for the ipBlock rules that would admit the missing ports, or "" when there are none. */
function uncountedNote(net: StackNetwork, pods: readonly StackPod[], targets: readonly Target[], missing: readonly Requirement[]): string {
    const rules = new Set<string>();
    for (const src of pods) {
        for (const t of targets) {
            for (const r of missing) {
                const port = t.podPort(r.port, r.protocol);
                if (port !== undefined) {
                    for (const b of net.evaluator.uncountedIpBlocks(src, t.pod, port, r.protocol)) {
                        rules.add(`${policyRef(b.policy)} ${b.type === "Egress" ? "egress to" : "ingress from"} ipBlock ${b.cidr}`);
                    }
                }
            }
        }
    }
    return rules.size === 0 ? "" : ` Not counted: ${[...rules].sort().join(", ")} (${IP_BLOCK_NOTE}).`;
}

function unique(policies: readonly NamedNetworkPolicy[]): NamedNetworkPolicy[] {
    return [...new Set(policies)];
}

/** The policy URN a namespace's violation is attached to: its first NetworkPolicy in the stack. */
export function firstPolicyUrn(resources: readonly StackResource[], namespace: string): string | undefined {
    return resources.find((r) => {
        const np = propsOfType(k8s.networking.v1.NetworkPolicy, r);
        return np !== undefined && readKnown(r.urn, "namespace", () => namespaceOf(np), []) === namespace;
    })?.urn;
}

/** Reports the resources the pack could not read (unknown during preview, unreadable record) instead of passing. */
export function reportBlindSpots(net: StackNetwork, what: string, reportViolation: ReportViolation): void {
    for (const b of net.blindSpots) {
        reportViolation(`${b.what} must be readable for the pack to judge ${what}; ${b.reason}.`, b.urn);
    }
}
