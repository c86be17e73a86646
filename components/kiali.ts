import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ChartSource, parseVersion } from "../lib/charts";
import { JAEGER_PORTS, KIALI_SIGNING_KEY_MOUNT, QUERY_SERVICE, SYSTEM_NAMESPACE, serviceFqdn } from "../lib/constants";
import { ChartRelease, HelmValues, installChart, mergeValues } from "./helm";
import { childOptions } from "./options";
import { componentType, withTypeAliases } from "./typeTokens";

/** Login strategies the program configures completely (`openid` needs client settings this program does not model). */
export const KIALI_AUTH_STRATEGIES = ["anonymous", "token", "header"] as const;
export type KialiAuthStrategy = (typeof KIALI_AUTH_STRATEGIES)[number];

/** Arguments of {@link Kiali}. */
export interface KialiArgs {
    /** The `kiali-server` chart (2.x). */
    readonly chart: ChartSource;
    /**
     * Namespace; must exist.
     * @default "istio-system"
     */
    readonly namespace?: string;
    /**
     * Login strategy (`auth.strategy`). `anonymous` is for dev only.
     * @default "token"
     * @see https://kiali.io/docs/configuration/authentication/
     */
    readonly authStrategy?: KialiAuthStrategy;
    /**
     * `login_token.signing_key`: 16, 24 or 32 characters, kept as a Pulumi secret. It reaches Kiali
     * only through the Secret {@link KIALI_SIGNING_KEY_SECRET}: never in chart values or a ConfigMap
     * (Kiali's cluster-wide role can read every ConfigMap).
     */
    readonly signingKey: pulumi.Input<string>;
    /** Prometheus URL (pre-existing; Kiali's graph needs it). */
    readonly prometheusUrl: string;
    /** Grafana in-cluster URL; Grafana integration is off when undefined. */
    readonly grafanaUrl?: string;
    /** Grafana URL for browsers. */
    readonly grafanaExternalUrl?: string;
    /**
     * Read traces over gRPC (16685) instead of HTTP (16686).
     * @default true
     */
    readonly tracingUseGrpc?: boolean;
    /** Jaeger UI URL for browsers. */
    readonly tracingExternalUrl?: string;
    /**
     * Ambient mode: a workload's proxy spans come from its waypoint, under the waypoint's service name
     * (`<waypoint>.<namespace>`), so Kiali asks Jaeger for that name (`external_services.tracing.use_waypoint_name`,
     * kiali/kiali v2.29.0 config/config.go:463, read in business/workloads.go:2896 and services.go:956; new in Kiali 2.22). Otherwise Kiali asks for `<app>.<namespace>`, which no
     * waypoint span carries, and a workload's traces tab shows only the app's own spans.
     * @default false
     */
    readonly waypointSpans?: boolean;
    /**
     * Kiali shows the mesh but changes nothing (`deployment.view_only_mode`); the chart then binds the viewer role.
     * @default false
     */
    readonly viewOnly?: boolean;
    /**
     * Restrict Kiali's RBAC to these namespaces (plus its own) instead of the whole cluster, on chart
     * versions that support it ({@link supportsNamespaceScopedAccess}); cluster-wide when undefined.
     * The chart finds them with `lookup` at render time, so they must exist before `up`.
     */
    readonly accessibleNamespaces?: readonly string[];
    /**
     * Wait for Kiali to become ready.
     * @default true
     */
    readonly awaitReadiness?: boolean;
    /** Escape hatch: values merged last. */
    readonly values?: HelmValues;
}

export const KIALI_RELEASE = "kiali";

/** Labels of the Kiali pod (kiali-server chart `kiali-server.selectorLabels`, 2.1.0 and 2.29.0). */
export const KIALI_POD_LABELS = { "app.kubernetes.io/name": "kiali", "app.kubernetes.io/instance": KIALI_RELEASE } as const;

/**
 * The Secret that holds the signing key. Its key is the file name Kiali reads: the server replaces
 * `login_token.signing_key` with the content of `/kiali-override-secrets/login-token-signing-key/value.txt`
 * (kiali/kiali v2.1.0 `config/config.go`: `SecretFileLoginTokenSigningKey`, `overrideSecretsDir`).
 */
export const KIALI_SIGNING_KEY_SECRET = { name: "kiali-signing-key", key: "value.txt" } as const;

