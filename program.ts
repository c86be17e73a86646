/**
 * The program body: `index.ts` (the Pulumi CLI's entry point) runs it, and so do the test programs
 * under `e2e/programs/` (the guardrail objects, the render-to-YAML provider), which the CLI starts
 * the same way. Configuration is read here, once, validated by `config/` before any resource is
 * registered, and handed down as typed settings.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AdoptedCrd, ChartRendering, ISTIO_RELEASES, IstioMeshArgs, ObservabilityStack, ObservabilityStackArgs, anonymousSigningKey } from "./components";
import { CONFIG_NAMESPACE, ConfigError, RawConfig, StackConfig, parseStackConfig } from "./config";
import { RenderableChart, renderableChart } from "./lib/chartSchema";
import { ChartSource } from "./lib/charts";
import { GATEWAY_API, SYSTEM_NAMESPACE } from "./lib/constants";
import { ClusterAccess } from "./lib/clusterAccess";
import { IstioCrdLayout, istioCrdLayout, missingGatewayApiCrds, observeCrdOwnership } from "./lib/istioCrds";
import { NamespaceOwnership, ObservedNamespace, namespaceOwnership, observeNamespaces } from "./lib/namespaces";

/** Every `observability-stack:*` key of the stack, objects and booleans parsed from their JSON text. */
function readRawConfig(): RawConfig {
    const prefix = `${CONFIG_NAMESPACE}:`;
    const raw: Record<string, unknown> = {};
    for (const [key, text] of Object.entries(pulumi.runtime.allConfig())) {
        if (!key.startsWith(prefix)) {
            continue;
        }
        try {
            raw[key.slice(prefix.length)] = JSON.parse(text);
        } catch {
            raw[key.slice(prefix.length)] = text;
        }
    }
    return raw;
}

/**
 * Kiali's login signing key as a Pulumi secret. A key the stack sets is read again through the config
 * API that keeps its secret flag (`pulumi config set --secret`); an anonymous Kiali gets a key derived
 * from the stack's identity, marked secret too, so every resource that holds a key encrypts it.
 */
function kialiSigningKey(settings: StackConfig): pulumi.Output<string> {
    if (settings.kiali.signingKey !== undefined) {
        return new pulumi.Config(CONFIG_NAMESPACE).requireSecretObject<{ signingKey: string }>("kiali").apply((k) => k.signingKey);
    }
    return pulumi.secret(anonymousSigningKey(pulumi.getProject(), pulumi.getStack()));
}

/** What `main` reaches outside the engine; tests replace it. */
export interface MainDeps {
    /** Fetches a chart and decides whether it renders as published (lib/chartSchema.ts). */
    readonly renderable: (source: ChartSource) => Promise<RenderableChart>;
    /** Reads the namespaces the stack uses from the cluster (lib/namespaces.ts). */
    readonly observeNamespaces: (names: readonly string[]) => Promise<Map<string, ObservedNamespace>>;
    /** Where the base chart's CRDs go, read from the chart (lib/istioCrds.ts). */
    readonly istioCrdLayout: (source: ChartSource) => Promise<IstioCrdLayout>;
    /** The CRDs among `names` the cluster holds without the CRD release's ownership metadata (lib/istioCrds.ts). */
    readonly unownedCrds: (names: readonly string[]) => Promise<readonly AdoptedCrd[]>;
    /** The Gateway API CRDs ambient mode needs that the cluster lacks (lib/istioCrds.ts). */
    readonly missingGatewayApiCrds: () => Promise<readonly string[]>;
}

/**
 * The cluster the stack deploys to: the stack config `kubernetes:kubeconfig` and `kubernetes:context`, read raw
 * (the kubeconfig is often a secret, and `Config.get` of a secret warns). The program reads namespaces with
 * them and hands them to its explicit provider, which would otherwise read only `KUBECONFIG` (an explicit
 * `k8s.Provider` ignores the `kubernetes:` stack config the default provider reads).
 */
function clusterAccess(): ClusterAccess {
    const get = (key: string) => pulumi.runtime.getConfig(`kubernetes:${key}`);
    return { kubeconfig: get("kubeconfig"), context: get("context") };
}

const DEFAULT_DEPS: MainDeps = {
    renderable: renderableChart,
    observeNamespaces: (names) => observeNamespaces(names, clusterAccess()),
    istioCrdLayout: (source) => istioCrdLayout(source),
    unownedCrds: (names) => observeCrdOwnership(names, ISTIO_RELEASES.crds, SYSTEM_NAMESPACE, clusterAccess()),
    missingGatewayApiCrds: () => missingGatewayApiCrds(clusterAccess()),
};

