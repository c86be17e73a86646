/**
 * Istio's ambient data plane, traced: ztunnel carries an ambient pod's traffic at L4 and emits no spans (it has no
 * tracer); only a waypoint, an Envoy per namespace, traces requests. So an ambient namespace must use a waypoint the
 * stack declares, must not also inject sidecars, the tracing and access-log Telemetry must reach its waypoints, and
 * the cluster must run istio-cni, ztunnel and an istiod that serves ambient mode.
 *
 * Upstream, Istio 1.30.3 (istio/istio tag 1.30.3):
 * - pilot/pkg/serviceregistry/ambient/waypoints.go: how `istio.io/use-waypoint` (and `-namespace`, `none`) bind a namespace's
 *   Services to a waypoint, and `istio.io/waypoint-for`;
 * - cni/pkg/util/enablement_selector.go `Matches`: a pod with a sidecar is never enrolled in ambient mode;
 *   pkg/config/analysis/analyzers/injection/injection.go: IST0123 NamespaceMultipleInjectionLabels;
 * - pilot/pkg/model/telemetry.go `applicableTelemetries`, pilot/pkg/model/policyattachment.go `ShouldAttachPolicy`,
 *   pilot/pkg/networking/core/listener_waypoint.go (waypoints build SERVER-side listeners, ListenerClassSidecarInbound):
 *   which Telemetry a waypoint applies;
 * - manifests/charts/istio-control/istio-discovery/files/profile-ambient.yaml (`PILOT_ENABLE_AMBIENT: "true"`),
 *   manifests/charts/istio-cni and manifests/charts/ztunnel: the charts of ambient mode.
 */
import * as k8s from "@pulumi/kubernetes";
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { DEFAULT_CHARTS } from "../../lib/charts";
import { AMBIENT_DAEMONSETS, AMBIENT_LABELS, AMBIENT_LABEL_VALUES, GATEWAY_API, ISTIOD_AMBIENT, ISTIOD_POD_LABEL, SYSTEM_NAMESPACE, WAYPOINT } from "../../lib/constants";
import { StackGateway, acceptsNamespace, gatewayRef, isAmbient, isWaypoint, servesServices, sidecarInjectionLabel, stackGateways, stackNamespaces, useWaypointOf } from "../lib/ambient";
import { ChartBlindSpot, installedCharts, requestedChartsOfStack } from "../lib/charts";
import { JsonObject, StackResource, TYPES, asList, asObject, at, containersOf, customResourceOf, envValue, meshConfigOf, nameOf, propsOfType, workloadOf } from "../lib/k8s";
import { BlindSpot, plain, readKnown } from "../lib/known";
import { stackResources } from "../lib/policy";

const AMBIENT_LABEL = `${AMBIENT_LABELS.dataplaneMode}: ${AMBIENT_LABEL_VALUES.dataplaneMode}`;
const WAYPOINT_SHAPE = `Gateway ${WAYPOINT.name} of class ${WAYPOINT.gatewayClassName} (listener ${WAYPOINT.listener.name} ${WAYPOINT.listener.port}/${WAYPOINT.listener.protocol})`;

function reportBlind(blind: readonly BlindSpot[], what: string, reportViolation: (message: string, urn?: string) => void): void {
    for (const b of blind) {
        reportViolation(`${b.what} must be readable for the pack to check ${what}; ${b.reason}.`, b.urn);
    }
}

/** `waypoint a/b` or `waypoints a/b, c/d`, with a verb agreeing (`traces`/`trace`). */
function waypointsText(list: readonly StackGateway[], verb?: readonly [string, string]): string {
    const one = list.length === 1;
    return `${one ? "waypoint" : "waypoints"} ${list.map(gatewayRef).join(", ")}${verb === undefined ? "" : ` ${one ? verb[0] : verb[1]}`}`;
}

export const AMBIENT_WAYPOINT = "ambient-namespaces-must-use-a-declared-waypoint";

