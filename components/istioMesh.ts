import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AMBIENT_SINCE_ISTIO, ChartSource, ZIPKIN_W3C_SINCE_ISTIO, istioZipkinPropagatesW3c, versionAtLeast } from "../lib/charts";
import {
    ACCESS_LOG_LABELS,
    DataPlane,
    DEFAULT_EXT_AUTHZ_HTTP_HEADERS,
    GATEWAY_NAME,
    HELM_OWNERSHIP,
    ISTIOD_AMBIENT,
    MeshTraceContext,
    PROVIDER_NAMES,
    PROVIDER_TRACE_CONTEXT,
    SYSTEM_NAMESPACE,
    TracingProvider,
    ZIPKIN_B3_WITH_W3C,
} from "../lib/constants";
import { ChartRelease, ChartRendering, HelmValues, installChart, mergeValues } from "./helm";
import { ArgumentProblem, childOptions, throwProblems } from "./options";
import { componentType, withTypeAliases } from "./typeTokens";

/** Service types of the ingress gateway's Service. */
export const GATEWAY_SERVICE_TYPES = ["ClusterIP", "NodePort", "LoadBalancer"] as const;
export type GatewayServiceType = (typeof GATEWAY_SERVICE_TYPES)[number];

/** What both ext-authz providers take. */
interface ExtAuthzCommon {
    /** Host of the authorization service, e.g. `ext-authz.auth.svc.cluster.local`. */
    readonly service: string;
    readonly port: number;
    /** Timeout of the check, e.g. `500ms`. @default Istio's (600ms) */
    readonly timeout?: string;
    /** Let requests through when the service cannot be reached. @default false */
    readonly failOpen?: boolean;
}

/**
 * Istio's gRPC ext-authz provider (`envoyExtAuthzGrpc`): gRPC ext_authz sends every request header, so it has no header list.
 * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-ExtensionProvider-EnvoyExternalAuthorizationGrpcProvider
 */
export interface GrpcExtAuthz extends ExtAuthzCommon {
    readonly protocol: "grpc";
}

/**
 * Istio's HTTP ext-authz provider (`envoyExtAuthzHttp`).
 * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-ExtensionProvider-EnvoyExternalAuthorizationHttpProvider
 */
export interface HttpExtAuthz extends ExtAuthzCommon {
    readonly protocol: "http";
    /** Prefix of the check request's path. @default none */
    readonly pathPrefix?: string;
    /** Request headers sent to the service. @default {@link DEFAULT_EXT_AUTHZ_HTTP_HEADERS} (authorization, x-request-id and the B3 ids) */
    readonly includeRequestHeadersInCheck?: readonly string[];
    /** Headers of the service's answer added to the upstream request. @default none */
    readonly headersToUpstreamOnAllow?: readonly string[];
}

export type ExtAuthz = GrpcExtAuthz | HttpExtAuthz;

