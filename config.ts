/**
 * Stack configuration: the typed shape, its defaults, and one pure validator.
 *
 * `index.ts` reads every `observability-stack:*` key once and hands the raw values to
 * {@link parseStackConfig}. It returns typed settings or throws a {@link ConfigError} that lists
 * every bad value with its key, the value and what is allowed — before any resource is registered.
 * The function never mutates its input. Components never read `pulumi.Config` themselves.
 */
import * as pulumi from "@pulumi/pulumi";
import { ChartRole, ChartSource, DEFAULT_CHARTS, EXACT_VERSION } from "./lib/charts";
import { DEFAULT_EXT_AUTHZ_HTTP_HEADERS } from "./lib/constants";

/** The Pulumi config namespace of this project (`Pulumi.yaml` `name`). */
export const CONFIG_NAMESPACE = "observability-stack";

export type Environment = "dev" | "production";
export type GatewayServiceType = "ClusterIP" | "NodePort" | "LoadBalancer";
/** Login strategies the program configures completely (openid needs client settings this program does not model). */
export type KialiAuthStrategy = "anonymous" | "token" | "header";
export type NetworkPolicyMode = "complete" | "baseline";

/** CPU and memory quantities, Kubernetes syntax. */
export interface ResourceQuantities {
    readonly cpu: string;
    readonly memory: string;
}

export interface ResourceRequirements {
    readonly requests: ResourceQuantities;
    readonly limits: ResourceQuantities;
}

/** Reference to a key of an existing Kubernetes Secret in the Jaeger namespace. */
export interface SecretKeyRef {
    readonly name: string;
    readonly key: string;
}

export type JaegerStorage =
    | { readonly type: "memory" }
    | {
          readonly type: "elasticsearch";
          /** URL of an existing Elasticsearch cluster, e.g. `https://es.logging.svc:9200`. */
          readonly url: string;
          readonly username: string;
          /** Secret holding the password of `username`. */
          readonly passwordSecret: SecretKeyRef;
          /** Index prefix; empty for Jaeger's default. */
          readonly indexPrefix: string;
      };

export interface ImageOverride {
    readonly registry?: string;
    readonly repository?: string;
    readonly tag?: string;
}

export interface JaegerSettings {
    readonly storage: JaegerStorage;
    readonly replicas: number;
    readonly resources: ResourceRequirements;
    readonly image: ImageOverride;
}

export interface KialiSettings {
    readonly authStrategy: KialiAuthStrategy;
    /** Stable `login_token.signing_key` (16, 24 or 32 characters); a Pulumi secret. */
    readonly signingKey?: string;
    readonly prometheusUrl: string;
    readonly grafanaUrl?: string;
    readonly grafanaExternalUrl?: string;
    /** Kiali reads traces over gRPC (port 16685) when true, HTTP (16686) when false. */
    readonly tracingUseGrpc: boolean;
    /** Jaeger UI address users' browsers open from Kiali. */
    readonly tracingExternalUrl?: string;
}

export type ExtAuthzSettings =
    | {
          readonly protocol: "grpc";
          readonly service: string;
          readonly port: number;
          readonly timeout?: string;
          readonly failOpen: boolean;
      }
    | {
          readonly protocol: "http";
          readonly service: string;
          readonly port: number;
          readonly timeout?: string;
          readonly failOpen: boolean;
          readonly pathPrefix?: string;
          readonly includeRequestHeadersInCheck: readonly string[];
          readonly headersToUpstreamOnAllow: readonly string[];
      };

export interface ExternalServiceSettings {
    readonly name: string;
    readonly hosts: readonly string[];
    readonly port: number;
}

export interface NetworkPolicySettings {
    /** `complete`: every egress a mesh workload needs; `baseline`: only Jaeger egress, plus a check that `baselinePolicy` exists. */
    readonly mode: NetworkPolicyMode;
    readonly baselinePolicy?: string;
    readonly dnsNamespace: string;
    readonly dnsPodLabels: Readonly<Record<string, string>>;
}

