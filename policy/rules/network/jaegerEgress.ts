/** Spans reach Jaeger: every namespace that sends them can reach the Jaeger pods on the OTLP and Zipkin ports. */
import { StackValidationPolicy } from "@pulumi/policy";
import { COLLECTOR_SERVICE, JAEGER_EGRESS_PORTS } from "../../../lib/constants";
import { isAmbient, sidecarInjectionLabel } from "../../lib/ambient";
import { stackResources } from "../../lib/policy";
import { StackNetwork, StackPod, StackService, egressRestrictedNamespaces, podsSelectedBy, stackNetwork } from "../../lib/stackNetwork";
import { Target, firstPolicyUrn, judgeNamespaces, reportBlindSpots } from "./reachability";

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

/** The Jaeger pods behind a collector Service: the workloads it selects, or a pod modelled from its selector when they are not in the stack. */
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

/**
 * The mesh's namespaces, from the stack's Namespace objects and patches: those whose pods get sidecars (which send Zipkin
 * spans), and those in ambient mode, where the namespace's waypoint pods send them (istiod deploys the waypoint in the
 * namespace of its Gateway; they are not in the stack, so the pods the rule judges there stand for them too).
 */
function meshNamespaces(net: StackNetwork): string[] {
    return [...net.namespaces].filter(([, labels]) => sidecarInjectionLabel(labels) !== undefined || isAmbient(labels)).map(([ns]) => ns);
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
        "Allow egress to the Jaeger pods (namespaceSelector kubernetes.io/metadata.name of the Jaeger namespace AND the pods' labels) on TCP 4317, 4318 and 9411, and let any ingress policy of the Jaeger pods admit the namespace; 9411 carries the sidecars' and waypoints' Zipkin spans (without it Jaeger shows 'No service dependencies found').",
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
                reportViolation(
                    `Namespace ${ns} must allow egress to the Jaeger pods on ${wanted}; the pack cannot see them: no Service ${COLLECTOR_SERVICE.name} in the stack.`,
                    firstPolicyUrn(resources, ns),
                );
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