/** Arguments of {@link IstioMesh}. */
export interface IstioMeshArgs {
    /** Istio `base` chart (CRDs, default validating webhook). */
    readonly baseChart: ChartSource;
    /** Istio `istiod` chart (control plane, mesh config). */
    readonly istiodChart: ChartSource;
    /** Istio `gateway` chart (ingress gateway `istio-ingressgateway`). */
    readonly gatewayChart: ChartSource;
    /**
     * How to render the gateway chart when lib/chartSchema.ts had something to say: a local copy
     * without the schema that rejects the chart's own defaults, and the note for the releases record.
     * @default the chart from its repository
     */
    readonly gatewayRendering?: ChartRendering;
    /**
     * Namespace of the control plane and gateway; must exist.
     * @default "istio-system"
     */
    readonly namespace?: string;
    /**
     * Service type of the ingress gateway.
     * @default "ClusterIP"
     */
    readonly gatewayServiceType?: GatewayServiceType;
    /**
     * The `jaeger` tracing provider: Envoy's Zipkin tracer (`zipkin`, B3 headers, and with `propagation: "b3+w3c"`
     * W3C trace context beside them) or its OpenTelemetry tracer (`opentelemetry`, OTLP over gRPC, W3C trace context),
     * and the collector it reports to (a ClusterIP Service). Bad combinations: {@link meshTracingProblems}.
     * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-ExtensionProvider-OpenTelemetryTracingProvider
     */
    readonly tracing: MeshTracing;
    /**
     * External authorization provider; none when undefined.
     * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-ExtensionProvider-EnvoyExternalAuthorizationHttpProvider
     */
    readonly extAuthz?: ExtAuthz;
    /**
     * Wait for chart workloads to become ready.
     * @default true
     */
    readonly awaitReadiness?: boolean;
    /**
     * The data plane: sidecars (injected into the pods of labelled namespaces), or ambient mode, which needs
     * {@link IstioMeshArgs.ambientCharts} and Istio 1.30 or later ({@link dataPlaneProblems}).
     * @default "sidecar"
     */
    readonly dataPlane?: DataPlane;
    /** Ambient mode only: Istio's `cni` node agent and `ztunnel` charts, of istiod's version. */
    readonly ambientCharts?: { readonly cni: ChartSource; readonly ztunnel: ChartSource };
    /** Escape hatch: values merged last into each chart's values. */
    readonly values?: { readonly base?: HelmValues; readonly istiod?: HelmValues; readonly gateway?: HelmValues; readonly cni?: HelmValues; readonly ztunnel?: HelmValues };
    /**
     * Install the base chart's CRDs as one Helm Release, {@link ISTIO_RELEASES}.crds, instead of Chart v4 children
     * (lib/istioCrds.ts): `names` are the chart's CRDs (left out of the Chart v4 of the rest of `base`), `adopt` those
     * the cluster holds without the release's ownership metadata, which a `CustomResourceDefinitionPatch` adds first
     * (retained on delete). The program decides it from the chart and the cluster.
     * @default the CRDs as Chart v4 children, retained on destroy
     */
    readonly crdRelease?: { readonly names: readonly string[]; readonly adopt?: readonly AdoptedCrd[] };
}

/**
 * How the zipkin provider's proxies propagate trace context: `b3`, B3 headers only (Istio's default), or `b3+w3c`,
 * the provider's `traceContextOption: USE_B3_WITH_W3C_PROPAGATION` (Istio >= 1.28): they read B3 headers, or W3C
 * `traceparent` when a request has none, and put both on every request they forward, so apps and clients that
 * speak either format join one trace. The opentelemetry provider propagates W3C trace context only and has no such setting.
 * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-ExtensionProvider-ZipkinTracingProvider
 */
export const TRACE_PROPAGATIONS = ["b3", "b3+w3c"] as const satisfies readonly MeshTraceContext[];
export type TracePropagation = (typeof TRACE_PROPAGATIONS)[number];

/** The mesh's tracing provider and the collector Service it reports to. */
export interface MeshTracing {
    readonly provider: TracingProvider;
    readonly service: string;
    readonly port: number;
    /**
     * Zipkin provider only: {@link TracePropagation}. Must be absent with the opentelemetry provider.
     * @default "b3+w3c" when the istiod chart is Istio 1.28 or later, else "b3"
     */
    readonly propagation?: TracePropagation;
}

const W3C_SINCE = `${ZIPKIN_W3C_SINCE_ISTIO.major}.${ZIPKIN_W3C_SINCE_ISTIO.minor}`;

/**
 * What is wrong with the tracing settings for an Istio version: a propagation with the opentelemetry provider, and
 * `b3+w3c` before Istio 1.28 (its istiod has no `traceContextOption` and would drop it unread). Pure; `versionKey`
 * names where the caller's Istio version comes from (`istiodChart.version` here, `charts.istiod.version` in the
 * stack and its config), which reports the same problems under `tracing`.
 */
export function meshTracingProblems(args: { readonly istioVersion: string; readonly tracing: Pick<MeshTracing, "provider" | "propagation"> }, versionKey = "istiodChart.version"): ArgumentProblem[] {
    const { provider, propagation } = args.tracing;
    if (propagation === undefined) {
        return [];
    }
    if (provider !== "zipkin") {
        return [
            {
                path: ["tracing", "propagation"],
                value: propagation,
                reason: `only for the zipkin provider: the ${provider} provider propagates W3C trace context (traceparent) only; remove it, or use provider zipkin`,
            },
        ];
    }
    if (propagation === "b3+w3c" && !istioZipkinPropagatesW3c(args.istioVersion)) {
        return [
            {
                path: ["tracing", "propagation"],
                value: propagation,
                reason: `needs Istio ${W3C_SINCE} or later (${versionKey} is ${args.istioVersion}): the zipkin provider's traceContextOption is new in Istio ${W3C_SINCE}; use b3, or Istio ${W3C_SINCE} or later`,
            },
        ];
    }
    return [];
}