/**
 * An ambient namespace names (istio.io/use-waypoint) a waypoint the stack declares, of class istio-waypoint, serving
 * Services: otherwise its requests pass through ztunnel alone and leave no proxy spans.
 */
export const ambientNamespacesMustUseADeclaredWaypoint: StackValidationPolicy = {
    name: AMBIENT_WAYPOINT,
    description: `A namespace labelled ${AMBIENT_LABEL} must name with ${AMBIENT_LABELS.useWaypoint} a waypoint the stack declares (a Gateway of class ${WAYPOINT.gatewayClassName} serving Services), because ztunnel emits no spans and only a waypoint traces the namespace's requests.`,
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: `Label the namespace ${AMBIENT_LABELS.useWaypoint}: ${WAYPOINT.name} and declare ${WAYPOINT_SHAPE} in it, labelled ${AMBIENT_LABELS.waypointFor}: ${WAYPOINT.for} (the program does both for every app namespace with mesh.dataPlane ambient); for a waypoint in another namespace add ${AMBIENT_LABELS.useWaypointNamespace}.`,
    url: "https://istio.io/latest/docs/ambient/usage/waypoint/",
    validateStack: (args, reportViolation) => {
        const resources = stackResources(args);
        const blind: BlindSpot[] = [];
        const namespaces = stackNamespaces(resources, blind);
        const gateways = stackGateways(resources, blind);
        reportBlind(blind, "the waypoints of ambient namespaces", reportViolation);
        for (const ns of namespaces.filter((n) => isAmbient(n.labels))) {
            const use = useWaypointOf(ns);
            const prefix = `Namespace ${ns.name} (${AMBIENT_LABEL})`;
            if (use === undefined) {
                const label = ns.labels[AMBIENT_LABELS.useWaypoint];
                const has = label === undefined ? `has no ${AMBIENT_LABELS.useWaypoint} label` : `has ${AMBIENT_LABELS.useWaypoint}: ${label}`;
                reportViolation(
                    `${prefix} must use a waypoint to trace its requests (ztunnel emits no spans, only a waypoint does); it ${has}. Label it ${AMBIENT_LABELS.useWaypoint}: ${WAYPOINT.name} and declare ${WAYPOINT_SHAPE} in ${ns.name}.`,
                    ns.urn,
                );
                continue;
            }
            const named = gatewayRef(use);
            const gw = gateways.find((g) => g.namespace === use.namespace && g.name === use.name);
            if (gw === undefined) {
                reportViolation(
                    `${prefix} must use a waypoint the stack declares; its ${AMBIENT_LABELS.useWaypoint} names ${named}, which is no Gateway of the stack, so istiod binds its Services to no waypoint and their requests leave no proxy spans. Declare ${WAYPOINT_SHAPE.replace(`Gateway ${WAYPOINT.name}`, `Gateway ${named}`)}, or fix the label.`,
                    ns.urn,
                );
            } else if (!isWaypoint(gw)) {
                reportViolation(
                    `${prefix} must use a waypoint; its ${AMBIENT_LABELS.useWaypoint} names Gateway ${named}, whose gatewayClassName is ${JSON.stringify(gw.className)}, not ${WAYPOINT.gatewayClassName}. Name a Gateway of class ${WAYPOINT.gatewayClassName}.`,
                    ns.urn,
                );
            } else if (!acceptsNamespace(gw, ns)) {
                const from = gw.allowedNamespaces?.from ?? "Same";
                reportViolation(
                    `${prefix} must use a waypoint that accepts it; waypoint ${named} takes Services only from ${from === "Selector" ? "namespaces its selector matches" : "its own namespace"} (allowedRoutes.namespaces.from of its ${WAYPOINT.listener.protocol} listener is ${from}), so istiod binds the namespace's Services to no waypoint. Set allowedRoutes.namespaces.from: All (or a Selector matching ${ns.name}) on listener ${WAYPOINT.listener.name}, or give ${ns.name} a waypoint of its own.`,
                    gw.urn,
                );
            } else if (!servesServices(gw)) {
                reportViolation(
                    `${prefix} must use a waypoint that serves Services; waypoint ${named} is labelled ${AMBIENT_LABELS.waypointFor}: ${gw.waypointFor}, so istiod binds the namespace's Services to no waypoint. Label the waypoint ${AMBIENT_LABELS.waypointFor}: ${WAYPOINT.for}.`,
                    gw.urn,
                );
            }
        }
    },
};

