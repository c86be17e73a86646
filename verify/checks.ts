/**
 * The checks of `npm run verify`: what the stack declared (its state and outputs, verify/declared.ts) against what the
 * cluster holds now (verify/live.ts). Pure: each check takes both and says what it found, the incident or policy it
 * guards against, and the fix. The network check asks the policy pack's own NetworkPolicy evaluator, over the live
 * objects (policies the stack did not create included).
 */
import {
    AMBIENT_DAEMONSETS,
    AMBIENT_LABELS,
    COLLECTOR_SERVICE,
    DNS_PORT,
    DataPlane,
    AMBIENT_LABEL_VALUES,
    GATEWAY_API,
    HBONE_PORT,
    INJECTION_LABEL,
    ISTIOD_POD_LABEL,
    ISTIOD_XDS_PORT,
    JAEGER_PORTS,
    PROVIDER_NAMES,
    QUERY_SERVICE,
    SYSTEM_NAMESPACE,
    TELEMETRY_NAME,
    WAYPOINT,
    WAYPOINT_POD,
} from "../lib/constants";
import { ExtensionProvider, JsonObject, StackResource, TYPES, asList, at, extensionProviders } from "../policy/lib/k8s";
import { Labels, PodEndpoint, selectorMatches } from "../policy/lib/networkPolicy";
import { StackPod, policyRef, sourcePods, stackNetwork } from "../policy/lib/stackNetwork";

/** The command that puts back what the stack declares (a hand edit's field manager owns the fields it changed: force them back). */
const restore = (stack: string) =>
    `pulumi up --refresh --stack ${stack} (PULUMI_K8S_ENABLE_PATCH_FORCE=true pulumi up --refresh ... when it reports a Server-Side Apply conflict: the edit's field manager now owns the field)`;

/** What the stack declared, from its state and outputs. */
export interface Declared {
    readonly stack: string;
    readonly samplingPercentage: number;
    readonly tracingProvider: "zipkin" | "opentelemetry";
    /** The mesh config the stack rendered for istiod (ConfigMap istio-system/istio, key `mesh`). */
    readonly mesh?: JsonObject;
    /** Namespaces of the traced apps: labelled for sidecar injection, or enrolled in ambient mode. */
    readonly appNamespaces: readonly string[];
    /** The data plane (stack output `dataPlane`; sidecar for stacks deployed before it existed). */
    readonly dataPlane: DataPlane;
    /** Ambient mode: the waypoint of each app namespace, `namespace/name` (stack output `waypoints`). */
    readonly waypoints: readonly string[];
    /** Where the cluster DNS pods run, as the stack's DNS policy (or its default) names them. */
    readonly dns: { readonly namespace: string; readonly podLabels: Labels };
    /** Kiali's tracing URL (stack output `kialiTracingUrl`) and the Prometheus URL the stack gave Kiali. */
    readonly kiali?: { readonly tracingUrl: string; readonly prometheusUrl?: string };
}

interface LiveService {
    readonly namespace: string;
    readonly name: string;
    readonly selector?: Labels;
    readonly ports: readonly { readonly name?: string; readonly port: number; readonly targetPort?: number | string }[];
}

interface LivePod {
    readonly namespace: string;
    readonly name: string;
    readonly labels: Labels;
    readonly annotations: Labels;
    readonly containers: readonly string[];
    readonly phase?: string;
}

/** A Gateway API Gateway of an app namespace. */
interface LiveGateway {
    readonly namespace: string;
    readonly name: string;
    readonly gatewayClassName?: string;
    /** Its `istio.io/waypoint-for` label (istiod's default, `service`, when absent). */
    readonly waypointFor?: string;
    /** Its labels and `spec.infrastructure`: istiod copies labels from them to the waypoint's pods. */
    readonly labels?: Labels;
    readonly infrastructure?: JsonObject;
}