/**
 * The propagation in effect: the one given, or by default `b3+w3c` for the zipkin provider where the Istio version
 * supports it and `b3` where it does not; undefined for the opentelemetry provider.
 */
export function resolveTracePropagation(tracing: Pick<MeshTracing, "provider" | "propagation">, istioVersion: string): TracePropagation | undefined {
    if (tracing.provider !== "zipkin") {
        return undefined;
    }
    return tracing.propagation ?? (istioZipkinPropagatesW3c(istioVersion) ? "b3+w3c" : "b3");
}

/** What the mesh's proxies read and send for these settings (lib/constants.ts {@link MeshTraceContext}). */
export function meshTraceContext(tracing: Pick<MeshTracing, "provider" | "propagation">, istioVersion: string): MeshTraceContext {
    return resolveTracePropagation(tracing, istioVersion) ?? PROVIDER_TRACE_CONTEXT[tracing.provider];
}

/**
 * Release names; `istio-ingressgateway` is the gateway name the reference deployment used; `istio-crds` holds the base chart's
 * CRDs; `istio-cni` and `ztunnel` are the ambient data plane's, as Istio's Helm install names them.
 * @see https://istio.io/latest/docs/ambient/install/helm/
 */
export const ISTIO_RELEASES = { base: "istio-base", istiod: "istiod", gateway: GATEWAY_NAME, crds: "istio-crds", cni: "istio-cni", ztunnel: "ztunnel" } as const;

const AMBIENT_SINCE = `${AMBIENT_SINCE_ISTIO.major}.${AMBIENT_SINCE_ISTIO.minor}`;

/**
 * What is wrong with a data plane for the charts, whatever the caller: ambient mode before Istio 1.30 (the line the
 * stack proves it on), and ambient charts of another version than istiod's (ztunnel and the cni agent speak istiod's
 * xDS and CA of the same release). Pure; `keys` names where the caller's versions come from, so the stack and its
 * config report the same problems under their own keys.
 */
export function dataPlaneProblems(
    args: { readonly dataPlane: DataPlane; readonly istioVersion: string; readonly cniVersion?: string; readonly ztunnelVersion?: string },
    keys: { readonly dataPlane: readonly string[]; readonly istio: string; readonly cni: readonly string[]; readonly ztunnel: readonly string[] } = {
        dataPlane: ["dataPlane"],
        istio: "istiodChart.version",
        cni: ["ambientCharts", "cni", "version"],
        ztunnel: ["ambientCharts", "ztunnel", "version"],
    },
): ArgumentProblem[] {
    if (args.dataPlane !== "ambient") {
        return [];
    }
    if (!versionAtLeast(args.istioVersion, AMBIENT_SINCE_ISTIO)) {
        return [
            {
                path: [...keys.dataPlane],
                value: "ambient",
                reason: `needs Istio ${AMBIENT_SINCE} or later (${keys.istio} is ${args.istioVersion}): the stack installs and proves ambient mode on the ${AMBIENT_SINCE} line; use sidecar, or Istio ${AMBIENT_SINCE} or later`,
            },
        ];
    }
    return (
        [
            [keys.cni, args.cniVersion],
            [keys.ztunnel, args.ztunnelVersion],
        ] as const
    ).flatMap(([path, version]) =>
        version === undefined || version === args.istioVersion
            ? []
            : [{ path: [...path], value: version, reason: `must be istiod's version (${keys.istio} is ${args.istioVersion}): ambient mode's charts are one Istio release` }],
    );
}

/**
 * The values ambient mode adds to a chart: the charts' own `ambient` profile (files/profile-ambient.yaml, 1.30.3) on
 * istiod (the only place that sets PILOT_ENABLE_AMBIENT, which turns on waypoints and the `istio-waypoint` GatewayClass:
 * istio/istio 1.30.3 pilot/pkg/features/ambient.go) and on the cni agent (`ambient.enabled`); ztunnel needs no profile
 * (istio.io/latest/docs/ambient/install/helm). istiod, cni and ztunnel share istio-system: the cni agent finds ztunnel
 * there (cni/pkg/util/podutil.go, SYSTEM_NAMESPACE).
 * @internal A value builder: tests call it; programs use the component.
 */