/**
 * Ambient mode's prerequisite on the cluster: the Gateway API CRDs (waypoints are Gateways). Checked before anything is
 * registered, so a missing CRD is one line with the fix, not a failed apply after the charts were installed.
 */
export function gatewayApiPrerequisite(settings: StackConfig, missing: readonly string[]): void {
    if (settings.dataPlane === "ambient" && missing.length > 0) {
        throw new ConfigError([
            `mesh.dataPlane: got "ambient"; the cluster lacks the Gateway API CRDs ${missing.join(", ")} (v1), which waypoints need: install them first (${GATEWAY_API.install}), or use sidecar`,
        ]);
    }
}

/**
 * Who owns each namespace: the stack creates the ones that are missing (istio-system always; app
 * namespaces when `createAppNamespaces` is true) and adopts the ones that exist. With
 * `createAppNamespaces: false` a missing app namespace is a config error, reported before anything is registered.
 */
export function namespacePlan(settings: StackConfig, observed: Map<string, ObservedNamespace>, owner: string): Record<string, NamespaceOwnership> {
    const missing = settings.appNamespaces.flatMap((ns, i) => (settings.createAppNamespaces || observed.get(ns)?.exists === true ? [] : [{ ns, i }]));
    if (missing.length > 0) {
        throw new ConfigError(
            missing.map(
                ({ ns, i }) =>
                    `appNamespaces[${i}]: got ${JSON.stringify(ns)}; the namespace does not exist in the cluster: create it first, or set createAppNamespaces true to let the stack create it (and delete it on destroy)`,
            ),
        );
    }
    return Object.fromEntries([SYSTEM_NAMESPACE, ...settings.appNamespaces].map((ns) => [ns, namespaceOwnership(observed.get(ns) ?? { exists: false }, owner)]));
}

/** What the program knows besides the validated settings: the Kiali signing key, the namespace plan, the gateway rendering, the CRD release. */
export interface StackContext {
    readonly kialiSigningKey: pulumi.Input<string>;
    readonly namespaces: Readonly<Record<string, NamespaceOwnership>>;
    readonly owner: string;
    readonly gatewayRendering?: ChartRendering;
    readonly crdRelease?: IstioMeshArgs["crdRelease"];
}

/**
 * The component's arguments from validated settings. Here, not in the component, live the decisions
 * that follow from `environment`: production Kiali is view-only and reads only the mesh's namespaces.
 */
export function observabilityStackArgs(settings: StackConfig, context: StackContext): ObservabilityStackArgs {
    const production = settings.environment === "production";
    return {
        owner: context.owner,
        namespaces: context.namespaces,
        charts: settings.charts,
        awaitReadiness: settings.awaitReadiness,
        tracing: { provider: settings.tracingProvider, propagation: settings.tracePropagation, samplingPercentage: settings.samplingPercentage },
        jaeger: settings.jaeger,
        mesh: {
            gatewayServiceType: settings.gatewayServiceType,
            gatewayRendering: context.gatewayRendering,
            extAuthz: settings.extAuthz,
            crdRelease: context.crdRelease,
            dataPlane: settings.dataPlane,
        },
        // The key from config is plain text: the component gets the secret Output in its place.
        kiali: { ...settings.kiali, signingKey: context.kialiSigningKey, viewOnly: production, accessibleNamespaces: production ? settings.appNamespaces : undefined },
        prometheusMonitors: settings.prometheus.operator ? { labels: settings.prometheus.monitorLabels } : undefined,
        externalServices: settings.externalServices,
        appNamespaces: settings.appNamespaces,
        networkPolicies: {
            mode: settings.networkPolicies.mode,
            baselinePolicy: settings.networkPolicies.baselinePolicy,
            dns: { namespace: settings.networkPolicies.dnsNamespace, podLabels: settings.networkPolicies.dnsPodLabels },
        },
        ui: {
            kialiHost: settings.ui.kiali?.host,
            jaegerHost: settings.ui.jaeger?.host,
            ingressClassName: settings.ui.ingressClassName,
            tlsSecretName: settings.ui.tlsSecretName,
            annotations: settings.ui.authAnnotations,
            ingressControllerNamespace: settings.ui.ingressControllerNamespace,
        },
    };
}

/**
 * Chart values from stack config reach the rendered objects, the state and the releases record in
 * plain text, so a `charts` key holding a secret (`pulumi config set --secret`) is refused rather than
 * written out. `isConfigSecret` is the SDK's own check behind `Config.get`'s secret warning (runtime/config.js, marked internal).
 */