/** What the cluster holds now. */
export interface Live {
    /** Every ConfigMap of the system namespace with a `mesh` document: `istio`, and any other istiod revision's. */
    readonly meshConfigs: readonly { readonly name: string; readonly mesh?: JsonObject }[];
    readonly telemetries: readonly { readonly namespace: string; readonly name: string; readonly spec: JsonObject }[];
    readonly namespaces: readonly { readonly name: string; readonly labels: Labels }[];
    readonly pods: readonly LivePod[];
    readonly networkPolicies: readonly { readonly namespace: string; readonly name: string; readonly spec: JsonObject }[];
    readonly services: readonly LiveService[];
    /** Pod template labels of the Deployments of the system namespace, by name. */
    readonly deployments: ReadonlyMap<string, Labels>;
    /** Ready endpoints per Service and port name (EndpointSlices). */
    readonly readyEndpoints: ReadonlyMap<string, ReadonlyMap<string, number>>;
    readonly nodes: number;
    readonly kialiConfig?: JsonObject;
    /**
     * Ambient stacks: the Gateways of the app namespaces (`gateway.networking.k8s.io/v1`); undefined when the cluster
     * has no Gateway API CRDs (or the stack runs sidecars, which read none).
     */
    readonly gateways?: readonly LiveGateway[];
    /** Ambient stacks: the DaemonSets of the system namespace, by name: pods desired and ready. */
    readonly daemonSets: ReadonlyMap<string, { readonly desired: number; readonly ready: number }>;
    /** Ambient stacks: the available replicas of the Deployments of the app namespaces, by `namespace/name`. */
    readonly appDeployments: ReadonlyMap<string, number>;
}

type Status = "pass" | "fail" | "skip";

export interface CheckResult {
    readonly id: string;
    readonly status: Status;
    /** What was found, one line per finding. */
    readonly found: readonly string[];
    /** The incident of the reference deployment or the policy this check guards against. */
    readonly guards: string;
    readonly fix: string;
}

const providerText = (p: ExtensionProvider | undefined): string => {
    if (p === undefined) {
        return "none";
    }
    const kind = Object.keys(p).find((k) => k !== "name") ?? "?";
    const body = p[kind] as { service?: string; port?: number; traceContextOption?: string } | undefined;
    return `${kind} ${body?.service ?? "?"}:${body?.port ?? "?"}${body?.traceContextOption !== undefined ? ` (${body.traceContextOption})` : ""}`;
};

const listOf = (v: unknown): string[] => asList(v).filter((x): x is string => typeof x === "string");

/** istiod's live mesh config still carries the tracing, metrics and access-log providers the stack set, and no other revision serves an app namespace. */
function meshConfigCheck(d: Declared, live: Live): CheckResult {
    const guards =
        "spans sent nowhere and an empty Kiali graph when the mesh config is edited by hand or another istiod revision serves a namespace (policies zipkin-target-must-be-clusterip-service-selecting-pods, kiali-graph-must-have-mesh-metrics, access-log-must-use-trace-id)";
    const fix = `${restore(d.stack)} restores the mesh config the stack declares; change it in the stack config, not in the ConfigMap; move namespaces off other revisions (istio.io/rev label) or remove them`;
    const current = live.meshConfigs.find((m) => m.name === "istio");
    if (current?.mesh === undefined || d.mesh === undefined) {
        return {
            id: "mesh-config",
            status: "fail",
            found: [current === undefined ? `no ConfigMap ${SYSTEM_NAMESPACE}/istio` : `ConfigMap ${SYSTEM_NAMESPACE}/istio has no readable mesh document`],
            guards,
            fix,
        };
    }
    const found: string[] = [];
    let ok = true;
    const compare = (what: string, declared: string, actual: string) => {
        if (declared === actual) {
            found.push(`${what}: ${actual}`);
        } else {
            ok = false;
            found.push(`${what}: ${actual}, the stack declares ${declared}`);
        }
    };
    const provider = (mesh: JsonObject, name: string) => extensionProviders(mesh).find((p) => p.name === name);
    compare(`tracing provider ${PROVIDER_NAMES.tracing}`, providerText(provider(d.mesh, PROVIDER_NAMES.tracing)), providerText(provider(current.mesh, PROVIDER_NAMES.tracing)));
    // The access-log provider compared whole; shown by its trace id field.
    const accessLog = (mesh: JsonObject) => provider(mesh, PROVIDER_NAMES.accessLog);
    const accessLogText = (p: ExtensionProvider | undefined) => {
        const traceId = at(p, ["envoyFileAccessLog", "logFormat", "labels", "trace.id"]);
        return p === undefined ? "none" : `trace.id ${typeof traceId === "string" ? traceId : "unset"}`;
    };
    if (JSON.stringify(accessLog(d.mesh) ?? null) === JSON.stringify(accessLog(current.mesh) ?? null)) {
        found.push(`access-log provider ${PROVIDER_NAMES.accessLog}: ${accessLogText(accessLog(current.mesh))}`);
    } else {
        ok = false;
        found.push(`access-log provider ${PROVIDER_NAMES.accessLog}: differs from the stack's (${accessLogText(accessLog(current.mesh))}; the stack declares ${accessLogText(accessLog(d.mesh))})`);
    }
    for (const kind of ["tracing", "metrics"]) {
        compare(`defaultProviders.${kind}`, listOf(at(d.mesh, ["defaultProviders", kind])).join(",") || "none", listOf(at(current.mesh, ["defaultProviders", kind])).join(",") || "none");
    }
    const revisions = live.meshConfigs.filter((m) => m.name !== "istio" && m.mesh !== undefined).map((m) => m.name.replace(/^istio-/, ""));
    for (const rev of revisions) {
        const served = live.namespaces.filter((n) => d.appNamespaces.includes(n.name) && n.labels["istio.io/rev"] === rev).map((n) => n.name);
        if (served.length > 0) {
            ok = false;
            found.push(`istiod revision ${rev} (ConfigMap istio-${rev}) serves app namespaces ${served.join(", ")} with a mesh config the stack does not set`);
        } else {
            found.push(`istiod revision ${rev} (ConfigMap istio-${rev}) serves no app namespace`);
        }
    }
    return { id: "mesh-config", status: ok ? "pass" : "fail", found, guards, fix };
}