export const AMBIENT_PROFILE: HelmValues = { profile: ISTIOD_AMBIENT.profile };

/**
 * What the base chart renders in the CRD release: its CRDs alone (`global.resourceScope: cluster` leaves out the reader
 * ServiceAccount, an empty `defaultRevision` the default validating webhook), merged over the stack's base values.
 */
export const CRD_RELEASE_VALUES: HelmValues = { defaultRevision: "", global: { resourceScope: "cluster" } };

/** The field manager of the patches that give existing CRDs Helm's ownership metadata (never the stack's own manager: an apply under it would drop the fields it owns). */
export const CRD_ADOPTION_FIELD_MANAGER = "observability-stack-crd-adoption";

/**
 * A CRD the cluster holds without the CRD release's ownership, as read from the cluster. The provider registers every
 * CRD it applies, a patch included, by `spec.group` and `spec.names.kind` (pulumi-kubernetes 4.25.0
 * provider/pkg/clients groupKindFromCRD: "expected .spec.group" without them), so the patch carries both, unchanged.
 */
export interface AdoptedCrd {
    readonly name: string;
    readonly group: string;
    readonly kind: string;
}

/**
 * Istio's extension provider for ext-authz: only the fields the MeshConfig API of Istio 1.24 and
 * 1.30 has. gRPC ext_authz sends every request header, so its provider has no header list; the
 * HTTP provider uses `includeRequestHeadersInCheck` (the older `includeHeadersInCheck` is deprecated).
 * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-ExtensionProvider-EnvoyExternalAuthorizationGrpcProvider
 * @internal A value builder: tests call it; programs use the component.
 */
export function extAuthzProvider(settings: ExtAuthz): HelmValues {
    const common = {
        service: settings.service,
        port: settings.port,
        ...(settings.timeout !== undefined ? { timeout: settings.timeout } : {}),
        ...(settings.failOpen ? { failOpen: true } : {}),
    };
    if (settings.protocol === "grpc") {
        return { name: PROVIDER_NAMES.extAuthz, envoyExtAuthzGrpc: common };
    }
    return {
        name: PROVIDER_NAMES.extAuthz,
        envoyExtAuthzHttp: {
            ...common,
            ...(settings.pathPrefix !== undefined ? { pathPrefix: settings.pathPrefix } : {}),
            includeRequestHeadersInCheck: [...(settings.includeRequestHeadersInCheck ?? DEFAULT_EXT_AUTHZ_HTTP_HEADERS)],
            ...((settings.headersToUpstreamOnAllow ?? []).length > 0 ? { headersToUpstreamOnAllow: [...(settings.headersToUpstreamOnAllow ?? [])] } : {}),
        },
    };
}

/**
 * The tracing extension provider: `service` and `port`, fields of both the zipkin and the opentelemetry provider in
 * Istio 1.24 and 1.30, and on the zipkin provider with `propagation: "b3+w3c"` `traceContextOption:
 * USE_B3_WITH_W3C_PROPAGATION` (Istio >= 1.28 only: {@link meshTracingProblems}). With `b3` the field stays out: USE_B3
 * is its default, and Istio 1.24's MeshConfig has no such field.
 * @internal A value builder: tests call it; programs use the component.
 */
export function tracingExtensionProvider(tracing: MeshTracing): HelmValues {
    const dual = tracing.provider === "zipkin" && tracing.propagation === "b3+w3c" ? { traceContextOption: ZIPKIN_B3_WITH_W3C } : {};
    return { name: PROVIDER_NAMES.tracing, [tracing.provider]: { service: tracing.service, port: tracing.port, ...dual } };
}