export interface UiHost {
    readonly host: string;
}

export interface UiSettings {
    readonly kiali?: UiHost;
    readonly jaeger?: UiHost;
    readonly ingressClassName: string;
    readonly tlsSecretName?: string;
    /** Annotations that put an authenticating proxy in front of the UIs (required outside dev). */
    readonly authAnnotations: Readonly<Record<string, string>>;
}

/** Everything the program needs, validated and with defaults applied. */
export interface StackConfig {
    readonly environment: Environment;
    readonly awaitReadiness: boolean;
    readonly charts: Readonly<Record<ChartRole, ChartSource>>;
    readonly gatewayServiceType: GatewayServiceType;
    readonly samplingPercentage: number;
    readonly extAuthz?: ExtAuthzSettings;
    readonly jaeger: JaegerSettings;
    readonly kiali: KialiSettings;
    readonly externalServices: readonly ExternalServiceSettings[];
    readonly appNamespaces: readonly string[];
    readonly createAppNamespaces: boolean;
    readonly networkPolicies: NetworkPolicySettings;
    readonly ui: UiSettings;
}

/** Raw values by key (without the `observability-stack:` prefix), JSON already parsed. */
export type RawConfig = Readonly<Record<string, unknown>>;

/**
 * Thrown by {@link parseStackConfig}; `problems` holds one line per bad value.
 *
 * A `pulumi.RunError`, so the Node.js SDK's program runner (`cmd/run/run.js`) logs only its message,
 * one line per problem. Its `stack` is that message too, without frames: the runner still formats
 * every uncaught error once with `util.inspect` for its trace span, and formatting frames under
 * `@pulumi` modules (source-map lookups) took 38–47 s per pass here, against 0.2 ms without frames.
 * The frames would only ever point at this validator; the problems say what to fix.
 */