/**
 * What the ConfigMap holds on charts without `secret:` references: a fixed value of a valid length
 * that keeps the rendered ConfigMap stable (an empty key renders a random one on every run); the
 * mounted file replaces it before Kiali validates the key.
 */
export const KIALI_SIGNING_KEY_PLACEHOLDER = "from-secret-file";

/** kiali-server chart versions from this one on mount `secret:<name>:<key>` references (kiali/helm-charts cdf6923, first tagged v2.21.0). */
const SECRET_REFERENCE_SINCE = { major: 2, minor: 21 };

/** Whether the chart version mounts `secret:<name>:<key>` references (its `kiali-server.credential-secrets` helper). */
export function supportsSecretReferences(version: string): boolean {
    const v = parseVersion(version);
    return v !== undefined && (v.major > SECRET_REFERENCE_SINCE.major || (v.major === SECRET_REFERENCE_SINCE.major && v.minor >= SECRET_REFERENCE_SINCE.minor));
}

/** kiali-server chart versions from this one on render Roles per namespace with `deployment.cluster_wide_access: false` (kiali/helm-charts b67ef79, v2.19.0; 2.1.0 is cluster-wide only). */
const NAMESPACE_SCOPED_SINCE = { major: 2, minor: 19 };

export function supportsNamespaceScopedAccess(version: string): boolean {
    const v = parseVersion(version);
    return v !== undefined && (v.major > NAMESPACE_SCOPED_SINCE.major || (v.major === NAMESPACE_SCOPED_SINCE.major && v.minor >= NAMESPACE_SCOPED_SINCE.minor));
}

/**
 * How the chart gets the signing key from {@link KIALI_SIGNING_KEY_SECRET}: a `secret:` reference the
 * chart mounts itself (>= 2.21), or the placeholder plus `deployment.custom_secrets`, which mounts the
 * whole Secret at {@link KIALI_SIGNING_KEY_MOUNT} (2.1.0 to 2.20; the key is the file `value.txt`).
 * @internal A value builder: tests call it; programs use the component.
 */
export function signingKeyValues(chartVersion: string): { signingKey: string; customSecrets: { name: string; mount: string }[] } {
    return supportsSecretReferences(chartVersion)
        ? { signingKey: `secret:${KIALI_SIGNING_KEY_SECRET.name}:${KIALI_SIGNING_KEY_SECRET.key}`, customSecrets: [] }
        : { signingKey: KIALI_SIGNING_KEY_PLACEHOLDER, customSecrets: [{ name: KIALI_SIGNING_KEY_SECRET.name, mount: KIALI_SIGNING_KEY_MOUNT }] };
}

/**
 * Kiali's in-cluster tracing URL: the ClusterIP query Service, gRPC or HTTP port.
 * @internal A value builder: tests call it; programs use the component.
 */
export function tracingInternalUrl(namespace: string, useGrpc: boolean): string {
    return `http://${serviceFqdn(QUERY_SERVICE.name, namespace)}:${useGrpc ? JAEGER_PORTS.queryGrpc : JAEGER_PORTS.queryHttp}`;
}

/**
 * Values of the kiali-server chart with Kiali 2.x keys. 2.x removed `deployment.accessible_namespaces`
 * (the server chart is cluster-wide only) and renamed `in_cluster_url` -> `internal_url`,
 * `url` -> `external_url`; the chart copies values into Kiali's config, so stale keys would be ignored silently.
 * @see https://kiali.io/docs/configuration/kialis.kiali.io/
 * @internal A value builder: tests call it; programs use the component.
 */