/**
 * The `meshConfig` istiod gets: tracing through the Telemetry API and `extensionProviders`
 * (Istio >= 1.22 sends no traces otherwise), a JSON access log carrying `%TRACE_ID%`, and the
 * optional ext-authz provider. No deprecated `defaultConfig.tracing` block. The tracing provider: {@link tracingExtensionProvider}.
 *
 * `defaultProviders.metrics` keeps Istio's built-in `prometheus` provider: once `meshConfig.defaultProviders`
 * is set at all, the istiod chart drops its own `metrics: [prometheus]` (`templates/_helpers.tpl`
 * `default-prometheus`, `configmap.yaml`; 1.24.2 and 1.30.3), sidecars then emit no `istio_requests_total`
 * and Kiali's graph is empty (istio/istio#53332, #51384).
 * @see https://istio.io/latest/docs/tasks/observability/distributed-tracing/zipkin/
 * @see https://istio.io/latest/docs/tasks/observability/distributed-tracing/opentelemetry/
 * @internal A value builder: tests call it; programs use the component.
 */
export function meshConfig(tracing: MeshTracing, extAuthz: ExtAuthz | undefined): HelmValues {
    const providers: HelmValues[] = [
        tracingExtensionProvider(tracing),
        {
            name: PROVIDER_NAMES.accessLog,
            envoyFileAccessLog: { path: "/dev/stdout", logFormat: { labels: { ...ACCESS_LOG_LABELS } } },
        },
    ];
    if (extAuthz !== undefined) {
        providers.push(extAuthzProvider(extAuthz));
    }
    return {
        enableTracing: true,
        defaultProviders: { metrics: [PROVIDER_NAMES.metrics], tracing: [PROVIDER_NAMES.tracing] },
        extensionProviders: providers,
    };
}

/**
 * Values of the istiod chart (top-level keys; the chart rejects a `defaults:` block).
 * @internal A value builder: tests call it; programs use the component.
 */
export function istiodValues(namespace: string, tracing: MeshTracing, extAuthz: ExtAuthz | undefined, dataPlane: DataPlane = "sidecar"): HelmValues {
    return {
        ...(dataPlane === "ambient" ? AMBIENT_PROFILE : {}),
        global: { istioNamespace: namespace },
        meshConfig: meshConfig(tracing, extAuthz),
    };
}

/**
 * Values of the gateway chart.
 * @internal A value builder: tests call it; programs use the component.
 */
export function gatewayValues(serviceType: GatewayServiceType): HelmValues {
    return { service: { type: serviceType } };
}

/** Fields istiod rewrites at runtime on the webhooks the charts render. */
export const WEBHOOK_RUNTIME_FIELDS = ["webhooks[*].failurePolicy", "webhooks[*].clientConfig.caBundle"] as const;

/**
 * Resource transform for the Istio charts' children. istiod patches its validating webhooks at
 * runtime (`failurePolicy` Ignore -> Fail, `caBundle`) and the injector's `caBundle`. Marking those
 * fields `ignoreChanges` makes the Kubernetes provider leave them out of its server-side apply when
 * another field manager owns them, so `pulumi up` neither reverts nor conflicts with istiod.
 * Istio CRDs are retained on destroy: deleting them would delete every Istio resource in the cluster.
 * @see https://github.com/pulumi/pulumi-kubernetes/pull/2566 (ignoreChanges fields owned by another manager are left out of the apply)
 * @internal A value builder: tests call it; programs use the component.
 */
export function istioChildTransform(args: pulumi.ResourceTransformArgs): pulumi.ResourceTransformResult | undefined {
    if (args.type === "kubernetes:admissionregistration.k8s.io/v1:ValidatingWebhookConfiguration" || args.type === "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration") {
        const ignoreChanges = [...new Set([...(args.opts.ignoreChanges ?? []), ...WEBHOOK_RUNTIME_FIELDS])];
        return { props: args.props, opts: { ...args.opts, ignoreChanges } };
    }
    if (args.type === "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition") {
        // Retained CRDs are taken over again by the next install (possibly another Istio version, another
        // field manager): Istio's CRDs belong to the base chart alone, so forcing the apply is safe.
        const metadata = { ...(args.props.metadata ?? {}), annotations: { ...(args.props.metadata?.annotations ?? {}), "pulumi.com/patchForce": "true" } };
        return { props: { ...args.props, metadata }, opts: { ...args.opts, retainOnDelete: true } };
    }
    return undefined;
}

/**
 * Istio installed from its three charts in order base -> istiod -> gateway (the gateway's image is
 * `auto`, filled in by istiod's injector), with mesh-wide tracing to the Jaeger collector.
 */