export const NO_SIDECAR_IN_AMBIENT = "namespaces-must-not-mix-sidecar-injection-and-ambient";

/** A namespace is either injected with sidecars or in ambient mode: with both, the sidecar wins and ambient is silently off. */
export const namespacesMustNotMixSidecarInjectionAndAmbient: ResourceValidationPolicy = {
    name: NO_SIDECAR_IN_AMBIENT,
    description: `A namespace must not be labelled both for sidecar injection (istio-injection: enabled, or istio.io/rev) and ${AMBIENT_LABEL}, because istio-cni never enrols a pod with a sidecar in ambient mode.`,
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: `Keep one data plane per namespace (the stack's mesh.dataPlane): for ambient remove istio-injection and istio.io/rev; for sidecars remove ${AMBIENT_LABELS.dataplaneMode}. istioctl analyze reports the mix as IST0123.`,
    url: "https://istio.io/latest/docs/reference/config/analysis/ist0123/",
    validateResource: (args, reportViolation) => {
        const ns = args.asType(k8s.core.v1.Namespace) ?? args.asType(k8s.core.v1.NamespacePatch);
        if (ns === undefined) {
            return;
        }
        const blind: BlindSpot[] = [];
        const meta = readKnown(args.urn, `Namespace ${args.name}`, () => plain({ name: ns.metadata?.name, labels: ns.metadata?.labels }), blind);
        reportBlind(blind, "its data plane", reportViolation);
        const labels = meta?.labels ?? {};
        const injection = sidecarInjectionLabel(labels);
        if (injection !== undefined && isAmbient(labels)) {
            reportViolation(
                `Namespace ${meta?.name ?? args.name} must not be labelled both ${injection} and ${AMBIENT_LABEL}: its pods get sidecars and istio-cni then leaves them out of ambient mode, so its waypoint never sees their traffic. Remove ${injection.split("=")[0]} (ambient) or ${AMBIENT_LABELS.dataplaneMode} (sidecars).`,
            );
        }
    },
};

export const TELEMETRY_REACHES_WAYPOINTS = "telemetry-must-reach-waypoints";

/** A Telemetry's tracing or access-log configuration, as the waypoint rule reads it. */
interface TelemetryView {
    readonly namespace: string;
    readonly name: string;
    readonly urn: string;
    readonly spec: JsonObject;
}

interface TargetRef {
    readonly group: string;
    readonly kind: string;
    readonly name: string;
    readonly namespace?: string;
}

function targetRefsOf(spec: JsonObject): TargetRef[] {
    return [...asList(spec.targetRefs), ...(asObject(spec.targetRef) === undefined ? [] : [spec.targetRef])].flatMap((t) => {
        const o = asObject(t);
        return o === undefined ? [] : [{ group: String(o.group ?? ""), kind: String(o.kind ?? ""), name: String(o.name ?? ""), namespace: typeof o.namespace === "string" ? o.namespace : undefined }];
    });
}

const SERVICE_KINDS: readonly { group: string; kind: string }[] = [
    { group: "", kind: "Service" },
    { group: "core", kind: "Service" },
    { group: "networking.istio.io", kind: "ServiceEntry" },
];