export function kialiValues(args: {
    namespace: string;
    authStrategy: KialiAuthStrategy;
    /** What the chart gets for the key (never the key itself); see {@link signingKeyValues}. */
    signingKey: ReturnType<typeof signingKeyValues>;
    prometheusUrl: string;
    grafanaUrl?: string;
    grafanaExternalUrl?: string;
    tracingUseGrpc: boolean;
    tracingExternalUrl?: string;
    /** Ambient mode: read a workload's proxy spans under its waypoint's name ({@link KialiArgs.waypointSpans}). */
    waypointSpans?: boolean;
    viewOnly: boolean;
    /** Namespaces Kiali may read (`cluster_wide_access: false`); cluster-wide when undefined. */
    accessibleNamespaces?: readonly string[];
}): HelmValues {
    const scoped =
        args.accessibleNamespaces !== undefined
            ? {
                  cluster_wide_access: false,
                  discovery_selectors: { default: [{ matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: [args.namespace, ...args.accessibleNamespaces] }] }] },
              }
            : {};
    return {
        auth: { strategy: args.authStrategy },
        // One cluster: no remote-cluster secrets to mount. With autodetection on (the chart's default) every render,
        // previews included, lists every Secret of Kiali's namespace (`lookup "v1" "Secret"`, templates/_helpers.tpl
        // kiali-server.remote-cluster-secrets, 2.1.0 and 2.29.0), so a preview's credentials would need to read them all.
        clustering: { autodetect_secrets: { enabled: false } },
        deployment: {
            image_pull_policy: "IfNotPresent",
            ingress: { enabled: false },
            ...(args.viewOnly ? { view_only_mode: true } : {}),
            ...scoped,
            ...(args.signingKey.customSecrets.length > 0 ? { custom_secrets: args.signingKey.customSecrets } : {}),
        },
        external_services: {
            prometheus: { url: args.prometheusUrl },
            grafana:
                args.grafanaUrl !== undefined
                    ? { enabled: true, internal_url: args.grafanaUrl, ...(args.grafanaExternalUrl !== undefined ? { external_url: args.grafanaExternalUrl } : {}) }
                    : { enabled: false },
            tracing: {
                enabled: true,
                provider: "jaeger",
                use_grpc: args.tracingUseGrpc,
                internal_url: tracingInternalUrl(args.namespace, args.tracingUseGrpc),
                ...(args.tracingExternalUrl !== undefined ? { external_url: args.tracingExternalUrl } : {}),
                ...(args.waypointSpans === true ? { use_waypoint_name: true } : {}),
            },
        },
        login_token: { signing_key: args.signingKey.signingKey },
    };
}

/** Kiali from the kiali-server chart, pointed at the Jaeger query ClusterIP Service and Prometheus. */
export class Kiali extends pulumi.ComponentResource {
    public readonly serviceName: string;
    /** The URL Kiali reads traces from (the Jaeger query Service, gRPC or HTTP). */
    public readonly tracingUrl: string;
    public readonly chart: k8s.helm.v4.Chart;
    /** What was asked of Helm, for the releases ConfigMap. */
    public readonly releases: ChartRelease[];
    public readonly signingKeySecret: k8s.core.v1.Secret;

    constructor(name: string, args: KialiArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("Kiali"), name, {}, withTypeAliases("Kiali", opts));
        const namespace = args.namespace ?? SYSTEM_NAMESPACE;
        const authStrategy = args.authStrategy ?? "token";
        const tracingUseGrpc = args.tracingUseGrpc ?? true;
        const awaitReadiness = args.awaitReadiness ?? true;

        this.signingKeySecret = new k8s.core.v1.Secret(
            `${name}-signing-key`,
            {
                metadata: { name: KIALI_SIGNING_KEY_SECRET.name, namespace },
                type: "Opaque",
                stringData: { [KIALI_SIGNING_KEY_SECRET.key]: pulumi.secret(args.signingKey) },
            },
            childOptions(this, opts),
        );
        const values = kialiValues({
            namespace,
            authStrategy,
            signingKey: signingKeyValues(args.chart.version),
            prometheusUrl: args.prometheusUrl,
            grafanaUrl: args.grafanaUrl,
            grafanaExternalUrl: args.grafanaExternalUrl,
            tracingUseGrpc,
            tracingExternalUrl: args.tracingExternalUrl,
            waypointSpans: args.waypointSpans,
            viewOnly: args.viewOnly ?? false,
            accessibleNamespaces: args.accessibleNamespaces !== undefined && supportsNamespaceScopedAccess(args.chart.version) ? args.accessibleNamespaces : undefined,
        });
        const installed = installChart(
            `${name}-chart`,
            args.chart,
            { releaseName: KIALI_RELEASE, namespace, skipAwait: !awaitReadiness, values: mergeValues(values, args.values) },
            childOptions(this, opts, [this.signingKeySecret]),
        );
        this.chart = installed.chart;
        this.releases = [installed.release];
        this.serviceName = KIALI_RELEASE;
        this.tracingUrl = tracingInternalUrl(namespace, tracingUseGrpc);
        this.registerOutputs({ serviceName: this.serviceName, tracingUrl: this.tracingUrl });
    }
}