export class IstioMesh extends pulumi.ComponentResource {
    public readonly namespace: string;
    public readonly gatewayServiceName: string;
    /** The istiod chart's version, which is Istio's. */
    public readonly istioVersion: string;
    /** The zipkin provider's propagation in effect (the given one or its default); undefined with the opentelemetry provider. */
    public readonly tracePropagation: TracePropagation | undefined;
    /** What the mesh's proxies read and send: B3, B3 and W3C, or W3C. Apps' propagators follow it (lib/appTracing.ts). */
    public readonly traceContext: MeshTraceContext;
    /** The istiod chart: the injection webhook the gateway's pods need. */
    public readonly istiod: k8s.helm.v4.Chart;
    /** What installs the CRDs (the CRD release, or the base chart): Istio custom resources depend on it. */
    public readonly crds: pulumi.Resource;
    public readonly base: k8s.helm.v4.Chart;
    public readonly gateway: k8s.helm.v4.Chart;
    public readonly dataPlane: DataPlane;
    /** Ambient mode: the cni agent's and ztunnel's charts. */
    public readonly ambient?: { readonly cni: k8s.helm.v4.Chart; readonly ztunnel: k8s.helm.v4.Chart };
    /** What was asked of Helm, for the releases ConfigMap. */
    public readonly releases: ChartRelease[];

    constructor(name: string, args: IstioMeshArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("IstioMesh"), name, {}, withTypeAliases("IstioMesh", opts));
        const dataPlane = args.dataPlane ?? "sidecar";
        throwProblems("IstioMesh", [
            ...meshTracingProblems({ istioVersion: args.istiodChart.version, tracing: args.tracing }),
            ...dataPlaneProblems({ dataPlane, istioVersion: args.istiodChart.version, cniVersion: args.ambientCharts?.cni.version, ztunnelVersion: args.ambientCharts?.ztunnel.version }),
            ...(dataPlane === "ambient" && args.ambientCharts === undefined
                ? [{ path: ["ambientCharts"], value: undefined, reason: "required when dataPlane is ambient: the cni and ztunnel charts" }]
                : []),
        ]);
        const tracing: MeshTracing = { ...args.tracing, propagation: resolveTracePropagation(args.tracing, args.istiodChart.version) };
        const namespace = args.namespace ?? SYSTEM_NAMESPACE;
        const serviceType = args.gatewayServiceType ?? "ClusterIP";
        const skipAwait = !(args.awaitReadiness ?? true);
        const childOpts = (...deps: pulumi.Resource[]) => ({ ...childOptions(this, opts, deps), transforms: [istioChildTransform] });

        const baseValues = mergeValues({ defaultRevision: "default" }, args.values?.base);
        const crdRelease = args.crdRelease === undefined ? undefined : this.crdRelease(name, namespace, args.baseChart, baseValues, args.crdRelease, opts);
        const base = installChart(
            `${name}-base`,
            args.baseChart,
            {
                releaseName: ISTIO_RELEASES.base,
                namespace,
                skipAwait,
                values: crdRelease === undefined ? baseValues : mergeValues(baseValues, { base: { excludedCRDs: [...(args.crdRelease?.names ?? [])] } }),
                ...(crdRelease !== undefined ? { note: `CRDs installed as Helm release ${ISTIO_RELEASES.crds}` } : {}),
            },
            childOpts(...(crdRelease !== undefined ? [crdRelease] : [])),
        );
        this.base = base.chart;
        this.crds = crdRelease ?? base.chart;
        const istiod = installChart(
            `${name}-istiod`,
            args.istiodChart,
            { releaseName: ISTIO_RELEASES.istiod, namespace, skipAwait, values: mergeValues(istiodValues(namespace, tracing, args.extAuthz, dataPlane), args.values?.istiod) },
            // After the CRDs (Istio installs base first for them), not after the rest of base: its default validating
            // webhook and reader ServiceAccount are nothing istiod needs, so with the CRD release the two run side by side.
            childOpts(this.crds),
        );
        this.istiod = istiod.chart;
        const gateway = installChart(
            `${name}-gateway`,
            args.gatewayChart,
            { releaseName: ISTIO_RELEASES.gateway, namespace, skipAwait, values: mergeValues(gatewayValues(serviceType), args.values?.gateway), rendering: args.gatewayRendering },
            childOpts(this.istiod),
        );
        this.gateway = gateway.chart;
        this.releases = [base.release, istiod.release, gateway.release];
        if (dataPlane === "ambient" && args.ambientCharts !== undefined) {
            // After istiod, as Istio's Helm install orders them: ztunnel mounts the root certificate istiod writes
            // (ConfigMap istio-ca-root-cert), and the cni agent hands pods to ztunnel. Neither waits for the other.
            const cni = installChart(
                `${name}-cni`,
                args.ambientCharts.cni,
                { releaseName: ISTIO_RELEASES.cni, namespace, skipAwait, values: mergeValues(AMBIENT_PROFILE, args.values?.cni) },
                childOpts(this.istiod),
            );
            const ztunnel = installChart(
                `${name}-ztunnel`,
                args.ambientCharts.ztunnel,
                { releaseName: ISTIO_RELEASES.ztunnel, namespace, skipAwait, values: mergeValues({ istioNamespace: namespace }, args.values?.ztunnel) },
                childOpts(this.istiod),
            );
            this.ambient = { cni: cni.chart, ztunnel: ztunnel.chart };
            this.releases.push(cni.release, ztunnel.release);
        }
        this.dataPlane = dataPlane;

