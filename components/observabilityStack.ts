import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { StackConfig } from "../config";
import { EnvVar, OTLP_GRPC_ENDPOINT, ZIPKIN_HOST, appTracingEnv } from "../lib/appTracing";
import { INJECTION_LABEL, JAEGER_PORTS, RELEASES_CONFIGMAP, SYSTEM_NAMESPACE, TRACING_PROVIDER_PORTS, ZIPKIN_SPANS_PATH } from "../lib/constants";
import { NamespaceOwnership, OWNER_ANNOTATION } from "../lib/namespaces";
import { JaegerChartLine, jaegerChartLine } from "../lib/charts";
import { ExternalServices } from "./externalServices";
import { IstioMesh } from "./istioMesh";
import { Jaeger } from "./jaeger";
import { fieldManagerTransform, kubernetesProvider } from "./options";
import { componentType, withTypeAliases } from "./typeTokens";
import { ChartRendering } from "./helm";
import { JaegerIngressPolicies } from "./jaegerIngressPolicies";
import { Kiali } from "./kiali";
import { MeshTelemetry } from "./meshTelemetry";
import { PrometheusMonitors } from "./prometheusMonitors";
import { TracingNetworkPolicies } from "./tracingNetworkPolicies";
import { UiExposure } from "./uiExposure";

/** Arguments of {@link ObservabilityStack}. */
export interface ObservabilityStackArgs {
    /** Validated stack settings (see `config/`). */
    readonly settings: StackConfig;
    /** Kiali's login signing key, a Pulumi secret (program.ts `kialiSigningKey`). */
    readonly kialiSigningKey: pulumi.Input<string>;
    /**
     * Who owns each namespace the stack uses (lib/namespaces.ts): `create` for the ones it creates,
     * `adopt` for the ones that existed before it; a namespace not listed is created.
     */
    readonly namespaces: Readonly<Record<string, NamespaceOwnership>>;
    /** The stack's identity, `<project>/<stack>`, written on the namespaces it creates. */
    readonly owner: string;
    /** How to render the Istio gateway chart (lib/chartSchema.ts: a local copy, or a note for the releases record). */
    readonly gatewayRendering?: ChartRendering;
    /**
     * Service name used for the example app tracing environment output.
     * @default "my-service"
     */
    readonly exampleServiceName?: string;
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
 * The whole tracing stack in dependency order: namespace -> Jaeger -> Istio (base -> istiod ->
 * gateway) -> Telemetry, ServiceEntries, Kiali -> app namespace labels and NetworkPolicies -> UIs.
 */
export class ObservabilityStack extends pulumi.ComponentResource {
    // Values known from the settings alone are plain; only what the engine reports is an Output.
    public readonly istioVersion: string;
    public readonly jaegerChartLine: JaegerChartLine;
    public readonly collectorHost: string;
    public readonly zipkinEndpoint: string;
    public readonly otlpEndpoint: string = OTLP_GRPC_ENDPOINT;
    public readonly kialiTracingUrl: string;
    public readonly appTracingEnvironment: readonly EnvVar[];
    public readonly uiUrls: Readonly<Record<string, string>>;
    public readonly networkPolicies: pulumi.Output<string[]>;
    /** The Prometheus monitors created (`prometheus.operator`), `namespace/name`; none without the operator. */
    public readonly prometheusMonitors: readonly string[];