export function secretChartValues(settings: StackConfig, isSecret: (key: string) => boolean): void {
    const roles = Object.entries(settings.charts).filter(([, c]) => c.values !== undefined);
    if (roles.length > 0 && isSecret(`${CONFIG_NAMESPACE}:charts`)) {
        throw new ConfigError(
            roles.map(
                ([role]) =>
                    `charts.${role}.values: got <secret>; chart values are written into the Kubernetes objects, the state and the releases record in plain text: keep the secret in a Kubernetes Secret and name that Secret in the values (e.g. imagePullSecrets)`,
            ),
        );
    }
}

function isConfigSecret(key: string): boolean {
    const internal = pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean };
    return internal.isConfigSecret?.(key) ?? false;
}

/** The stack component and the stack outputs, as {@link buildStack} registers them. */
export interface BuiltStack {
    readonly stack: ObservabilityStack;
    readonly outputs: Record<string, unknown>;
}

/** Builds the stack and returns its outputs. Throws ConfigError or ClusterAccessError before registering anything. */
export async function main(overrides: Partial<MainDeps> = {}): Promise<Record<string, unknown>> {
    return (await buildStack(overrides)).outputs;
}

/**
 * Registers the stack and returns the component with the outputs (a test program adds resources that
 * depend on the whole stack). Throws ConfigError or ClusterAccessError before registering anything.
 */
export async function buildStack(overrides: Partial<MainDeps> = {}): Promise<BuiltStack> {
    const deps = { ...DEFAULT_DEPS, ...overrides };
    const settings = parseStackConfig(readRawConfig());
    secretChartValues(settings, isConfigSecret);
    const owner = `${pulumi.getProject()}/${pulumi.getStack()}`;
    const namespaces = namespacePlan(settings, await deps.observeNamespaces([SYSTEM_NAMESPACE, ...settings.appNamespaces]), owner);
    gatewayApiPrerequisite(settings, settings.dataPlane === "ambient" ? await deps.missingGatewayApiCrds() : []);
    const gateway = await deps.renderable(settings.charts.istioGateway);
    const crdLayout = await deps.istioCrdLayout(settings.charts.istioBase);
    const crdRelease = crdLayout.kind === "release" ? { names: crdLayout.names, adopt: await deps.unownedCrds(crdLayout.names) } : undefined;
    const access = clusterAccess();
    const kubeconfig = access.kubeconfig === undefined ? undefined : isConfigSecret("kubernetes:kubeconfig") ? pulumi.secret(access.kubeconfig) : access.kubeconfig;
    // ConfigMaps and Secrets change in place: replacing one (the provider's default for their data) creates the new
    // object over the old one, of the same name, with server-side apply, then deletes "the old one" — measured on
    // provider 4.25.0: a change to Kiali's values left Kiali's ConfigMap and the releases record deleted.
    // Helm keeps the CRD release's record in a ConfigMap, not a Secret: a preview with --refresh reads it, and reading
    // Secrets by label would need `list` on every Secret of the namespace (rbac/preview.yaml grants ConfigMaps).
    const provider = new k8s.Provider("k8s", {
        enableServerSideApply: true,
        enableConfigMapMutable: true,
        enableSecretMutable: true,
        kubeconfig,
        context: access.context,
        helmReleaseSettings: { driver: "configmap" },
    });
    const stack = new ObservabilityStack(
        "observability",
        observabilityStackArgs(settings, {
            kialiSigningKey: kialiSigningKey(settings),
            namespaces,
            owner,
            gatewayRendering: { localPath: gateway.localPath, note: gateway.note },
            crdRelease,
        }),
        { provider },
    );
    const outputs = {
        environment: settings.environment,
        samplingPercentage: settings.samplingPercentage,
        tracingProvider: settings.tracingProvider,
        // What the proxies propagate: b3, b3+w3c (zipkin), or w3c (opentelemetry); appTracingEnvironment follows it.
        tracePropagation: stack.traceContext,
        istioVersion: stack.istioVersion,
        jaegerChartLine: stack.jaegerChartLine,
        zipkinEndpoint: stack.zipkinEndpoint,
        otlpEndpoint: stack.otlpEndpoint,
        kialiTracingUrl: stack.kialiTracingUrl,
        // For an app named my-service: each app sets its own name (README, "What gets deployed").
        appTracingEnvironment: stack.appTracingEnv("my-service"),
        uiUrls: stack.uiUrls,
        networkPolicies: stack.networkPolicies,
        prometheusMonitors: stack.prometheusMonitors,
        dataPlane: stack.dataPlane,
        waypoints: stack.waypoints,
    };
    return { stack, outputs };
}
