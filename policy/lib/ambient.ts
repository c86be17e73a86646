/**
 * Istio's ambient data plane as a stack describes it: the namespaces it labels (sidecar injection or ambient, and
 * the waypoint they use) and the Gateway API Gateways it declares (waypoints are those of class istio-waypoint).
 * Values unknown during preview become blind spots the rules report.
 */
import * as k8s from "@pulumi/kubernetes";
import { AMBIENT_LABELS, AMBIENT_LABEL_VALUES, INJECTION_LABEL, REVISION_LABEL, WAYPOINT, WAYPOINT_POD } from "../../lib/constants";
import { StackResource, TYPES, asList, asObject, at, customResourceOf, propsOfType } from "./k8s";
import { BlindSpot, plain, readKnown } from "./known";
import { LabelSelector, NAMESPACE_NAME_LABEL, selectorMatches } from "./networkPolicy";

type Labels = Readonly<Record<string, string>>;

/** A namespace the stack creates or labels (Namespace and NamespacePatch objects of one name merged). */
export interface StackNamespace {
    readonly name: string;
    readonly labels: Labels;
    readonly urn: string;
}

/** The namespaces of the stack with their labels, in the order they appear. */
export function stackNamespaces(resources: readonly StackResource[], blind: BlindSpot[]): StackNamespace[] {
    const out = new Map<string, StackNamespace>();
    for (const r of resources) {
        const ns = propsOfType(k8s.core.v1.Namespace, r) ?? propsOfType(k8s.core.v1.NamespacePatch, r);
        if (ns === undefined) {
            continue;
        }
        const meta = readKnown(r.urn, `Namespace ${r.name}`, () => plain({ name: ns.metadata?.name, labels: ns.metadata?.labels }), blind);
        if (meta?.name !== undefined) {
            const seen = out.get(meta.name);
            out.set(meta.name, { name: meta.name, labels: { ...(seen?.labels ?? {}), ...(meta.labels ?? {}) }, urn: seen?.urn ?? r.urn });
        }
    }
    return [...out.values()];
}

/** `istio.io/dataplane-mode: ambient`: istio-cni enrols the namespace's pods in ambient mode. */
export function isAmbient(labels: Labels): boolean {
    return labels[AMBIENT_LABELS.dataplaneMode] === AMBIENT_LABEL_VALUES.dataplaneMode;
}

/**
 * The label that makes the sidecar injector inject the namespace's pods: `istio-injection: enabled`, or `istio.io/rev`
 * without an `istio-injection` label (`istio-injection: disabled` overrides a revision; istio/istio 1.30.3
 * pkg/config/analysis/analyzers/injection/injection.go reads them the same way), as `key=value`; undefined when none.
 */
export function sidecarInjectionLabel(labels: Labels): string | undefined {
    const [key, value] = Object.entries(INJECTION_LABEL)[0];
    if (labels[key] === value) {
        return `${key}=${value}`;
    }
    return labels[key] === undefined && labels[REVISION_LABEL] !== undefined ? `${REVISION_LABEL}=${labels[REVISION_LABEL]}` : undefined;
}

/** A Gateway API Gateway of the stack: a waypoint when its class is istio-waypoint. */
export interface StackGateway {
    readonly namespace: string;
    readonly name: string;
    readonly className: string;
    /** `istio.io/waypoint-for`, `service` when unset (istiod's default). */
    readonly waypointFor: string;
    /** `allowedRoutes.namespaces` of its HBONE listener (mesh 15008): which namespaces may use it. */
    readonly allowedNamespaces?: { readonly from?: string; readonly selector?: LabelSelector };
    /** The labels istiod copies to the pods it deploys for the Gateway ({@link WAYPOINT_POD}). */
    readonly infrastructureLabels: Labels;
    readonly urn: string;
}

/** The Gateways of the stack. */
export function stackGateways(resources: readonly StackResource[], blind: BlindSpot[]): StackGateway[] {
    return resources.flatMap((r) => {
        const gw = customResourceOf(TYPES.gateway, r);
        if (gw === undefined) {
            return [];
        }
        const seen = readKnown(
            r.urn,
            `Gateway ${r.name}`,
            () =>
                plain({
                    name: gw.metadata?.name,
                    namespace: gw.metadata?.namespace,
                    labels: gw.metadata?.labels,
                    className: gw.spec?.gatewayClassName,
                    listeners: gw.spec?.listeners,
                    infrastructureLabels: at(gw.spec, ["infrastructure", "labels"]),
                }),
            blind,
        );
        return seen === undefined
            ? []
            : [
                  {
                      namespace: seen.namespace ?? "default",
                      name: seen.name ?? "",
                      className: String(seen.className ?? ""),
                      waypointFor: seen.labels?.[AMBIENT_LABELS.waypointFor] ?? WAYPOINT.for,
                      allowedNamespaces: allowedNamespacesOf(seen.listeners),
                      infrastructureLabels: infrastructureLabelsOf(seen.infrastructureLabels, seen.labels),
                      urn: r.urn,
                  },
              ];
    });
}