/**
 * Whether a waypoint applies a Telemetry to the traffic of the Services of `svcNamespace` it serves, as istiod 1.30.3 does
 * (pilot/pkg/model/telemetry.go `applicableTelemetries`): the selector-less, targetRef-less Telemetry of the root namespace,
 * of the waypoint's namespace and of the Service's namespace; then targeted Telemetry of the Service's namespace only
 * (the waypoint's own when it serves its own namespace), attached by `ShouldAttachPolicy` (pilot/pkg/model/policyattachment.go):
 * `selector` never attaches to a waypoint, targetRefs kind Gateway naming it (in its own namespace), kind Service or
 * ServiceEntry (one it serves: the namespace is bound to it), or kind GatewayClass istio-waypoint from the root namespace
 * (which, read only from the Service's namespace, reaches only the waypoints serving Services of the root namespace).
 */
function appliesTo(t: TelemetryView, refs: readonly TargetRef[], gw: StackGateway, svcNamespace: string, root: string): boolean {
    const selector = Object.keys(asObject(at(t.spec, ["selector", "matchLabels"])) ?? {}).length > 0;
    if (!selector && refs.length === 0) {
        return t.namespace === root || t.namespace === gw.namespace || t.namespace === svcNamespace;
    }
    if (refs.length === 0 || t.namespace !== svcNamespace) {
        return false;
    }
    return refs.some(
        (r) =>
            (r.group === GATEWAY_API.group && r.kind === "Gateway" && r.name === gw.name && t.namespace === gw.namespace && (r.namespace ?? t.namespace) === t.namespace) ||
            SERVICE_KINDS.some((k) => k.group === r.group && k.kind === r.kind) ||
            (r.group === GATEWAY_API.group && r.kind === "GatewayClass" && r.name === WAYPOINT.gatewayClassName && t.namespace === root),
    );
}

/** The root namespace of the stack's mesh config (`rootNamespace`), or the system namespace. */
function rootNamespaceOf(resources: readonly StackResource[]): string {
    for (const r of resources) {
        const cm = propsOfType(k8s.core.v1.ConfigMap, r);
        const mesh = cm === undefined ? undefined : readKnown(r.urn, "mesh", () => meshConfigOf(cm), []);
        if (typeof mesh?.rootNamespace === "string") {
            return mesh.rootNamespace;
        }
    }
    return SYSTEM_NAMESPACE;
}

/** The sections of a Telemetry this rule is about: what a waypoint traces and logs. */
const SECTIONS = ["tracing", "accessLogging"] as const;

/**
 * Tracing and access-log Telemetry reaches the waypoints it is meant for: the mesh-wide one every waypoint, a Telemetry of an
 * ambient namespace (or of a waypoint's namespace) that namespace's waypoints. Flags one that reaches none of them.
 */