        this.namespace = namespace;
        this.gatewayServiceName = ISTIO_RELEASES.gateway;
        this.istioVersion = args.istiodChart.version;
        this.tracePropagation = tracing.propagation;
        this.traceContext = meshTraceContext(tracing, this.istioVersion);
        this.registerOutputs({
            namespace: this.namespace,
            gatewayServiceName: this.gatewayServiceName,
            istioVersion: this.istioVersion,
            tracePropagation: this.tracePropagation,
            traceContext: this.traceContext,
            dataPlane: this.dataPlane,
        });
    }

    /** The CRD release, after the patches that let Helm install over CRDs the cluster already holds. */
    private crdRelease(
        name: string,
        namespace: string,
        chart: ChartSource,
        baseValues: HelmValues,
        crds: NonNullable<IstioMeshArgs["crdRelease"]>,
        opts: pulumi.ComponentResourceOptions | undefined,
    ): k8s.helm.v3.Release {
        const adoption = (crds.adopt ?? []).map(
            (crd) =>
                new k8s.apiextensions.v1.CustomResourceDefinitionPatch(
                    `${name}-crd-ownership-${crd.name}`,
                    {
                        spec: { group: crd.group, names: { kind: crd.kind } },
                        metadata: {
                            name: crd.name,
                            labels: { [HELM_OWNERSHIP.label.key]: HELM_OWNERSHIP.label.value },
                            annotations: {
                                [HELM_OWNERSHIP.releaseName]: ISTIO_RELEASES.crds,
                                [HELM_OWNERSHIP.releaseNamespace]: namespace,
                                "pulumi.com/patchFieldManager": CRD_ADOPTION_FIELD_MANAGER,
                                // The stack's own field manager holds spec.group and spec.names.kind (the CRD was a Chart v4
                                // child): the same values, taken over by force, or server-side apply refuses with a conflict.
                                "pulumi.com/patchForce": "true",
                            },
                        },
                    },
                    // Retained: deleting a patch would take the ownership back off the CRD.
                    { ...childOptions(this, opts), retainOnDelete: true },
                ),
        );
        return new k8s.helm.v3.Release(
            `${name}-crds`,
            {
                name: ISTIO_RELEASES.crds,
                namespace,
                chart: chart.chart,
                version: chart.version,
                repositoryOpts: { repo: chart.repo },
                values: mergeValues(baseValues, CRD_RELEASE_VALUES) as Record<string, unknown>,
                // No Helm wait: Helm 3.18.6 (the provider's) polls readiness every 2 s (pkg/kube/wait.go), and a CRD just
                // created is rarely established at the first poll, so the wait cost a create 2 s on the critical path. A
                // custom resource created before its CRD is served is retried by the provider itself (pulumi-kubernetes
                // pkg/await/await.go `Creation`: NotFound and NoMatch, 5 retries from 1 s, doubling), and every Istio
                // custom resource of the stack depends on this release (test/index.spec.ts).
                skipAwait: true,
                maxHistory: 3,
            },
            childOptions(this, opts, adoption),
        );
    }
}