/** A Telemetry's tracing sampling, when it sets one. */
function samplingOf(spec: JsonObject): number | undefined {
    for (const t of asList(spec.tracing)) {
        const pct = at(t, ["randomSamplingPercentage"]);
        if (typeof pct === "number") {
            return pct;
        }
    }
    return undefined;
}

/** Applies to a whole namespace: no workload selector, no targetRefs. */
const namespaceWide = (spec: JsonObject) => spec.selector === undefined && spec.targetRef === undefined && spec.targetRefs === undefined;

/** Exactly one mesh-wide Telemetry in the root namespace, with the stack's sampling; the sampling each app namespace gets. */
function telemetryCheck(d: Declared, live: Live): CheckResult {
    const guards = `"sampling is not what I set": a second mesh-wide Telemetry or a namespace-level one overrides the stack's (policy telemetry-sampling-must-not-exceed-ceiling judges only the stack's own)`;
    const fix = `keep one mesh-wide Telemetry (${SYSTEM_NAMESPACE}/${TELEMETRY_NAME}, the stack's); delete the others, or set their sampling to the stack's ${d.samplingPercentage} %`;
    const root = live.telemetries.filter((t) => t.namespace === SYSTEM_NAMESPACE && namespaceWide(t.spec));
    const found: string[] = [];
    let ok = true;
    if (root.length !== 1) {
        ok = false;
        found.push(`${root.length} mesh-wide Telemetries in ${SYSTEM_NAMESPACE}${root.length > 0 ? `: ${root.map((t) => t.name).join(", ")}` : ""}; expected one, ${TELEMETRY_NAME}`);
    }
    const meshSampling = root.length === 1 ? samplingOf(root[0].spec) : undefined;
    if (root.length === 1) {
        found.push(`mesh-wide: ${root[0].name}, sampling ${meshSampling ?? "unset"} %`);
        if (meshSampling !== d.samplingPercentage) {
            ok = false;
            found.push(`the mesh-wide sampling is ${meshSampling ?? "unset"} %; the stack sets ${d.samplingPercentage} %`);
        }
    }
    for (const ns of d.appNamespaces) {
        const override = live.telemetries.find((t) => t.namespace === ns && namespaceWide(t.spec) && samplingOf(t.spec) !== undefined);
        const effective = override !== undefined ? samplingOf(override.spec) : meshSampling;
        if (override !== undefined && effective !== d.samplingPercentage) {
            ok = false;
            found.push(`${ns}: sampling ${effective ?? "unset"} %, set by Telemetry ${ns}/${override.name} (overrides the mesh's)`);
        } else {
            found.push(`${ns}: sampling ${effective ?? "unset"} %${override !== undefined ? ` (Telemetry ${ns}/${override.name})` : ""}`);
        }
    }
    return { id: "telemetry", status: ok ? "pass" : "fail", found, guards, fix };
}

/**
 * The live app namespaces, in the declared order; each declared one that does not exist is reported in `found` where it
 * would have been judged, and skipped (the check fails: see {@link appNamespacesExist}).
 */
function* liveAppNamespaces(d: Declared, live: Live, found: string[]): Generator<Live["namespaces"][number]> {
    for (const ns of d.appNamespaces) {
        const n = live.namespaces.find((x) => x.name === ns);
        if (n === undefined) {
            found.push(`${ns}: the namespace does not exist`);
        } else {
            yield n;
        }
    }
}

