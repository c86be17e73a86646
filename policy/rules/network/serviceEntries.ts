/** External ServiceEntries let the sidecar resolve and route their hosts, per Istio's resolution semantics. */
import { ResourceValidationPolicy } from "@pulumi/policy";
import * as ipaddr from "ipaddr.js";
import { TYPES, ref } from "../../lib/k8s";

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
    remediationSteps: "Set spec.resolution: DNS (or DNS_ROUND_ROBIN) for host names; give STATIC entries their endpoints; resolve wildcard hosts with NONE (the app resolves them) or list endpoints.",
    url: "https://istio.io/latest/docs/reference/config/networking/service-entry/#ServiceEntry-Resolution",
    validateResource: (args, reportViolation) => {
        const spec = serviceEntrySpecOf(args.type, args.props);
        for (const problem of spec === undefined ? [] : serviceEntryProblems(ref(args.props), spec)) {
            reportViolation(problem);
        }
    },
};
