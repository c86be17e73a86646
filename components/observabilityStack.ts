import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { EnvVar, appTracingEnv } from "../lib/appTracing";
import { ChartRole, ChartSource, DEFAULT_CHARTS, ISTIO_CHART_ROLES, JaegerChartLine, KIALI_WAYPOINTS_SINCE, versionAtLeast } from "../lib/charts";
import {
    DataPlane,
    DEFAULT_INGRESS_CONTROLLER_NAMESPACE,
    INJECTION_LABEL,
    JAEGER_PORTS,
    RELEASES_CONFIGMAP,
    SYSTEM_NAMESPACE,
    MeshTraceContext,
    TRACING_PROVIDER_PORTS,
    TracingProvider,
    ZIPKIN_SPANS_PATH,
} from "../lib/constants";
import { NamespaceOwnership, OWNER_ANNOTATION } from "../lib/namespaces";
import { EXTERNAL_SERVICE_PORT, ExternalServices, ExternalServicesArgs } from "./externalServices";
import { HelmValues } from "./helm";
import { IstioMesh, IstioMeshArgs, TracePropagation, dataPlaneProblems, meshTracingProblems } from "./istioMesh";
import { Jaeger, JaegerArgs } from "./jaeger";
import { JaegerIngressPolicies } from "./jaegerIngressPolicies";
import { Kiali, KialiArgs } from "./kiali";
import { MeshTelemetry, MeshTelemetryArgs } from "./meshTelemetry";
import { ArgumentProblem, childOptions, fieldManagerTransform, throwProblems } from "./options";
import { PrometheusMonitors, PrometheusMonitorsArgs } from "./prometheusMonitors";
import { TracingNetworkPolicies, TracingNetworkPoliciesArgs } from "./tracingNetworkPolicies";
import { componentType, withTypeAliases } from "./typeTokens";
import { UiExposure, UiExposureArgs } from "./uiExposure";
import { AMBIENT_NAMESPACE_LABELS, Waypoints } from "./waypoints";

/** A chart of the stack: where it comes from, and values merged last into what the stack renders for it. */
export interface StackChart extends ChartSource {
    /**
     * Escape hatch: Helm values merged last (objects key by key, lists replaced), e.g. tolerations,
     * image pull secrets or resources. Plain data known at preview time; the policy pack judges the merged result.
     */
    readonly values?: HelmValues;
}

/**
 * Arguments of {@link ObservabilityStack}, grouped by the component each group configures. Only
 * `owner`, `tracing` and `kiali` are required; the rest default to the dev-sized stack of the
 * components' own defaults. `program.ts` maps validated stack configuration to these arguments.
 */