const appNamespacesExist = (d: Declared, live: Live) => d.appNamespaces.every((ns) => live.namespaces.some((x) => x.name === ns));

const isInjected = (labels: Labels) => labels["istio.io/rev"] !== undefined || Object.entries(INJECTION_LABEL).every(([k, v]) => labels[k] === v);

/** Every app namespace is in the mesh, and the pods running there carry a proxy. */
function injectionCheck(d: Declared, live: Live): CheckResult {
    const guards = "a namespace without a sidecar sends no proxy spans: the gateway's trace ends at the namespace boundary";
    const fix = `label the namespace ${Object.entries(INJECTION_LABEL)
        .map(([k, v]) => `${k}=${v}`)
        .join(",")} (${restore(d.stack)} restores the stack's label), then restart its workloads so they get the proxy`;
    const found: string[] = [];
    let ok = appNamespacesExist(d, live);
    for (const n of liveAppNamespaces(d, live, found)) {
        const ns = n.name;
        const pods = live.pods.filter((p) => p.namespace === ns && p.phase !== "Succeeded" && p.phase !== "Failed");
        const bare = pods.filter((p) => !p.containers.includes("istio-proxy"));
        if (!isInjected(n.labels)) {
            ok = false;
            found.push(`${ns}: no injection label`);
        } else if (bare.length > 0) {
            ok = false;
            found.push(`${ns}: injected, but ${bare.length} of ${pods.length} pods run without a proxy: ${bare.map((p) => p.name).join(", ")}`);
        } else {
            found.push(`${ns}: injected, ${pods.length} pods${pods.length > 0 ? ", each with a proxy" : ""}`);
        }
    }
    return { id: "injection", status: ok ? "pass" : "fail", found, guards, fix };
}

/** The annotation istio-cni puts on a pod it enrols in ambient mode (istio/istio 1.30.3 cni/pkg/util/podutil.go). */
const REDIRECTION_ANNOTATION = { key: "ambient.istio.io/redirection", value: "enabled" } as const;

/** The label istiod puts on the pods of a Gateway it deploys, a waypoint's included. */
const GATEWAY_NAME_LABEL = WAYPOINT_POD.gatewayNameLabel;

const NODES_NOTE = "the cluster has no nodes, so no pod is ever scheduled";

const labelText = (labels: Readonly<Record<string, string>>) =>
    Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ");

/** The labels of an ambient app namespace, as the stack declares them (components/waypoints.ts). */
const ambientNamespaceLabels = (waypoint: string): Record<string, string> => ({
    [AMBIENT_LABELS.dataplaneMode]: "ambient",
    [AMBIENT_LABELS.useWaypoint]: waypoint,
    [AMBIENT_LABELS.ingressUseWaypoint]: "true",
});

/** The waypoint the stack gives a namespace (its `waypoints` output), else the program's name for it. */
const declaredWaypoint = (d: Declared, ns: string): string => d.waypoints.find((w) => w.startsWith(`${ns}/`))?.slice(ns.length + 1) ?? WAYPOINT.name;

/**
 * Ambient mode: the cni agent and ztunnel run in the system namespace, every app namespace is enrolled
 * (`istio.io/dataplane-mode: ambient`), and the pods running there were enrolled by istio-cni (its redirection
 * annotation) and carry no sidecar (a sidecar wins over ambient). The waypoint pods istiod deploys are not app pods.
 */