    constructor(name: string, args: ObservabilityStackArgs, opts?: pulumi.ComponentResourceOptions) {
        // Every object below, chart children included, is applied by one stable field manager (see fieldManagerTransform).
        super(componentType("ObservabilityStack"), name, {}, { ...withTypeAliases("ObservabilityStack", opts), transforms: [...(opts?.transforms ?? []), fieldManagerTransform] });
        const s = args.settings;
        // The Kubernetes provider comes from this component's options (`provider` or `providers.kubernetes`) and is handed
        // to every child explicitly: to the components as their `provider` option, to the objects as their provider.
        const provider = kubernetesProvider(this);
        const childOpts = { parent: this, ...(provider !== undefined ? { provider } : {}) };

        const namespace = (resourceName: string, ns: string, labels: Record<string, string>, dependsOn: pulumi.Resource[] = []) =>
            ownedNamespace(resourceName, ns, labels, args.namespaces[ns] ?? "create", args.owner, { ...childOpts, dependsOn });
        const systemNamespace = namespace(`${name}-system-namespace`, SYSTEM_NAMESPACE, { "app.kubernetes.io/part-of": "observability-stack" });

        const jaeger = new Jaeger(
            `${name}-jaeger`,
            {
                chart: s.charts.jaeger,
                storage: s.jaeger.storage,
                replicas: s.jaeger.replicas,
                resources: s.jaeger.resources,
                image: s.jaeger.image,
                awaitReadiness: s.awaitReadiness,
            },
            { ...childOpts, dependsOn: [systemNamespace] },
        );

        const mesh = new IstioMesh(
            `${name}-istio`,
            {
                baseChart: s.charts.istioBase,
                istiodChart: s.charts.istiod,
                gatewayChart: s.charts.istioGateway,
                gatewayRendering: args.gatewayRendering,
                gatewayServiceType: s.gatewayServiceType,
                tracing: { provider: s.tracingProvider, service: ZIPKIN_HOST, port: TRACING_PROVIDER_PORTS[s.tracingProvider] },
                extAuthz: s.extAuthz,
                awaitReadiness: s.awaitReadiness,
            },
            { ...childOpts, dependsOn: [systemNamespace, jaeger.collectorService] },
        );
        const istioReady = [mesh.istiod];

        new MeshTelemetry(`${name}-telemetry`, { samplingPercentage: s.samplingPercentage }, { ...childOpts, dependsOn: istioReady });
        const monitors = s.prometheus.operator
            ? new PrometheusMonitors(`${name}-monitors`, { labels: s.prometheus.monitorLabels }, { ...childOpts, dependsOn: [systemNamespace] })
            : undefined;
        new ExternalServices(`${name}-external`, { services: s.externalServices }, { ...childOpts, dependsOn: istioReady });

        const kiali = new Kiali(
            `${name}-kiali`,
            {
                chart: s.charts.kiali,
                authStrategy: s.kiali.authStrategy,
                signingKey: args.kialiSigningKey,
                prometheusUrl: s.kiali.prometheusUrl,
                grafanaUrl: s.kiali.grafanaUrl,
                grafanaExternalUrl: s.kiali.grafanaExternalUrl,
                tracingUseGrpc: s.kiali.tracingUseGrpc,
                tracingExternalUrl: s.kiali.tracingExternalUrl,
                // Production: Kiali shows the mesh, changes nothing, and reads only the mesh's namespaces where the chart can scope it.
                viewOnly: s.environment === "production",
                accessibleNamespaces: s.environment === "production" ? s.appNamespaces : undefined,
                awaitReadiness: s.awaitReadiness,
            },
            { ...childOpts, dependsOn: [mesh.istiod, jaeger.queryService] },
        );

        const appNamespaces = s.appNamespaces.map((ns) => namespace(`${name}-ns-${ns}`, ns, { ...INJECTION_LABEL }, [mesh.istiod]));
        const policies = new TracingNetworkPolicies(
            `${name}-netpol`,
            {
                namespaces: s.appNamespaces,
                mode: s.networkPolicies.mode,
                baselinePolicy: s.networkPolicies.baselinePolicy,
                dns: { namespace: s.networkPolicies.dnsNamespace, podLabels: s.networkPolicies.dnsPodLabels },
                externalPorts: s.externalServices.map((e) => e.port),
            },
            { ...childOpts, dependsOn: [...appNamespaces, jaeger] },
        );

        new JaegerIngressPolicies(
            `${name}-jaeger-ingress`,
            {
                line: jaegerChartLine(s.charts.jaeger.version),
                appNamespaces: s.appNamespaces,
                ingressControllerNamespaces: s.ui.jaeger !== undefined ? [s.ui.ingressControllerNamespace] : [],
                metricsNamespaces: clusterServiceNamespace(s.kiali.prometheusUrl) ?? [],
            },
            { ...childOpts, dependsOn: [jaeger] },
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
            { ...childOpts, dependsOn: [systemNamespace] },
        );

        const ui = new UiExposure(
            `${name}-ui`,
            {
                kialiHost: s.ui.kiali?.host,
                jaegerHost: s.ui.jaeger?.host,
                ingressClassName: s.ui.ingressClassName,
                tlsSecretName: s.ui.tlsSecretName,
                annotations: s.ui.authAnnotations,
                awaitReadiness: s.awaitReadiness,
            },
            { ...childOpts, dependsOn: [kiali, jaeger] },
        );

        this.istioVersion = mesh.istioVersion;
        this.jaegerChartLine = jaeger.chartLine;
        this.collectorHost = jaeger.collectorHost;
        this.zipkinEndpoint = `http://${jaeger.collectorHost}:${JAEGER_PORTS.zipkin}${ZIPKIN_SPANS_PATH}`;
        this.kialiTracingUrl = kiali.tracingUrl;
        this.appTracingEnvironment = appTracingEnv(args.exampleServiceName ?? "my-service", OTLP_GRPC_ENDPOINT, s.tracingProvider);
        this.uiUrls = ui.urls;
        this.networkPolicies = policies.policyNames;
        this.prometheusMonitors = monitors?.monitorNames ?? [];
        this.registerOutputs({
            prometheusMonitors: this.prometheusMonitors,
            istioVersion: this.istioVersion,
            jaegerChartLine: this.jaegerChartLine,
            collectorHost: this.collectorHost,
            zipkinEndpoint: this.zipkinEndpoint,
            otlpEndpoint: this.otlpEndpoint,
            kialiTracingUrl: this.kialiTracingUrl,
            appTracingEnvironment: this.appTracingEnvironment,
            uiUrls: this.uiUrls,
            networkPolicies: this.networkPolicies,
        });
    }
}