export interface ObservabilityStackArgs {
    /** The stack's identity, `<project>/<stack>`, written on the namespaces it creates. */
    readonly owner: string;
    /**
     * Charts by role; a role left out installs {@link DEFAULT_CHARTS}. The Istio charts must share one version
     * (`istioCni` and `ztunnel` are installed in ambient mode only).
     * @default DEFAULT_CHARTS
     */
    readonly charts?: Partial<Readonly<Record<ChartRole, StackChart>>>;
    /**
     * Wait for workloads and ingresses to become ready (false on a control plane without nodes).
     * @default true
     */
    readonly awaitReadiness?: boolean;
    /** The mesh's tracing provider and its propagation ({@link IstioMesh}), and the share of requests traced ({@link MeshTelemetry}). */
    readonly tracing: {
        /** @default "zipkin" */
        readonly provider?: TracingProvider;
        /**
         * Zipkin provider only: B3 alone, or B3 with W3C trace context ({@link TracePropagation}); needs Istio 1.28 for `b3+w3c`.
         * @default "b3+w3c" when `charts.istiod` is Istio 1.28 or later, else "b3"
         */
        readonly propagation?: TracePropagation;
        readonly samplingPercentage: MeshTelemetryArgs["samplingPercentage"];
    };
    /** Jaeger's storage and pod ({@link Jaeger}); the chart comes from `charts.jaeger`. */
    readonly jaeger?: Pick<JaegerArgs, "storage" | "replicas" | "resources" | "image" | "monitor">;
    /** The ingress gateway and the mesh's ext-authz provider ({@link IstioMesh}); the charts come from `charts.istio*`. */
    readonly mesh?: Pick<IstioMeshArgs, "gatewayServiceType" | "gatewayRendering" | "extAuthz" | "crdRelease"> & {
        /**
         * Sidecars, or ambient mode: the cni and ztunnel charts, and app namespaces enrolled in ambient mode, each with a
         * waypoint ({@link Waypoints}) that emits the proxy spans (Istio >= 1.30, kiali-server >= 2.22, the Gateway API CRDs on the cluster).
         * @default "sidecar"
         */
        readonly dataPlane?: DataPlane;
    };
    /** Kiali ({@link Kiali}); the chart comes from `charts.kiali`. */
    readonly kiali: Omit<KialiArgs, "chart" | "namespace" | "awaitReadiness" | "values">;
    /** Istio's PodMonitor and ServiceMonitor for the prometheus-operator ({@link PrometheusMonitors}); none when undefined. */
    readonly prometheusMonitors?: PrometheusMonitorsArgs;
    /**
     * External HTTPS APIs the mesh may call ({@link ExternalServices}).
     * @default []
     */
    readonly externalServices?: ExternalServicesArgs["services"];
    /**
     * Namespaces of the traced apps: labelled for sidecar injection (ambient mode: enrolled, with a waypoint) and given the tracing NetworkPolicies.
     * @default []
     */
    readonly appNamespaces?: readonly string[];
    /**
     * Who owns each namespace the stack uses (lib/namespaces.ts): `create` for the ones it creates,
     * `adopt` for the ones that existed before it; a namespace not listed is created.
     * @default {}
     */
    readonly namespaces?: Readonly<Record<string, NamespaceOwnership>>;
    /** The app namespaces' egress policies ({@link TracingNetworkPolicies}). */
    readonly networkPolicies?: Pick<TracingNetworkPoliciesArgs, "mode" | "baselinePolicy" | "dns">;
    /** Ingresses for the UIs ({@link UiExposure}); none without a host. */
    readonly ui?: Omit<UiExposureArgs, "namespace" | "awaitReadiness"> & {
        /**
         * Namespace of the ingress controller: the only namespace besides Kiali's pod that may reach Jaeger's query ports.
         * @default "ingress-nginx"
         */
        readonly ingressControllerNamespace?: string;
    };
}

/** A stack chart split into where it comes from and its values. */
function chartOf(charts: ObservabilityStackArgs["charts"], role: ChartRole): { source: ChartSource; values?: HelmValues } {
    const chart: StackChart = charts?.[role] ?? DEFAULT_CHARTS[role];
    const { values, ...source } = chart;
    return { source, values };
}

/**
 * What is wrong with the charts, whatever the caller: the three Istio charts are one Istio release (istiod's webhooks
 * and CRDs come from base, the gateway's injected proxy from istiod). Pure; the config layer reports the same under `charts`.
 */
export function chartsProblems(charts: ObservabilityStackArgs["charts"]): ArgumentProblem[] {
    const versions = ISTIO_CHART_ROLES.map((role) => chartOf(charts, role).source.version);
    return new Set(versions).size > 1 ? [{ path: ["charts", "istioBase/istiod/istioGateway", "version"], value: versions, reason: "the three Istio charts must share one version" }] : [];
}

/**
 * What is wrong with Kiali's chart for the data plane: ambient mode needs a Kiali that reads a workload's proxy spans
 * under its waypoint's name (kiali-server >= 2.22). Pure; the config layer reports the same under `charts.kiali.version`.
 */
export function kialiDataPlaneProblems(dataPlane: DataPlane, kialiVersion: string): ArgumentProblem[] {
    const since = `${KIALI_WAYPOINTS_SINCE.major}.${KIALI_WAYPOINTS_SINCE.minor}`;
    return dataPlane === "ambient" && !versionAtLeast(kialiVersion, KIALI_WAYPOINTS_SINCE)
        ? [
              {
                  path: ["charts", "kiali", "version"],
                  value: kialiVersion,
                  reason: `must be ${since} or later with mesh.dataPlane ambient: older Kiali looks for a workload's proxy spans under the app's name, and in ambient mode only its waypoint emits them (external_services.tracing.use_waypoint_name, Kiali ${since})`,
              },
          ]
        : [];
}

/** The problems of the stack's data plane for its charts ({@link dataPlaneProblems}, {@link kialiDataPlaneProblems}), under the stack's keys. */
function stackDataPlaneProblems(charts: ObservabilityStackArgs["charts"], dataPlane: DataPlane): ArgumentProblem[] {
    return [
        ...dataPlaneProblems(
            {
                dataPlane,
                istioVersion: chartOf(charts, "istiod").source.version,
                cniVersion: chartOf(charts, "istioCni").source.version,
                ztunnelVersion: chartOf(charts, "ztunnel").source.version,
            },
            { dataPlane: ["mesh", "dataPlane"], istio: "charts.istiod.version", cni: ["charts", "istioCni", "version"], ztunnel: ["charts", "ztunnel", "version"] },
        ),
        ...kialiDataPlaneProblems(dataPlane, chartOf(charts, "kiali").source.version),
    ];
}