export const telemetryMustReachWaypoints: StackValidationPolicy = {
    name: TELEMETRY_REACHES_WAYPOINTS,
    description:
        "A Telemetry with tracing or accessLogging meant for the stack's waypoints (in the root namespace, in a waypoint's namespace or in a namespace bound to a waypoint) must be one a waypoint applies: selector-less, or targetRefs naming the waypoint or a Service it serves, with entries not limited to match.mode CLIENT.",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: `Waypoints ignore selector and apply only SERVER-mode entries: drop the selector (namespace-wide), or target the waypoint with targetRefs [{group: ${GATEWAY_API.group}, kind: Gateway, name: ${WAYPOINT.name}}] in its namespace (or a Service it serves), and use match.mode SERVER or CLIENT_AND_SERVER.`,
    url: "https://istio.io/latest/docs/reference/config/telemetry/",
    validateStack: (args, reportViolation) => {
        const resources = stackResources(args);
        const blind: BlindSpot[] = [];
        const namespaces = stackNamespaces(resources, blind);
        const waypoints = stackGateways(resources, blind).filter(isWaypoint);
        const otherGateways = stackGateways(resources, []).filter((g) => !isWaypoint(g));
        const telemetries = resources.flatMap((r) => {
            const t = customResourceOf(TYPES.telemetry, r);
            const seen = t === undefined ? undefined : readKnown(r.urn, `Telemetry ${r.name}`, () => plain({ metadata: t.metadata, spec: t.spec }), blind);
            return seen === undefined ? [] : [{ namespace: seen.metadata?.namespace ?? "default", name: nameOf(seen), urn: r.urn, spec: seen.spec ?? {} }];
        });
        reportBlind(blind, "which Telemetry the waypoints apply", reportViolation);
        if (waypoints.length === 0) {
            return;
        }
        const root = rootNamespaceOf(resources);
        // The namespaces whose Services each waypoint serves: those whose labels name it and that it accepts (its own when none does).
        const served = new Map(
            waypoints.map((w) => {
                const bound = namespaces.filter((n) => {
                    const use = useWaypointOf(n);
                    return use?.namespace === w.namespace && use.name === w.name && acceptsNamespace(w, n);
                });
                return [w, bound.length === 0 ? [w.namespace] : bound.map((n) => n.name)];
            }),
        );
        for (const t of telemetries) {
            const sections = SECTIONS.filter((s) => asList(t.spec[s]).length > 0);
            if (sections.length === 0) {
                continue;
            }
            const refs = targetRefsOf(t.spec);
            const selector = Object.keys(asObject(at(t.spec, ["selector", "matchLabels"])) ?? {}).length > 0;
            const meshWide = t.namespace === root && ((!selector && refs.length === 0) || refs.some((r) => r.kind === "GatewayClass" && r.name === WAYPOINT.gatewayClassName));
            const meant = waypoints.filter((w) => meshWide || w.namespace === t.namespace || (served.get(w) ?? []).includes(t.namespace));
            // A Telemetry aimed at another Gateway of the stack (an ingress gateway) is not meant for the waypoints.
            const aimedElsewhere = refs.some((r) => r.kind === "Gateway" && otherGateways.some((g) => g.name === r.name && g.namespace === (r.namespace ?? t.namespace)));
            if (meant.length === 0 || aimedElsewhere) {
                continue;
            }
            const reached = meant.filter((w) => (served.get(w) ?? []).some((svcNs) => appliesTo(t, refs, w, svcNs, root)));
            const missed = meant.filter((w) => !reached.includes(w));
            const fix = `expected no selector (namespace-wide) or targetRefs [{group: ${GATEWAY_API.group}, kind: Gateway, name: <waypoint>}] in the waypoint's namespace, or a Service it serves`;
            const ref = `Telemetry ${t.namespace}/${t.name}`;
            if (reached.length === 0) {
                const why =
                    refs.length === 0
                        ? "it selects pods with selector, which waypoints ignore"
                        : `its targetRefs (${refs.map((r) => `${r.kind} ${r.name}`).join(", ")}) attach it to none of them (a waypoint applies targeted Telemetry only from the namespace of the Services it serves)`;
                reportViolation(
                    `${ref} must reach ${waypointsText(missed)}, which ${missed.length === 1 ? "traces" : "trace"} the requests of ambient namespaces; ${why}, so they apply none of its ${sections.join(" and ")}; ${fix}.`,
                    t.urn,
                );
                continue;
            }
            const clientOnly = sections.filter((s) => asList(t.spec[s]).every((e) => at(e, ["match", "mode"]) === "CLIENT"));
            if (clientOnly.length > 0) {
                reportViolation(
                    `${ref} must not limit its ${clientOnly.join(" and ")} to match.mode CLIENT: ${waypointsText(reached, ["applies", "apply"])} only SERVER entries (a waypoint serves requests inbound), so the entries are lost there; expected mode SERVER or CLIENT_AND_SERVER, or no match.`,
                    t.urn,
                );
            }
        }
    },
};

export const AMBIENT_COMPONENTS = "ambient-mode-must-install-cni-and-ztunnel";

/** Why the stack is in ambient mode, for messages; empty when it is not. */
interface AmbientDemand {
    readonly reasons: string[];
    readonly urn?: string;
}