function ambientEnrolmentCheck(d: Declared, live: Live): CheckResult {
    const guards =
        "ztunnel emits no spans, only the waypoint does: a namespace or pod left out of ambient mode (or given a sidecar instead) sends no proxy spans through the namespace's waypoint, and the gateway's trace ends at the namespace boundary";
    const fix = `${restore(d.stack)} restores the namespace labels and the cni and ztunnel DaemonSets (or kubectl label namespace <ns> ${labelText(ambientNamespaceLabels(WAYPOINT.name))}); a pod without the redirection annotation: remove its istio.io/dataplane-mode=none label, and check the istio-cni-node pod of its node (kubectl -n ${SYSTEM_NAMESPACE} logs ds/${AMBIENT_DAEMONSETS.cni}); a pod with a sidecar: remove the istio-injection label or sidecar.istio.io/inject=true that gave it one, then kubectl rollout restart its workload`;
    const found: string[] = [];
    let ok = appNamespacesExist(d, live);
    for (const ds of [AMBIENT_DAEMONSETS.cni, AMBIENT_DAEMONSETS.ztunnel]) {
        const state = live.daemonSets.get(ds);
        if (state === undefined) {
            ok = false;
            found.push(`no DaemonSet ${SYSTEM_NAMESPACE}/${ds}`);
        } else if (live.nodes > 0 && (state.desired === 0 || state.ready < state.desired)) {
            ok = false;
            found.push(`DaemonSet ${SYSTEM_NAMESPACE}/${ds}: ${state.ready} of ${state.desired} pods ready`);
        } else {
            found.push(`DaemonSet ${SYSTEM_NAMESPACE}/${ds}${live.nodes > 0 ? `: ${state.ready} of ${state.desired} pods ready` : ""}`);
        }
    }
    for (const n of liveAppNamespaces(d, live, found)) {
        const ns = n.name;
        const mode = n.labels[AMBIENT_LABELS.dataplaneMode];
        if (mode !== "ambient") {
            ok = false;
            found.push(`${ns}: not enrolled (${AMBIENT_LABELS.dataplaneMode} ${mode === undefined ? "unset" : `is ${mode}`}; the stack declares ambient)`);
            continue;
        }
        if (isInjected(n.labels)) {
            ok = false;
            found.push(`${ns}: enrolled, but also labelled for sidecar injection: new pods get a sidecar, which wins over ambient`);
        }
        const pods = live.pods.filter((p) => p.namespace === ns && p.phase !== "Succeeded" && p.phase !== "Failed" && p.labels[GATEWAY_NAME_LABEL] === undefined);
        const sidecars = pods.filter((p) => p.containers.includes("istio-proxy"));
        const unenrolled = pods.filter((p) => p.annotations[REDIRECTION_ANNOTATION.key] !== REDIRECTION_ANNOTATION.value && !p.containers.includes("istio-proxy"));
        if (sidecars.length > 0) {
            ok = false;
            found.push(`${ns}: enrolled, but ${sidecars.length} of ${pods.length} pods run a sidecar (istio-proxy), which wins over ambient: ${sidecars.map((p) => p.name).join(", ")}`);
        }
        if (unenrolled.length > 0) {
            ok = false;
            found.push(
                `${ns}: enrolled, but ${unenrolled.length} of ${pods.length} pods have no ${REDIRECTION_ANNOTATION.key}: ${REDIRECTION_ANNOTATION.value} (istio-cni did not enrol them): ${unenrolled.map((p) => p.name).join(", ")}`,
            );
        }
        if (sidecars.length === 0 && unenrolled.length === 0) {
            found.push(`${ns}: enrolled, ${pods.length} pods${pods.length > 0 ? ", each redirected to ztunnel, none with a sidecar" : ""}`);
        }
    }
    return { id: "ambient-enrolment", status: ok ? "pass" : "fail", found, guards, fix };
}

/**
 * Ambient mode: every app namespace names its waypoint (`istio.io/use-waypoint`, and `istio.io/ingress-use-waypoint`
 * for the gateway's traffic), the Gateway exists there with istiod's waypoint class, and (on a cluster with nodes)
 * the proxy istiod deploys for it, a Deployment of the same name, has an available replica.
 */