/**
 * Signing key for an anonymous Kiali, derived from the stack's identity: anonymous Kiali issues no
 * login tokens, so the key guards nothing, but it must be fixed or the chart renders a random one.
 */
export function anonymousSigningKey(project: string, stack: string): string {
    return createHash("sha256").update(`kiali-anonymous/${project}/${stack}`).digest("hex").slice(0, 32);
}

/**
 * A namespace with the stack's labels. One it creates carries the owner annotation and is deleted on
 * destroy; one it adopts keeps everything else it holds and survives destroy (`retainOnDelete`).
 * Both are the same resource type, so a namespace never changes type between runs (a type change
 * would delete the old resource, and with it the namespace).
 */
export function ownedNamespace(
    resourceName: string,
    name: string,
    labels: Record<string, string>,
    ownership: NamespaceOwnership,
    owner: string,
    opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Namespace {
    const annotations = ownership === "create" ? { annotations: { [OWNER_ANNOTATION]: owner } } : {};
    return new k8s.core.v1.Namespace(resourceName, { metadata: { name, labels, ...annotations } }, { ...opts, retainOnDelete: ownership === "adopt" });
}

/** The namespace of an in-cluster service URL (`http://<service>.<namespace>[.svc[.cluster.local]]:<port>`), as a one-item list; undefined otherwise. */
export function clusterServiceNamespace(url: string): string[] | undefined {
    const host = new URL(url).hostname.split(".");
    const inCluster = host.length === 2 || (host.length >= 3 && host[2] === "svc");
    return inCluster ? [host[1]] : undefined;
}

/**
 * The whole tracing stack, ordered only where a real cluster needs it (docs/performance.md shows the graph): the
 * system namespace first; then, side by side, Jaeger, Kiali, the NetworkPolicies, the releases record, the UIs and
 * Istio (CRDs -> base -> istiod -> gateway: istiod's injection webhook before the gateway's pods); the Telemetry and
 * the ServiceEntries after the CRDs; each app namespace's NetworkPolicies after that namespace.
 */
export class ObservabilityStack extends pulumi.ComponentResource {
    // Values known from the settings alone are plain; only what the engine reports is an Output.
    public readonly istioVersion: string;
    public readonly jaegerChartLine: JaegerChartLine;
    public readonly collectorHost: string;
    public readonly zipkinEndpoint: string;
    /** Where apps export spans: OTLP over gRPC to the collector Service Jaeger reports. */
    public readonly otlpEndpoint: string;
    /** The mesh's tracing provider. */
    public readonly tracingProvider: TracingProvider;
    /** What the mesh's proxies read and send (`b3`, `b3+w3c`, or `w3c` with the opentelemetry provider); the apps' propagators follow it. */
    public readonly traceContext: MeshTraceContext;
    public readonly kialiTracingUrl: string;
    public readonly uiUrls: Readonly<Record<string, string>>;
    public readonly networkPolicies: pulumi.Output<string[]>;
    /** The Prometheus monitors created (`prometheus.operator`), `namespace/name`; none without the operator. */
    public readonly prometheusMonitors: readonly string[];
    /** The data plane: sidecars or ambient mode. */
    public readonly dataPlane: DataPlane;
    /** Ambient mode: the waypoint of each app namespace, `namespace/name`; none with sidecars. */
    public readonly waypoints: readonly string[];

    constructor(name: string, args: ObservabilityStackArgs, opts?: pulumi.ComponentResourceOptions) {
        // Every object below, chart children included, is applied by one stable field manager (see fieldManagerTransform).
        super(componentType("ObservabilityStack"), name, {}, { ...withTypeAliases("ObservabilityStack", opts), transforms: [...(opts?.transforms ?? []), fieldManagerTransform] });
        // The Kubernetes provider comes from this component's options (`provider` or `providers.kubernetes`) and is handed
        // to every child explicitly: to the components as their `provider` option, to the objects as their provider.
        // A caller's `dependsOn` reaches every child too (childOptions): Pulumi does not pass a component's on.
        const awaitReadiness = args.awaitReadiness ?? true;
        const tracingProvider = args.tracing.provider ?? "zipkin";
        const appNamespaceNames = args.appNamespaces ?? [];
        const externalServices = args.externalServices ?? [];
        const ui = args.ui ?? {};
        const charts = {
            base: chartOf(args.charts, "istioBase"),
            istiod: chartOf(args.charts, "istiod"),
            gateway: chartOf(args.charts, "istioGateway"),
            cni: chartOf(args.charts, "istioCni"),
            ztunnel: chartOf(args.charts, "ztunnel"),
        };
        const dataPlane = args.mesh?.dataPlane ?? "sidecar";
        const ambient = dataPlane === "ambient";
        throwProblems("ObservabilityStack", [
            ...chartsProblems(args.charts),
            ...stackDataPlaneProblems(args.charts, dataPlane),
            ...meshTracingProblems({ istioVersion: charts.istiod.source.version, tracing: { provider: tracingProvider, propagation: args.tracing.propagation } }, "charts.istiod.version"),
        ]);
        const jaegerChart = chartOf(args.charts, "jaeger");
        const kialiChart = chartOf(args.charts, "kiali");

        const namespace = (resourceName: string, ns: string, labels: Record<string, string>, dependsOn: pulumi.Resource[] = []) =>
            ownedNamespace(resourceName, ns, labels, args.namespaces?.[ns] ?? "create", args.owner, childOptions(this, opts, dependsOn));
        const systemNamespace = namespace(`${name}-system-namespace`, SYSTEM_NAMESPACE, { "app.kubernetes.io/part-of": "observability-stack" });

        const jaeger = new Jaeger(`${name}-jaeger`, { ...args.jaeger, chart: jaegerChart.source, values: jaegerChart.values, awaitReadiness }, childOptions(this, opts, [systemNamespace]));

        const mesh = new IstioMesh(
            `${name}-istio`,
            {
                ...args.mesh,
                baseChart: charts.base.source,
                istiodChart: charts.istiod.source,
                gatewayChart: charts.gateway.source,
                values: { base: charts.base.values, istiod: charts.istiod.values, gateway: charts.gateway.values, cni: charts.cni.values, ztunnel: charts.ztunnel.values },
                dataPlane,
                ...(ambient ? { ambientCharts: { cni: charts.cni.source, ztunnel: charts.ztunnel.source } } : {}),
                tracing: { provider: tracingProvider, service: jaeger.collectorHost, port: TRACING_PROVIDER_PORTS[tracingProvider], propagation: args.tracing.propagation },
                awaitReadiness,
            },
            // Nothing flows from Jaeger into the mesh (the collector host is known from the settings): the Istio chain runs beside Jaeger.
            childOptions(this, opts, [systemNamespace]),
        );
        // Istio custom resources need the CRDs, nothing else (istiod reads them whenever it starts).
        const crdsReady = [mesh.crds];

        new MeshTelemetry(`${name}-telemetry`, { samplingPercentage: args.tracing.samplingPercentage }, childOptions(this, opts, crdsReady));
        // With the Monitor tab, the operator's Prometheus also scrapes Jaeger's span metrics.
        const monitors =
            args.prometheusMonitors !== undefined
                ? new PrometheusMonitors(
                      `${name}-monitors`,
                      { ...args.prometheusMonitors, ...(jaeger.monitor ? { jaegerSpanMetrics: { namespace: SYSTEM_NAMESPACE } } : {}) },
                      childOptions(this, opts, [systemNamespace]),
                  )
                : undefined;
        new ExternalServices(`${name}-external`, { services: externalServices }, childOptions(this, opts, crdsReady));

        // Kiali reads Jaeger, Prometheus and istiod at run time, by their addresses: it waits for its namespace only.
        const kiali = new Kiali(
            `${name}-kiali`,
            { ...args.kiali, chart: kialiChart.source, values: kialiChart.values, awaitReadiness, waypointSpans: ambient },
            childOptions(this, opts, [systemNamespace]),
        );

        // The injection label is read by istiod's webhook when a pod is created, and the ambient labels by the cni agent
        // and istiod whenever they change, so the namespaces need not wait for either.
        const appNamespaces = appNamespaceNames.map((ns) => namespace(`${name}-ns-${ns}`, ns, ambient ? { ...AMBIENT_NAMESPACE_LABELS } : { ...INJECTION_LABEL }));
        // Ambient mode: the waypoint of each app namespace, once the namespace exists.
        const waypoints = ambient ? new Waypoints(`${name}-waypoints`, { namespaces: appNamespaceNames }, childOptions(this, opts, appNamespaces)) : undefined;
        const policies = new TracingNetworkPolicies(
            `${name}-netpol`,
            { ...args.networkPolicies, namespaces: appNamespaceNames, externalPorts: externalServices.map((e) => e.port ?? EXTERNAL_SERVICE_PORT), dataPlane },
            childOptions(this, opts, appNamespaces),
        );

        new JaegerIngressPolicies(
            `${name}-jaeger-ingress`,
            {
                line: jaeger.chartLine,
                appNamespaces: appNamespaceNames,
                ingressControllerNamespaces: ui.jaegerHost !== undefined ? [ui.ingressControllerNamespace ?? DEFAULT_INGRESS_CONTROLLER_NAMESPACE] : [],
                // Kiali's Prometheus scrapes Jaeger's own metrics; the Monitor tab's (usually the same) its span metrics.
                metricsNamespaces: [
                    ...new Set([args.kiali.prometheusUrl, ...(args.jaeger?.monitor !== undefined ? [args.jaeger.monitor.prometheusUrl] : [])].flatMap((u) => clusterServiceNamespace(u) ?? [])),
                ],
                spanMetrics: jaeger.monitor,
                dataPlane,
            },
            childOptions(this, opts, [systemNamespace]),
        );

        // Chart v4 resources reach policy packs with empty properties, and read resources do not reach them
        // at all: record what was asked of Helm and what was read from the cluster (baseline policies), so
        // the pack judges them. Reads run in previews too, so the record is known when the pack runs.
        new k8s.core.v1.ConfigMap(
            `${name}-charts`,
            {
                metadata: { name: RELEASES_CONFIGMAP.name, namespace: SYSTEM_NAMESPACE, labels: { "app.kubernetes.io/managed-by": "observability-stack" } },
                data: {
                    [RELEASES_CONFIGMAP.key]: JSON.stringify([...mesh.releases, ...jaeger.releases, ...kiali.releases], null, 2),
                    [RELEASES_CONFIGMAP.readsKey]: policies.reads.apply((reads) => JSON.stringify(reads, null, 2)),
                },
            },
            childOptions(this, opts, [systemNamespace]),
        );

        const exposure = new UiExposure(
            `${name}-ui`,
            {
                kialiHost: ui.kialiHost,
                jaegerHost: ui.jaegerHost,
                ingressClassName: ui.ingressClassName,
                tlsSecretName: ui.tlsSecretName,
                annotations: ui.annotations,
                awaitReadiness,
            },
            // Ingresses name the UIs' Services; they need not exist first.
            childOptions(this, opts, [systemNamespace]),
        );

        this.istioVersion = mesh.istioVersion;
        this.jaegerChartLine = jaeger.chartLine;
        this.collectorHost = jaeger.collectorHost;
        this.zipkinEndpoint = `http://${jaeger.collectorHost}:${JAEGER_PORTS.zipkin}${ZIPKIN_SPANS_PATH}`;
        this.kialiTracingUrl = kiali.tracingUrl;
        this.otlpEndpoint = `http://${jaeger.collectorHost}:${JAEGER_PORTS.otlpGrpc}`;
        this.tracingProvider = tracingProvider;
        this.traceContext = mesh.traceContext;
        this.uiUrls = exposure.urls;
        this.networkPolicies = policies.policyNames;
        this.prometheusMonitors = monitors?.monitorNames ?? [];
        this.dataPlane = dataPlane;
        this.waypoints = waypoints?.waypointNames ?? [];
        this.registerOutputs({
            dataPlane: this.dataPlane,
            waypoints: this.waypoints,
            prometheusMonitors: this.prometheusMonitors,
            istioVersion: this.istioVersion,
            jaegerChartLine: this.jaegerChartLine,
            collectorHost: this.collectorHost,
            zipkinEndpoint: this.zipkinEndpoint,
            otlpEndpoint: this.otlpEndpoint,
            kialiTracingUrl: this.kialiTracingUrl,
            tracingProvider: this.tracingProvider,
            traceContext: this.traceContext,
            uiUrls: this.uiUrls,
            networkPolicies: this.networkPolicies,
        });
    }

    /** The OpenTelemetry environment an app of this stack needs to join the mesh's traces (lib/appTracing.ts). */
    appTracingEnv(serviceName: string): EnvVar[] {
        return appTracingEnv(serviceName, this.otlpEndpoint, this.traceContext);
    }
}