/** Is istiod requested or rendered to serve ambient mode? undefined when the pack cannot tell (no istiod values or Deployment visible). */
interface IstiodView {
    readonly ambient: boolean | undefined;
    readonly urn: string;
    readonly what: string;
}

/** istiod as the stack shows it: its rendered Deployment (env) and its chart requests (values); what the pack cannot see goes to `blind` and `hidden`. */
function istiodViews(resources: readonly StackResource[], blind: BlindSpot[], hidden: ChartBlindSpot[]): IstiodView[] {
    const istiod = DEFAULT_CHARTS.istiod.chart;
    const views: IstiodView[] = [];
    for (const r of resources) {
        const w = workloadOf(r);
        if (w?.kind !== "Deployment") {
            continue;
        }
        const seen = readKnown(r.urn, `Deployment ${r.name}`, () => plain({ labels: w.template?.metadata?.labels, env: containersOf(w.template).map((c) => envValue(c, ISTIOD_AMBIENT.env)) }), blind);
        if (seen?.labels?.[ISTIOD_POD_LABEL.key] === ISTIOD_POD_LABEL.value) {
            views.push({ ambient: seen.env.includes("true"), urn: r.urn, what: `Deployment ${nameOf({ metadata: w.metadata })} (env ${ISTIOD_AMBIENT.env})` });
        }
    }
    const requested = requestedChartsOfStack(resources, { what: "istiod's profile", valuesOf: [istiod], readsRenderedObjects: true });
    hidden.push(...requested.blind);
    const charts = requested.charts;
    // The chart takes `profile` or `global.profile`, and the env as `pilot.env` (how the profile files write it) or `env`
    // (manifests/charts/istio-control/istio-discovery/templates/zzz_profile.yaml, templates/deployment.yaml).
    for (const c of charts.filter((x) => x.chart === istiod)) {
        const profile = c.values.profile ?? at(c.values, ["global", "profile"]);
        const env = [at(c.values, ["pilot", "env", ISTIOD_AMBIENT.env]), at(c.values, ["env", ISTIOD_AMBIENT.env])];
        // Named by version and by the record that asks for it (a stack may hold several requests of istiod).
        const record = c.urn.split("::").pop() ?? c.urn;
        views.push({ ambient: profile === ISTIOD_AMBIENT.profile || env.some((e) => e === true || e === "true"), urn: c.urn, what: `chart ${istiod} ${String(c.version)} values, in ${record}` });
    }
    return views;
}

/**
 * Ambient mode needs istio-cni (enrols the pods), ztunnel (carries their traffic, to the waypoint among others), both of
 * istiod's version, and an istiod that serves it (`PILOT_ENABLE_AMBIENT`, set by the values profile `ambient`).
 */
