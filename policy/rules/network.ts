/** Network paths spans and mesh traffic need: egress to Jaeger, DNS, external services by name. */
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { DNS_PORT, JAEGER_EGRESS_PORTS, JAEGER_NAME_LABEL } from "../../lib/constants";
import { Obj, TYPES, namespaceOf, ref } from "../lib/k8s";
import { stackResources } from "../lib/policy";

type Port = { protocol: string; port: number | string | undefined };

function rulePorts(rule: Obj): Port[] | "all" {
    const ports: Obj[] | undefined = rule.ports;
    if (ports === undefined || ports.length === 0) {
        return "all";
    }
    return ports.map((p) => ({ protocol: p.protocol ?? "TCP", port: p.port }));
}

/** True when the port list lets `protocol`/`port` through (a missing port allows all ports). */
function allows(ports: Port[] | "all", protocol: string, port: number): boolean {
    return ports === "all" || ports.some((p) => p.protocol === protocol && (p.port === undefined || Number(p.port) === port));
}

function targetsJaeger(rule: Obj): boolean {
    return (rule.to ?? []).some((peer: Obj) => peer.podSelector?.matchLabels?.[JAEGER_NAME_LABEL.key] === JAEGER_NAME_LABEL.value);
}

function isEgressPolicy(spec: Obj): boolean {
    return (spec.policyTypes ?? []).includes("Egress") || spec.egress !== undefined;
}

export const JAEGER_EGRESS = "jaeger-egress-must-allow-otlp-and-zipkin";

/** A policy that allows egress to Jaeger allows OTLP gRPC, OTLP HTTP and Zipkin (the missing 9411 broke the service graph). */
export const jaegerEgressMustAllowOtlpAndZipkin: ResourceValidationPolicy = {
    name: JAEGER_EGRESS,
    description: "A NetworkPolicy that allows egress to the Jaeger pods must allow TCP 4317, 4318 and 9411.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Add the missing ports to the egress rule; 9411 carries the sidecars' Zipkin spans (without it Jaeger shows 'No service dependencies found').",
    url: "https://kubernetes.io/docs/concepts/services-networking/network-policies/",
    validateResource: (args, reportViolation) => {
        if (args.type !== TYPES.networkPolicy) {
            return;
        }
        for (const rule of args.props.spec?.egress ?? []) {
            if (!targetsJaeger(rule)) {
                continue;
            }
            const ports = rulePorts(rule);
            const missing = JAEGER_EGRESS_PORTS.filter((p) => !allows(ports, "TCP", p));
            if (missing.length > 0) {
                reportViolation(`NetworkPolicy ${ref(args.props)} must allow egress to Jaeger on TCP ${JAEGER_EGRESS_PORTS.join(", ")}; missing: ${missing.join(", ")}.`);
            }
        }
    },
};

export const EGRESS_DNS = "egress-restricted-namespaces-must-allow-dns";

/** Once an Egress policy selects a pod, everything else is denied: the namespace must still reach DNS. */
export const egressRestrictedNamespacesMustAllowDns: StackValidationPolicy = {
    name: EGRESS_DNS,
    description: "A namespace whose pods an Egress NetworkPolicy selects must also allow egress to DNS on port 53 over UDP and TCP.",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps: "Add a NetworkPolicy allowing UDP and TCP 53 to the cluster DNS pods in the namespace (the stack's networkPolicies.mode complete does), or rely on an existing baseline policy read into the stack.",
    url: "https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies",
    validateStack: (args, reportViolation) => {
        const byNamespace = new Map<string, { urn: string; spec: Obj; props: Obj }[]>();
        for (const r of stackResources(args)) {
            if (r.type !== TYPES.networkPolicy || !isEgressPolicy(r.props.spec ?? {})) {
                continue;
            }
            const ns = namespaceOf(r.props);
            byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), { urn: r.urn, spec: r.props.spec ?? {}, props: r.props }]);
        }
        for (const [ns, policies] of byNamespace) {
            const rules = policies.flatMap((p) => (p.spec.egress ?? []) as Obj[]);
            for (const protocol of ["UDP", "TCP"]) {
                if (!rules.some((rule) => allows(rulePorts(rule), protocol, DNS_PORT))) {
                    reportViolation(`Namespace ${ns} must allow egress to DNS on ${protocol} ${DNS_PORT} once Egress policies select its pods (policies: ${policies.map((p) => ref(p.props)).join(", ")}).`, policies[0].urn);
                }
            }
        }
    },
};

export const SERVICE_ENTRY_DNS = "external-service-entries-must-use-dns-resolution";

/** MESH_EXTERNAL ServiceEntries with host names resolve by DNS (`NONE` ended in NXDOMAIN in the reference). */
export const externalServiceEntriesMustUseDnsResolution: ResourceValidationPolicy = {
    name: SERVICE_ENTRY_DNS,
    description: "A MESH_EXTERNAL ServiceEntry with host names must use resolution DNS.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Set spec.resolution: DNS (wildcard hosts need a different design: an egress gateway or DNS proxying).",
    url: "https://istio.io/latest/docs/reference/config/networking/service-entry/#ServiceEntry-Resolution",
    validateResource: (args, reportViolation) => {
        if (!TYPES.serviceEntry.includes(args.type as never)) {
            return;
        }
        const spec: Obj = args.props.spec ?? {};
        const named = (spec.hosts ?? []).some((h: string) => !String(h).startsWith("*") && !/^[0-9.]+$/.test(String(h)));
        if ((spec.location ?? "MESH_EXTERNAL") === "MESH_EXTERNAL" && named && spec.resolution !== "DNS") {
            reportViolation(`ServiceEntry ${ref(args.props)} must use resolution DNS for its hosts ${(spec.hosts ?? []).join(", ")}; it has ${spec.resolution ?? "NONE"}.`);
        }
    },
};

export const networkPolicies = [jaegerEgressMustAllowOtlpAndZipkin, egressRestrictedNamespacesMustAllowDns, externalServiceEntriesMustUseDnsResolution];