export class ConfigError extends pulumi.RunError {
    constructor(public readonly problems: readonly string[]) {
        super(`invalid stack configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "ConfigError";
        this.stack = `${this.name}: ${this.message}`;
    }
}

/** Reference resources of the Jaeger all-in-one pod (reference deployment). */
export const DEFAULT_JAEGER_RESOURCES: ResourceRequirements = {
    requests: { cpu: "100m", memory: "256Mi" },
    limits: { cpu: "500m", memory: "512Mi" },
};

export const DEFAULT_PROMETHEUS_URL = "http://prometheus-operated.prometheus.svc.cluster.local:9090";

const TOP_LEVEL_KEYS = [
    "environment",
    "awaitReadiness",
    "charts",
    "gateway",
    "tracing",
    "extAuthz",
    "jaeger",
    "kiali",
    "externalServices",
    "appNamespaces",
    "createAppNamespaces",
    "networkPolicies",
    "ui",
] as const;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const HOSTNAME = /^(?=.{1,253}$)(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|M|G|T)?$/;
const DURATION = /^[0-9]+(\.[0-9]+)?(ms|s|m|h)$/;
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

function show(value: unknown): string {
    return value === undefined ? "nothing" : JSON.stringify(value);
}

/**
 * Collects problems while walking the raw config; every check names its key path.
 * `undefined` (key absent) means "use the default"; `null` is a wrong value like any other.
 */
class Reader {
    readonly problems: string[] = [];

    fail(key: string, value: unknown, allowed: string): void {
        this.problems.push(`${key}: got ${show(value)}; ${allowed}`);
    }

    object(key: string, value: unknown, allowedKeys: readonly string[]): Record<string, unknown> | undefined {
        if (value === undefined) {
            return {};
        }
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
            this.fail(key, value, "expected an object");
            return undefined;
        }
        for (const k of Object.keys(value)) {
            if (!allowedKeys.includes(k)) {
                this.fail(`${key}.${k}`, (value as Record<string, unknown>)[k], `unknown key; allowed keys of ${key}: ${allowedKeys.join(", ")}`);
            }
        }
        return value as Record<string, unknown>;
    }

    string(key: string, value: unknown, dflt?: string): string | undefined {
        if (value === undefined) {
            return dflt;
        }
        if (typeof value !== "string" || value.length === 0) {
            this.fail(key, value, "expected a non-empty string");
            return dflt;
        }
        return value;
    }

    required(key: string, value: unknown, what: string): string | undefined {
        if (value === undefined || value === null || value === "") {
            this.fail(key, value, `required: ${what}`);
            return undefined;
        }
        return this.string(key, value);
    }

    boolean(key: string, value: unknown, dflt: boolean): boolean {
        if (value === undefined) {
            return dflt;
        }
        if (value === "true" || value === "false") {
            return value === "true";
        }
        if (typeof value !== "boolean") {
            this.fail(key, value, "expected true or false");
            return dflt;
        }
        return value;
    }

    oneOf<T extends string>(key: string, value: unknown, allowed: readonly T[], dflt: T): T {
        if (value === undefined) {
            return dflt;
        }
        if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
            this.fail(key, value, `allowed: ${allowed.join(", ")}`);
            return dflt;
        }
        return value as T;
    }

    number(key: string, value: unknown, min: number, max: number, dflt: number, integer: boolean): number {
        if (value === undefined) {
            return dflt;
        }
        const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
        if (typeof n !== "number" || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
            this.fail(key, value, `expected ${integer ? "an integer" : "a number"} from ${min} to ${max}`);
            return dflt;
        }
        return n;
    }

    port(key: string, value: unknown, dflt?: number): number | undefined {
        if (dflt === undefined && (value === undefined || value === null)) {
            this.fail(key, value, "required: a port from 1 to 65535");
            return dflt;
        }
        if (value === undefined) {
            return dflt;
        }
        return this.number(key, value, 1, 65535, dflt ?? 0, true);
    }

    list(key: string, value: unknown): unknown[] | undefined {
        if (value === undefined) {
            return undefined;
        }
        if (!Array.isArray(value)) {
            this.fail(key, value, "expected a list");
            return undefined;
        }
        return value;
    }

    match(key: string, value: unknown, pattern: RegExp, what: string): string | undefined {
        const s = this.string(key, value);
        if (s !== undefined && !pattern.test(s)) {
            this.fail(key, value, what);
            return undefined;
        }
        return s;
    }

    url(key: string, value: unknown, dflt?: string): string | undefined {
        const s = this.string(key, value, dflt);
        if (s === undefined || s === dflt) {
            return s;
        }
        let ok = false;
        try {
            const u = new URL(s);
            ok = (u.protocol === "http:" || u.protocol === "https:") && u.hostname !== "";
        } catch {
            ok = false;
        }
        if (!ok) {
            this.fail(key, value, "expected an http:// or https:// URL");
            return undefined;
        }
        return s;
    }

    labels(key: string, value: unknown, dflt: Record<string, string>): Record<string, string> {
        if (value === undefined) {
            return dflt;
        }
        if (typeof value !== "object" || value === null || Array.isArray(value) || Object.values(value).some((v) => typeof v !== "string")) {
            this.fail(key, value, "expected a map of string to string");
            return dflt;
        }
        return { ...(value as Record<string, string>) };
    }
}

function parseCharts(r: Reader, raw: unknown): Record<ChartRole, ChartSource> {
    const roles = Object.keys(DEFAULT_CHARTS) as ChartRole[];
    const obj = r.object("charts", raw, roles) ?? {};
    const out = {} as Record<ChartRole, ChartSource>;
    for (const role of roles) {
        const key = `charts.${role}`;
        const c = r.object(key, obj[role], ["repo", "chart", "version"]) ?? {};
        const d = DEFAULT_CHARTS[role];
        const version = c.version === undefined ? d.version : c.version;
        if (typeof version !== "string" || !EXACT_VERSION.test(version)) {
            r.fail(`${key}.version`, version, "expected an exact chart version such as 1.30.3 (no range, no empty value)");
        }
        out[role] = {
            repo: r.url(`${key}.repo`, c.repo, d.repo) ?? d.repo,
            chart: r.string(`${key}.chart`, c.chart, d.chart) ?? d.chart,
            version: typeof version === "string" ? version : d.version,
        };
    }
    const istio = [out.istioBase.version, out.istiod.version, out.istioGateway.version];
    if (new Set(istio).size > 1) {
        r.fail("charts.istioBase/istiod/istioGateway.version", istio, "the three Istio charts must share one version");
    }
    return out;
}

function parseResources(r: Reader, key: string, raw: unknown): ResourceRequirements {
    const obj = r.object(key, raw, ["requests", "limits"]) ?? {};
    const part = (name: "requests" | "limits"): ResourceQuantities => {
        const o = r.object(`${key}.${name}`, obj[name], ["cpu", "memory"]) ?? {};
        const d = DEFAULT_JAEGER_RESOURCES[name];
        const q = (f: "cpu" | "memory") =>
            o[f] === undefined ? d[f] : r.match(`${key}.${name}.${f}`, o[f], QUANTITY, "expected a Kubernetes quantity such as 500m or 512Mi") ?? d[f];
        return { cpu: q("cpu"), memory: q("memory") };
    };
    return { requests: part("requests"), limits: part("limits") };
}

function parseJaeger(r: Reader, raw: unknown): JaegerSettings {
    const obj = r.object("jaeger", raw, ["storage", "replicas", "resources", "image"]) ?? {};
    const s = r.object("jaeger.storage", obj.storage, ["type", "url", "username", "passwordSecret", "indexPrefix"]) ?? {};
    const type = r.oneOf("jaeger.storage.type", s.type, ["memory", "elasticsearch"] as const, "memory");
    let storage: JaegerStorage = { type: "memory" };
    if (type === "elasticsearch") {
        const sec = r.object("jaeger.storage.passwordSecret", s.passwordSecret, ["name", "key"]) ?? {};
        const url = s.url === undefined || s.url === null ? r.required("jaeger.storage.url", s.url, "the URL of an existing Elasticsearch cluster") : r.url("jaeger.storage.url", s.url);
        storage = {
            type: "elasticsearch",
            url: url ?? "",
            username: r.required("jaeger.storage.username", s.username, "the Elasticsearch user name") ?? "",
            passwordSecret: {
                name: r.required("jaeger.storage.passwordSecret.name", sec.name, "the name of a Secret in istio-system holding the password") ?? "",
                key: r.required("jaeger.storage.passwordSecret.key", sec.key, "the key of the password in that Secret") ?? "",
            },
            indexPrefix: r.string("jaeger.storage.indexPrefix", s.indexPrefix, "") ?? "",
        };
    } else {
        for (const k of ["url", "username", "passwordSecret", "indexPrefix"]) {
            if (s[k] !== undefined) {
                r.fail(`jaeger.storage.${k}`, s[k], "only allowed with jaeger.storage.type elasticsearch");
            }
        }
    }
    const replicas = r.number("jaeger.replicas", obj.replicas, 1, 10, 1, true);
    if (storage.type === "memory" && replicas !== 1) {
        r.fail("jaeger.replicas", obj.replicas, "in-memory storage needs exactly 1 replica (each replica would hold a part of the traces)");
    }
    const img = r.object("jaeger.image", obj.image, ["registry", "repository", "tag"]) ?? {};
    const image: ImageOverride = {
        registry: r.string("jaeger.image.registry", img.registry),
        repository: r.string("jaeger.image.repository", img.repository),
        tag: r.string("jaeger.image.tag", img.tag),
    };
    return { storage, replicas, resources: parseResources(r, "jaeger.resources", obj.resources), image };
}

function parseKiali(r: Reader, raw: unknown, environment: Environment): KialiSettings {
    const obj =
        r.object("kiali", raw, ["authStrategy", "signingKey", "prometheusUrl", "grafanaUrl", "grafanaExternalUrl", "tracingUseGrpc", "tracingExternalUrl"]) ?? {};
    const authStrategy = r.oneOf("kiali.authStrategy", obj.authStrategy, ["anonymous", "token", "header"] as const, "token");
    if (authStrategy === "anonymous" && environment !== "dev") {
        r.fail("kiali.authStrategy", obj.authStrategy, "anonymous access is only allowed when environment is dev; use token or header");
    }
    let signingKey: string | undefined;
    if (obj.signingKey !== undefined) {
        const k = r.string("kiali.signingKey", obj.signingKey);
        if (k !== undefined && ![16, 24, 32].includes(k.length)) {
            r.fail("kiali.signingKey", `<secret of ${k.length} characters>`, "expected 16, 24 or 32 characters (an AES key)");
        } else {
            signingKey = k;
        }
    } else if (authStrategy !== "anonymous") {
        r.fail("kiali.signingKey", undefined, "required for auth strategies other than anonymous: set it with `pulumi config set --secret kiali.signingKey <16, 24 or 32 characters>`");
    }
    return {
        authStrategy,
        signingKey,
        prometheusUrl: r.url("kiali.prometheusUrl", obj.prometheusUrl, DEFAULT_PROMETHEUS_URL) ?? DEFAULT_PROMETHEUS_URL,
        grafanaUrl: r.url("kiali.grafanaUrl", obj.grafanaUrl),
        grafanaExternalUrl: r.url("kiali.grafanaExternalUrl", obj.grafanaExternalUrl),
        tracingUseGrpc: r.boolean("kiali.tracingUseGrpc", obj.tracingUseGrpc, true),
        tracingExternalUrl: r.url("kiali.tracingExternalUrl", obj.tracingExternalUrl),
    };
}

function parseHeaders(r: Reader, key: string, raw: unknown, dflt: readonly string[]): readonly string[] {
    if (raw === undefined) {
        return dflt;
    }
    const list = r.list(key, raw) ?? [];
    return list.flatMap((h, i) => r.match(`${key}[${i}]`, h, HEADER_NAME, "expected a lower-case HTTP header name") ?? []);
}

function parseExtAuthz(r: Reader, raw: unknown): ExtAuthzSettings | undefined {
    if (raw === undefined) {
        return undefined;
    }
    const obj =
        r.object("extAuthz", raw, [
            "protocol",
            "service",
            "port",
            "timeout",
            "failOpen",
            "pathPrefix",
            "includeRequestHeadersInCheck",
            "headersToUpstreamOnAllow",
            "includeHeadersInCheck",
        ]) ?? {};
    const protocol = r.oneOf("extAuthz.protocol", obj.protocol, ["grpc", "http"] as const, "grpc");
    const service = r.match("extAuthz.service", obj.service === undefined ? "" : obj.service, DNS_SUBDOMAIN, "required: the authorization service host, e.g. ext-authz.auth.svc.cluster.local") ?? "";
    const port = r.port("extAuthz.port", obj.port) ?? 0;
    const timeout = obj.timeout === undefined ? undefined : r.match("extAuthz.timeout", obj.timeout, DURATION, "expected a duration such as 500ms or 2s");
    const failOpen = r.boolean("extAuthz.failOpen", obj.failOpen, false);
    if (obj.includeHeadersInCheck !== undefined) {
        r.fail(
            "extAuthz.includeHeadersInCheck",
            obj.includeHeadersInCheck,
            protocol === "grpc"
                ? "not a field of the gRPC ext-authz provider (gRPC ext_authz already sends every request header); remove it"
                : "deprecated in Istio's MeshConfig; use includeRequestHeadersInCheck",
        );
    }
    if (protocol === "grpc") {
        for (const k of ["includeRequestHeadersInCheck", "headersToUpstreamOnAllow", "pathPrefix"]) {
            if (obj[k] !== undefined) {
                r.fail(`extAuthz.${k}`, obj[k], "not a field of the gRPC ext-authz provider (gRPC ext_authz already sends every request header); remove it or use protocol http");
            }
        }
        return { protocol, service, port, timeout, failOpen };
    }
    return {
        protocol,
        service,
        port,
        timeout,
        failOpen,
        pathPrefix: r.string("extAuthz.pathPrefix", obj.pathPrefix),
        includeRequestHeadersInCheck: parseHeaders(r, "extAuthz.includeRequestHeadersInCheck", obj.includeRequestHeadersInCheck, DEFAULT_EXT_AUTHZ_HTTP_HEADERS),
        headersToUpstreamOnAllow: parseHeaders(r, "extAuthz.headersToUpstreamOnAllow", obj.headersToUpstreamOnAllow, []),
    };
}

function parseExternalServices(r: Reader, raw: unknown): ExternalServiceSettings[] {
    const list = r.list("externalServices", raw) ?? [];
    const seen = new Set<string>();
    return list.flatMap((item, i) => {
        const key = `externalServices[${i}]`;
        const o = r.object(key, item, ["name", "hosts", "port"]);
        if (o === undefined) {
            return [];
        }
        const name = r.match(`${key}.name`, o.name === undefined ? "" : o.name, DNS_LABEL, "required: a DNS label (lower-case letters, digits and '-', at most 63 characters)") ?? "";
        if (name !== "" && seen.has(name)) {
            r.fail(`${key}.name`, name, "names must be unique");
        }
        seen.add(name);
        const hostsRaw = o.hosts === null ? [] : (r.list(`${key}.hosts`, o.hosts) ?? []);
        if (hostsRaw.length === 0) {
            r.fail(`${key}.hosts`, o.hosts, "a ServiceEntry needs at least one host name");
        }
        const hosts = hostsRaw.flatMap((h, j) => r.match(`${key}.hosts[${j}]`, h, HOSTNAME, "expected a fully qualified host name such as api.openai.com") ?? []);
        const port = r.port(`${key}.port`, o.port, 443) ?? 443;
        return [{ name, hosts, port }];
    });
}

function parseNamespaces(r: Reader, raw: unknown): string[] {
    const list = r.list("appNamespaces", raw) ?? [];
    const out: string[] = [];
    list.forEach((ns, i) => {
        const v = r.match(`appNamespaces[${i}]`, ns, DNS_LABEL, "expected a DNS label (lower-case letters, digits and '-', at most 63 characters)");
        if (v === undefined) {
            return;
        }
        if (["istio-system", "kube-system", "kube-public", "default"].includes(v)) {
            r.fail(`appNamespaces[${i}]`, v, "system namespaces cannot be app namespaces");
        } else if (out.includes(v)) {
            r.fail(`appNamespaces[${i}]`, v, "namespaces must be unique");
        } else {
            out.push(v);
        }
    });
    return out;
}

function parseNetworkPolicies(r: Reader, raw: unknown): NetworkPolicySettings {
    const obj = r.object("networkPolicies", raw, ["mode", "baselinePolicy", "dnsNamespace", "dnsPodLabels"]) ?? {};
    const mode = r.oneOf("networkPolicies.mode", obj.mode, ["complete", "baseline"] as const, "complete");
    const baselinePolicy = obj.baselinePolicy === undefined ? undefined : r.match("networkPolicies.baselinePolicy", obj.baselinePolicy, DNS_SUBDOMAIN, "expected a NetworkPolicy name");
    if (mode === "baseline" && baselinePolicy === undefined && obj.baselinePolicy === undefined) {
        r.fail("networkPolicies.baselinePolicy", undefined, "required when mode is baseline: the name of the existing NetworkPolicy in every app namespace that allows DNS and istiod egress");
    }
    if (mode === "complete" && obj.baselinePolicy !== undefined) {
        r.fail("networkPolicies.baselinePolicy", obj.baselinePolicy, "only allowed when mode is baseline");
    }
    return {
        mode,
        baselinePolicy,
        dnsNamespace: r.match("networkPolicies.dnsNamespace", obj.dnsNamespace === undefined ? "kube-system" : obj.dnsNamespace, DNS_LABEL, "expected a namespace name") ?? "kube-system",
        dnsPodLabels: r.labels("networkPolicies.dnsPodLabels", obj.dnsPodLabels, { "k8s-app": "kube-dns" }),
    };
}

function parseUi(r: Reader, raw: unknown, environment: Environment, kiali: KialiSettings): UiSettings {
    const obj = r.object("ui", raw, ["kialiHost", "jaegerHost", "ingressClassName", "tlsSecretName", "authAnnotations"]) ?? {};
    const host = (k: "kialiHost" | "jaegerHost") =>
        obj[k] === undefined ? undefined : r.match(`ui.${k}`, obj[k], HOSTNAME, "expected a fully qualified host name such as kiali.example.com");
    const kialiHost = host("kialiHost");
    const jaegerHost = host("jaegerHost");
    const authAnnotations = r.labels("ui.authAnnotations", obj.authAnnotations, {});
    if (environment !== "dev") {
        if (jaegerHost !== undefined && Object.keys(authAnnotations).length === 0) {
            r.fail("ui.authAnnotations", obj.authAnnotations, "required outside dev when ui.jaegerHost is set: the Jaeger UI has no login of its own, so put an authenticating proxy in front of it");
        }
        if (kialiHost !== undefined && kiali.authStrategy === "anonymous") {
            r.fail("ui.kialiHost", kialiHost, "an anonymous Kiali must not be exposed outside dev");
        }
    }
    return {
        kiali: kialiHost === undefined ? undefined : { host: kialiHost },
        jaeger: jaegerHost === undefined ? undefined : { host: jaegerHost },
        ingressClassName: r.string("ui.ingressClassName", obj.ingressClassName, "nginx") ?? "nginx",
        tlsSecretName: obj.tlsSecretName === undefined ? undefined : r.match("ui.tlsSecretName", obj.tlsSecretName, DNS_SUBDOMAIN, "expected a Secret name"),
        authAnnotations,
    };
}

/**
 * Validates raw stack configuration and applies defaults. Pure: reads `raw`, never changes it.
 * @throws ConfigError listing every bad value (key, value, what is allowed).
 */
export function parseStackConfig(raw: RawConfig): StackConfig {
    const r = new Reader();
    for (const k of Object.keys(raw)) {
        if (!(TOP_LEVEL_KEYS as readonly string[]).includes(k)) {
            r.fail(k, raw[k], `unknown key; allowed keys: ${TOP_LEVEL_KEYS.join(", ")}`);
        }
    }
    const environment = r.oneOf("environment", raw.environment, ["dev", "production"] as const, "production");
    const charts = parseCharts(r, raw.charts);
    const gateway = r.object("gateway", raw.gateway, ["serviceType"]) ?? {};
    const tracing = r.object("tracing", raw.tracing, ["samplingPercentage"]) ?? {};
    const samplingPercentage = r.number("tracing.samplingPercentage", tracing.samplingPercentage, 0, 100, environment === "dev" ? 100 : 1, false);
    const kiali = parseKiali(r, raw.kiali, environment);
    const jaeger = parseJaeger(r, raw.jaeger);
    if (environment !== "dev" && jaeger.storage.type === "memory") {
        r.fail("jaeger.storage.type", "memory", "in-memory storage is only allowed when environment is dev; use elasticsearch");
    }
    const config: StackConfig = {
        environment,
        awaitReadiness: r.boolean("awaitReadiness", raw.awaitReadiness, true),
        charts,
        gatewayServiceType: r.oneOf("gateway.serviceType", gateway.serviceType, ["ClusterIP", "NodePort", "LoadBalancer"] as const, "ClusterIP"),
        samplingPercentage,
        extAuthz: parseExtAuthz(r, raw.extAuthz),
        jaeger,
        kiali,
        externalServices: parseExternalServices(r, raw.externalServices),
        appNamespaces: parseNamespaces(r, raw.appNamespaces),
        createAppNamespaces: r.boolean("createAppNamespaces", raw.createAppNamespaces, false),
        networkPolicies: parseNetworkPolicies(r, raw.networkPolicies),
        ui: parseUi(r, raw.ui, environment, kiali),
    };
    if (r.problems.length > 0) {
        throw new ConfigError(r.problems);
    }
    return config;
}