export const ambientModeMustInstallCniAndZtunnel: StackValidationPolicy = {
    name: AMBIENT_COMPONENTS,
    description: `A stack in ambient mode (a namespace labelled ${AMBIENT_LABEL}, a Gateway of class ${WAYPOINT.gatewayClassName}, or istiod with profile ambient) must install the ${DEFAULT_CHARTS.istioCni.chart} and ${DEFAULT_CHARTS.ztunnel.chart} charts at istiod's version, and its ambient namespaces and waypoints need an istiod with the ambient profile.`,
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps: `Install the Istio charts ${DEFAULT_CHARTS.istioCni.chart} (DaemonSet ${AMBIENT_DAEMONSETS.cni}) and ${DEFAULT_CHARTS.ztunnel.chart} (DaemonSet ${AMBIENT_DAEMONSETS.ztunnel}) in ${SYSTEM_NAMESPACE} at istiod's version, and istiod with values profile: ${ISTIOD_AMBIENT.profile}; the program does all three with mesh.dataPlane ambient.`,
    url: "https://istio.io/latest/docs/ambient/install/helm/",
    validateStack: (args, reportViolation) => {
        const resources = stackResources(args);
        const blind: BlindSpot[] = [];
        const namespaces = stackNamespaces(resources, blind).filter((n) => isAmbient(n.labels));
        const waypoints = stackGateways(resources, blind).filter(isWaypoint);
        const hidden: ChartBlindSpot[] = [];
        const istiods = istiodViews(resources, blind, hidden);
        const profiled = istiods.filter((v) => v.ambient === true);
        const demand: AmbientDemand = {
            reasons: [
                ...(namespaces.length === 0 ? [] : [`${namespaces.length === 1 ? "namespace" : "namespaces"} ${namespaces.map((n) => n.name).join(", ")} labelled ${AMBIENT_LABEL}`]),
                ...(waypoints.length === 0 ? [] : [waypointsText(waypoints)]),
                ...(profiled.length === 0 ? [] : [`istiod with profile ${ISTIOD_AMBIENT.profile}`]),
            ],
            urn: namespaces[0]?.urn ?? waypoints[0]?.urn ?? profiled[0]?.urn,
        };
        if (demand.reasons.length === 0) {
            return;
        }
        reportBlind(blind, "the components of ambient mode", reportViolation);
        for (const h of hidden) {
            reportViolation(h.message, h.urn);
        }
        const because = `the stack runs ambient mode (${demand.reasons.join("; ")})`;
        const charts = installedCharts(resources);
        const versionsOf = (chart: string) => [...new Set(charts.filter((c) => c.chart === chart).map((c) => c.version))].sort();
        const istiodVersions = versionsOf(DEFAULT_CHARTS.istiod.chart);
        const daemonSets = new Set(
            resources.flatMap((r) => {
                const w = workloadOf(r);
                return w?.kind === "DaemonSet" ? [readKnown(r.urn, "name", () => nameOf({ metadata: w.metadata }), [])] : [];
            }),
        );
        for (const role of ["cni", "ztunnel"] as const) {
            const chart = DEFAULT_CHARTS[role === "cni" ? "istioCni" : "ztunnel"].chart;
            const daemonSet = AMBIENT_DAEMONSETS[role];
            const versions = versionsOf(chart);
            if (versions.length === 0 && !daemonSets.has(daemonSet)) {
                const does = role === "cni" ? "enrols the pods of ambient namespaces" : "carries their traffic, to the waypoint among others";
                reportViolation(
                    `Chart ${chart} (DaemonSet ${daemonSet}) must be installed: ${because}, and ${daemonSet} ${does}; without it no request reaches a waypoint and none is traced. Install chart ${chart} in ${SYSTEM_NAMESPACE}${istiodVersions.length === 1 ? ` at ${istiodVersions[0]}` : ""}.`,
                    demand.urn,
                );
                continue;
            }
            if (istiodVersions.length > 0 && versions.length > 0 && versions.join() !== istiodVersions.join()) {
                const urn = charts.find((c) => c.chart === chart)?.urn;
                reportViolation(
                    `Chart ${chart} ${versions.join(", ")} must be the version of istiod (${istiodVersions.join(", ")}): ${because}, and Istio supports ${daemonSet} only at its control plane's version. Install chart ${chart} ${istiodVersions.join(", ")}.`,
                    urn,
                );
            }
        }
        if (namespaces.length > 0 || waypoints.length > 0) {
            const seen = new Set<string>();
            for (const v of istiods.filter((x) => x.ambient === false && !seen.has(`${x.urn} ${x.what}`) && seen.add(`${x.urn} ${x.what}`))) {
                reportViolation(
                    `istiod (${v.what}) must serve ambient mode: ${because}, and without ${ISTIOD_AMBIENT.env}: "true" istiod serves no waypoint and enrols no workload. Install istiod with values profile: ${ISTIOD_AMBIENT.profile}.`,
                    v.urn,
                );
            }
        }
    },
};

export const ambientPolicies = [ambientNamespacesMustUseADeclaredWaypoint, namespacesMustNotMixSidecarInjectionAndAmbient, telemetryMustReachWaypoints, ambientModeMustInstallCniAndZtunnel];