function waypointsCheck(d: Declared, live: Live): CheckResult {
    const guards =
        "ztunnel emits no spans, only the waypoint does: an enrolled namespace without a working waypoint loses its proxy spans (and the ingress gateway's traffic skips the waypoint without istio.io/ingress-use-waypoint)";
    const fix = `${restore(d.stack)} restores the waypoint Gateways and the namespace labels (or kubectl label --overwrite namespace <ns> ${AMBIENT_LABELS.useWaypoint}=${WAYPOINT.name} ${AMBIENT_LABELS.ingressUseWaypoint}=true); the Gateway API CRDs must be installed first (${GATEWAY_API.install}); a waypoint that is not ready: kubectl -n <ns> describe deployment <waypoint>, and istiod's logs`;
    if (live.gateways === undefined) {
        return {
            id: "waypoints",
            status: "fail",
            found: [`the cluster has no Gateway API CRDs (${GATEWAY_API.gatewayCrd}, ${GATEWAY_API.version}): no waypoint can exist`],
            guards,
            fix,
        };
    }
    const found: string[] = [];
    let ok = appNamespacesExist(d, live);
    for (const n of liveAppNamespaces(d, live, found)) {
        const ns = n.name;
        const declaredName = declaredWaypoint(d, ns);
        const name = n.labels[AMBIENT_LABELS.useWaypoint];
        if (name === undefined || name === "" || name === "none") {
            ok = false;
            found.push(`${ns}: no ${AMBIENT_LABELS.useWaypoint} label${name === undefined ? "" : ` (${name})`}: its Services' traffic goes through no waypoint; the stack declares ${declaredName}`);
            continue;
        }
        const gw = live.gateways.find((g) => g.namespace === ns && g.name === name);
        const other = name === declaredName ? "" : ` (not the stack's ${declaredName})`;
        if (gw === undefined) {
            ok = false;
            found.push(`${ns}: ${AMBIENT_LABELS.useWaypoint}=${name}, but there is no Gateway ${ns}/${name}${other}`);
            continue;
        }
        if (gw.gatewayClassName !== WAYPOINT.gatewayClassName) {
            ok = false;
            found.push(`${ns}: Gateway ${ns}/${name} is of class ${gw.gatewayClassName ?? "unset"}, not ${WAYPOINT.gatewayClassName}: it is no waypoint`);
            continue;
        }
        const serves = gw.waypointFor ?? WAYPOINT.for;
        if (!(AMBIENT_LABEL_VALUES.waypointForServices as readonly string[]).includes(serves)) {
            ok = false;
            found.push(`${ns}: waypoint ${name} is labelled ${AMBIENT_LABELS.waypointFor}=${serves}: it serves no Service, so the Services' traffic skips it`);
            continue;
        }
        const ingress = n.labels[AMBIENT_LABELS.ingressUseWaypoint];
        if (ingress !== "true") {
            ok = false;
            found.push(`${ns}: waypoint ${name}, but ${AMBIENT_LABELS.ingressUseWaypoint} is ${ingress ?? "unset"}: the ingress gateway's traffic skips the waypoint`);
            continue;
        }
        if (live.nodes > 0) {
            const available = live.appDeployments.get(`${ns}/${name}`);
            if (available === undefined || available < 1) {
                ok = false;
                found.push(`${ns}: waypoint ${name}${other}, but ${available === undefined ? `no Deployment ${ns}/${name} (istiod deploys it)` : `Deployment ${ns}/${name} has no available replica`}`);
                continue;
            }
            found.push(`${ns}: waypoint ${name}${other} (Gateway class ${WAYPOINT.gatewayClassName}), ${available} available replica${available === 1 ? "" : "s"}`);
        } else {
            found.push(`${ns}: waypoint ${name}${other} (Gateway class ${WAYPOINT.gatewayClassName})`);
        }
    }
    if (live.nodes === 0) {
        found.push(`waypoint readiness not checked: ${NODES_NOTE}`);
    }
    return { id: "waypoints", status: ok ? "pass" : "fail", found, guards, fix };
}

/** The live objects as the pack's stack resources, so its network model reads them as it reads a stack. */
function asStackResources(live: Live): StackResource[] {
    const r = (type: string, namespace: string, name: string, props: object): StackResource => ({ type, props: props as JsonObject, urn: `live::${type}::${namespace}/${name}`, name });
    return [
        ...live.networkPolicies.map((p) => r("kubernetes:networking.k8s.io/v1:NetworkPolicy", p.namespace, p.name, { metadata: { name: p.name, namespace: p.namespace }, spec: p.spec })),
        ...live.namespaces.map((n) => r("kubernetes:core/v1:Namespace", "", n.name, { metadata: { name: n.name, labels: n.labels } })),
        ...(live.gateways ?? []).map((g) =>
            r(TYPES.gateway[0], g.namespace, g.name, {
                metadata: { name: g.name, namespace: g.namespace, labels: g.labels },
                spec: { gatewayClassName: g.gatewayClassName, infrastructure: g.infrastructure },
            }),
        ),
    ];
}

/**
 * From every app namespace, under every live NetworkPolicy (the stack's and any other): DNS (UDP and TCP 53), istiod
 * (15012) and the collector port of the mesh's provider plus OTLP gRPC for the apps, to the pods that serve them
 * (the live ones, or pods modelled with the labels the Services select when none run). Ambient stacks: also HBONE (15008)
 * to every app namespace's waypoint, which ztunnel dials from inside the pod's network namespace, so the pod's egress
 * policies apply to it (istio.io/latest/docs/ambient/usage/networkpolicy).
 */