/** `spec.infrastructure.labels` without the reserved prefix when the Gateway has them, else its own labels (istiod 1.30.3 `extractInfrastructureMetadata`). */
function infrastructureLabelsOf(infrastructure: unknown, labels: unknown): Labels {
    const strings = (o: unknown) => Object.entries(asObject(o) ?? {}).filter((e): e is [string, string] => typeof e[1] === "string");
    const own = asObject(infrastructure);
    return own !== undefined ? Object.fromEntries(strings(own).filter(([k]) => !k.startsWith(WAYPOINT_POD.reservedLabelPrefix))) : Object.fromEntries(strings(labels));
}

/**
 * The labels of the pods istiod deploys for a waypoint Gateway (istio/istio 1.30.3 istio-discovery files/waypoint.yaml,
 * later maps overriding earlier ones), the Deployment named as the Gateway (no name-override annotation).
 */
export function waypointPodLabels(gw: StackGateway): Labels {
    return {
        ...WAYPOINT_POD.fixedLabels,
        [WAYPOINT_POD.canonicalNameLabel]: gw.name,
        ...gw.infrastructureLabels,
        [WAYPOINT_POD.gatewayNameLabel]: gw.name,
        [WAYPOINT_POD.gatewayClassLabel]: gw.className,
        [WAYPOINT_POD.managedLabel.key]: WAYPOINT_POD.managedLabel.value,
    };
}

/** `allowedRoutes.namespaces` of the listener istiod takes a waypoint's attachment rules from without a binding annotation: HBONE on 15008. */
function allowedNamespacesOf(listeners: unknown): StackGateway["allowedNamespaces"] {
    const hbone = asList(listeners).find((l) => at(l, ["protocol"]) === WAYPOINT.listener.protocol && at(l, ["port"]) === WAYPOINT.listener.port);
    const namespaces = asObject(at(hbone, ["allowedRoutes", "namespaces"]));
    return namespaces === undefined ? undefined : { from: typeof namespaces.from === "string" ? namespaces.from : undefined, selector: asObject(namespaces.selector) as LabelSelector | undefined };
}

/**
 * Whether a waypoint accepts a namespace's Services (istio/istio 1.30.3 pilot/pkg/serviceregistry/ambient/waypoints.go
 * `AllowsAttachmentFromNamespace`, `makeAllowedRoutes`): its own namespace always; another only when the HBONE listener's
 * `allowedRoutes.namespaces.from` is All, or Selector matching the namespace's labels (Same, the default, admits none).
 */
export function acceptsNamespace(gw: StackGateway, ns: StackNamespace): boolean {
    if (gw.namespace === ns.name) {
        return true;
    }
    const from = gw.allowedNamespaces?.from;
    return from === "All" || (from === "Selector" && selectorMatches(gw.allowedNamespaces?.selector ?? {}, { ...ns.labels, [NAMESPACE_NAME_LABEL]: ns.name }));
}

export function isWaypoint(gw: StackGateway): boolean {
    return gw.className === WAYPOINT.gatewayClassName;
}

/** `namespace/name` of a Gateway, for messages. */
export function gatewayRef(gw: { readonly namespace: string; readonly name: string }): string {
    return `${gw.namespace}/${gw.name}`;
}

/**
 * The waypoint a namespace's Services use, as istiod resolves the namespace's labels (istio/istio 1.30.3
 * pilot/pkg/serviceregistry/ambient/waypoints.go `getUseWaypoint`): `istio.io/use-waypoint` names it, in the namespace
 * or in `istio.io/use-waypoint-namespace`; `none` opts out. Undefined when the namespace names none.
 */
export function useWaypointOf(ns: StackNamespace): { readonly namespace: string; readonly name: string } | undefined {
    const name = ns.labels[AMBIENT_LABELS.useWaypoint];
    if (name === undefined || name === AMBIENT_LABEL_VALUES.noWaypoint) {
        return undefined;
    }
    return { name, namespace: ns.labels[AMBIENT_LABELS.useWaypointNamespace] ?? ns.name };
}

/** Whether a waypoint serves Services (`istio.io/waypoint-for` service or all; `workload` and `none` do not). */
export function servesServices(gw: StackGateway): boolean {
    return (AMBIENT_LABEL_VALUES.waypointForServices as readonly string[]).includes(gw.waypointFor);
}