function networkCheck(d: Declared, live: Live): CheckResult {
    const guards =
        'the reference deployment\'s incidents: an egress policy without 9411 ("No service dependencies found"), and one without DNS or istiod (policies jaeger-egress-must-allow-otlp-and-zipkin, egress-restricted-namespaces-must-allow-dns)' +
        (d.dataPlane === "ambient" ? `; in ambient mode, one without HBONE ${HBONE_PORT}: no traffic reaches the waypoints, and no proxy span is emitted` : "");
    const fix = `allow the unreachable ports in the namespace's egress policies (${restore(d.stack)} restores the stack's own), and check policies added by other tools`;
    const net = stackNetwork(asStackResources(live));
    // The pods that serve a target: the live ones, or a pod modelled with the labels they are selected by when none runs.
    const podsOr = (namespace: string, labels: Labels): PodEndpoint[] => {
        const running = live.pods.filter((p) => p.namespace === namespace && selectorMatches({ matchLabels: { ...labels } }, p.labels));
        return running.length > 0 ? running.map((p) => ({ kind: "pod", namespace, labels: p.labels })) : [{ kind: "pod", namespace, labels }];
    };
    // The Jaeger pods as its Deployment labels them (whether the Services select them is jaeger-services' question).
    const collector = live.services.find((s) => s.namespace === SYSTEM_NAMESPACE && s.name === COLLECTOR_SERVICE.name);
    const jaegerLabels = live.deployments.get("jaeger") ?? collector?.selector;
    const jaegerPods = jaegerLabels !== undefined ? podsOr(SYSTEM_NAMESPACE, jaegerLabels) : [];
    const providerPort = d.tracingProvider === "zipkin" ? JAEGER_PORTS.zipkin : JAEGER_PORTS.otlpGrpc;
    const targets: { what: string; pods: PodEndpoint[]; port: number; protocol: string }[] = [
        { what: `DNS UDP ${DNS_PORT}`, pods: podsOr(d.dns.namespace, d.dns.podLabels), port: DNS_PORT, protocol: "UDP" },
        { what: `DNS TCP ${DNS_PORT}`, pods: podsOr(d.dns.namespace, d.dns.podLabels), port: DNS_PORT, protocol: "TCP" },
        { what: `istiod TCP ${ISTIOD_XDS_PORT}`, pods: podsOr(SYSTEM_NAMESPACE, { [ISTIOD_POD_LABEL.key]: ISTIOD_POD_LABEL.value }), port: ISTIOD_XDS_PORT, protocol: "TCP" },
        ...[...new Set([providerPort, JAEGER_PORTS.otlpGrpc])].map((port) => ({ what: `Jaeger collector TCP ${port}`, pods: jaegerPods, port, protocol: "TCP" })),
        ...(d.dataPlane === "ambient"
            ? d.appNamespaces.map((ns) => {
                  const name = declaredWaypoint(d, ns);
                  return { what: `waypoint ${ns}/${name} HBONE TCP ${HBONE_PORT}`, pods: podsOr(ns, { [GATEWAY_NAME_LABEL]: name }), port: HBONE_PORT, protocol: "TCP" };
              })
            : []),
    ];
    const found: string[] = [];
    let ok = jaegerLabels !== undefined;
    if (jaegerLabels === undefined) {
        found.push(`no Deployment ${SYSTEM_NAMESPACE}/jaeger and no Service ${SYSTEM_NAMESPACE}/${COLLECTOR_SERVICE.name}: the collector pods cannot be named`);
    }
    for (const ns of d.appNamespaces) {
        const sources: StackPod[] = sourcePods(net, ns);
        const cut = (src: StackPod, t: (typeof targets)[number]) => t.pods.length > 0 && t.pods.every((dst) => !net.evaluator.reachable(src, dst, t.port, t.protocol));
        const blocked = targets.filter((t) => sources.some((src) => cut(src, t)));
        const policies = [...new Set(sources.flatMap((src) => net.evaluator.policiesSelecting(src, "Egress")))].map(policyRef).sort();
        if (blocked.length > 0) {
            ok = false;
            // Name the pods cut off when not every pod of the namespace is (e.g. only the waypoint's, which istiod labels).
            const cutOff = sources.filter((src) => blocked.some((t) => cut(src, t)));
            const from = cutOff.length < sources.length ? ` from ${cutOff.map((src) => src.source).join("; ")}` : "";
            found.push(`${ns}: cannot reach ${blocked.map((t) => t.what).join(", ")}${from} (egress policies: ${policies.join(", ") || "none"})`);
        } else {
            found.push(`${ns}: reaches ${targets.map((t) => t.what).join(", ")} (egress policies: ${policies.length})`);
        }
    }
    return { id: "network", status: ok ? "pass" : "fail", found, guards, fix };
}

/** The collector and query Services select the Jaeger pods, have the ports, and (on a cluster with nodes) ready endpoints on each. */
function jaegerServicesCheck(d: Declared, live: Live): CheckResult {
    const guards = "gateway and sidecar spans went missing when the zipkin target selected no pod (policy zipkin-target-must-be-clusterip-service-selecting-pods)";
    const fix = `${restore(d.stack)} restores the Services; if the Jaeger pod is not ready, kubectl -n ${SYSTEM_NAMESPACE} describe pod -l app.kubernetes.io/name=jaeger`;
    const jaegerLabels = live.deployments.get("jaeger");
    const found: string[] = [];
    let ok = true;
    for (const spec of [COLLECTOR_SERVICE, QUERY_SERVICE]) {
        const svc = live.services.find((s) => s.namespace === SYSTEM_NAMESPACE && s.name === spec.name);
        if (svc === undefined) {
            ok = false;
            found.push(`no Service ${SYSTEM_NAMESPACE}/${spec.name}`);
            continue;
        }
        const selects = jaegerLabels !== undefined && svc.selector !== undefined && Object.keys(svc.selector).length > 0 && selectorMatches({ matchLabels: { ...svc.selector } }, jaegerLabels);
        const missing = spec.ports.filter((p) => !svc.ports.some((q) => q.port === p.port)).map((p) => p.port);
        if (!selects) {
            ok = false;
            found.push(`${spec.name}: its selector ${JSON.stringify(svc.selector ?? {})} matches no Jaeger pod (the Deployment's pods carry ${JSON.stringify(jaegerLabels ?? {})})`);
        } else if (missing.length > 0) {
            ok = false;
            found.push(`${spec.name}: no port ${missing.join(", ")}`);
        } else if (live.nodes > 0) {
            const ready = live.readyEndpoints.get(spec.name) ?? new Map<string, number>();
            const empty = spec.ports.filter((p) => (ready.get(p.name) ?? 0) === 0).map((p) => `${p.name} ${p.port}`);
            if (empty.length > 0) {
                ok = false;
                found.push(`${spec.name}: no ready endpoint on ${empty.join(", ")}`);
            } else {
                found.push(`${spec.name}: selects the Jaeger pods, ready endpoints on ${spec.ports.map((p) => p.port).join(", ")}`);
            }
        } else {
            found.push(`${spec.name}: selects the Jaeger pods, ports ${spec.ports.map((p) => p.port).join(", ")}`);
        }
    }
    if (live.nodes === 0) {
        found.push(`ready endpoints not checked: ${NODES_NOTE}`);
    }
    return { id: "jaeger-services", status: ok ? "pass" : "fail", found, guards, fix };
}

/** Kiali reads traces from the query Service and metrics from the Prometheus the stack set. */
function kialiConfigCheck(d: Declared, live: Live): CheckResult {
    const guards =
        '"Kiali shows no traces": Kiali pointed at another Jaeger (or the headless query Service) or another Prometheus (policies kiali-config-must-not-use-removed-keys, kiali-graph-must-have-mesh-metrics)';
    const fix = `${restore(d.stack)} restores Kiali's config; set kiali.* in the stack config, not in the ConfigMap`;
    if (d.kiali === undefined) {
        return { id: "kiali-config", status: "skip", found: ["the stack declares no Kiali"], guards, fix };
    }
    if (live.kialiConfig === undefined) {
        return { id: "kiali-config", status: "fail", found: [`no Kiali ConfigMap ${SYSTEM_NAMESPACE}/kiali with a config.yaml`], guards, fix };
    }
    const found: string[] = [];
    let ok = true;
    const tracingUrl = at(live.kialiConfig, ["external_services", "tracing", "internal_url"]);
    const prometheusUrl = at(live.kialiConfig, ["external_services", "prometheus", "url"]);
    const compare = (what: string, declared: string | undefined, actual: unknown) => {
        if (declared === undefined || declared === actual) {
            found.push(`${what}: ${String(actual)}`);
        } else {
            ok = false;
            found.push(`${what}: ${String(actual)}, the stack declares ${declared}`);
        }
    };
    compare("tracing internal_url", d.kiali.tracingUrl, tracingUrl);
    compare("prometheus url", d.kiali.prometheusUrl, prometheusUrl);
    return { id: "kiali-config", status: ok ? "pass" : "fail", found, guards, fix };
}

/** Every object check, in the order the report prints them. */
export function objectChecks(d: Declared, live: Live): CheckResult[] {
    const membership = d.dataPlane === "ambient" ? [ambientEnrolmentCheck, waypointsCheck] : [injectionCheck];
    return [meshConfigCheck, telemetryCheck, ...membership, networkCheck, jaegerServicesCheck, kialiConfigCheck].map((check) => check(d, live));
}
