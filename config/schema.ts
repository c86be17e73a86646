/**
 * The stack configuration schema: every `observability-stack:*` key, its allowed values, its default
 * and the rules between keys (the `jaeger` key in `jaegerSchema.ts`; `kiali`, `prometheus` and `ui` in
 * `kialiUiSchema.ts`). The settings types (`types.ts`) are inferred from it.
 *
 * Problems come out in schema order: each object's keys in the order below, then its unknown keys,
 * then its rules; the rules that depend on `environment` come last.
 */
import { z } from "zod";
import { ChartRole, ChartSource, DEFAULT_CHARTS, EXACT_VERSION, jaegerChartLine } from "../lib/charts";
import { DATA_PLANES, DEFAULT_EXT_AUTHZ_HTTP_HEADERS, TRACING_PROVIDERS } from "../lib/constants";
import { EXTERNAL_SERVICE_PORT, externalServicesProblems } from "../components/externalServices";
import { GATEWAY_SERVICE_TYPES, TRACE_PROPAGATIONS, dataPlaneProblems, meshTracingProblems, resolveTracePropagation } from "../components/istioMesh";
import { jaegerMonitorUnsupported, jaegerProblems, resolveJaegerStorage } from "../components/jaeger";
import { chartsProblems, kialiDataPlaneProblems } from "../components/observabilityStack";
import { DEFAULT_DNS, NETWORK_POLICY_MODES, networkPolicyProblems } from "../components/tracingNetworkPolicies";
import * as f from "./fields";
import { jaeger, urlPath } from "./jaegerSchema";
import { AUTH_PROXY_ANNOTATIONS, kiali, prometheus, ui } from "./kialiUiSchema";

const EXACT = "expected an exact chart version such as 1.30.3 (no range, no empty value)";

function chartSource(d: (typeof DEFAULT_CHARTS)[keyof typeof DEFAULT_CHARTS]) {
    return f
        .section({
            /** Helm repository URL (http or https, e.g. a loopback mirror in tests) or OCI registry (oci://). */
            repo: f.chartRepo().default(d.repo),
            /** Chart name inside the repository. */
            chart: f.nonEmpty().default(d.chart),
            /** Exact chart version (no range). */
            version: z.string({ error: EXACT }).regex(EXACT_VERSION, { error: EXACT }).default(d.version),
            /** Escape hatch: Helm values merged last into the values the stack renders for the chart (docs/chart-values.md). */
            values: f.helmValues().optional(),
        })
        .transform(({ values, ...source }): ChartSource & { values?: Record<string, unknown> } => (values === undefined ? source : { ...source, values }))
        .prefault({});
}

/** One entry per chart role, in the order of `DEFAULT_CHARTS`. */
const chartRoles = {
    istioBase: chartSource(DEFAULT_CHARTS.istioBase),
    istiod: chartSource(DEFAULT_CHARTS.istiod),
    istioGateway: chartSource(DEFAULT_CHARTS.istioGateway),
    /** Ambient mode only (`mesh.dataPlane: ambient`): Istio's node agent that enrols pods; istiod's version. */
    istioCni: chartSource(DEFAULT_CHARTS.istioCni),
    /** Ambient mode only: the per-node L4 proxy; istiod's version. */
    ztunnel: chartSource(DEFAULT_CHARTS.ztunnel),
    jaeger: chartSource(DEFAULT_CHARTS.jaeger),
    kiali: chartSource(DEFAULT_CHARTS.kiali),
} satisfies Record<ChartRole, unknown>;

const charts = f.section(chartRoles, (c, report, valid) => {
    if (valid(["istioBase", "version"], ["istiod", "version"], ["istioGateway", "version"])) {
        f.reportProblems(
            report,
            [],
            chartsProblems(c).map((p) => ({ ...p, path: p.path.slice(1) })),
        );
    }
});

const GRPC_ONLY_HEADERS = "not a field of the gRPC ext-authz provider (gRPC ext_authz already sends every request header)";
const headers = f.listOf(f.matching(f.HEADER_NAME, "expected a lower-case HTTP header name"));
const extAuthzCommon = {
    /** Host of the authorization service; absent reads as "" (as it always did). */
    service: f.matching(f.DNS_SUBDOMAIN, "required: the authorization service host, e.g. ext-authz.auth.svc.cluster.local").prefault(""),
    port: f.numberIn(1, 65535, "an integer", "a port from 1 to 65535"),
    timeout: f.matching(f.DURATION, "expected a duration such as 500ms or 2s").optional(),
    failOpen: f.bool().default(false),
};
const extAuthz = z.discriminatedUnion(
    "protocol",
    [
        f.section({
            protocol: z.literal("grpc").default("grpc"),
            ...extAuthzCommon,
            pathPrefix: f.absent(`${GRPC_ONLY_HEADERS}; remove it or use protocol http`),
            includeRequestHeadersInCheck: f.absent(`${GRPC_ONLY_HEADERS}; remove it or use protocol http`),
            headersToUpstreamOnAllow: f.absent(`${GRPC_ONLY_HEADERS}; remove it or use protocol http`),
            includeHeadersInCheck: f.absent(`${GRPC_ONLY_HEADERS}; remove it`),
        }),
        f.section({
            protocol: z.literal("http"),
            ...extAuthzCommon,
            pathPrefix: f.nonEmpty().optional(),
            includeRequestHeadersInCheck: headers.default(() => [...DEFAULT_EXT_AUTHZ_HTTP_HEADERS]),
            headersToUpstreamOnAllow: headers.default(() => []),
            includeHeadersInCheck: f.absent("deprecated in Istio's MeshConfig; use includeRequestHeadersInCheck"),
        }),
    ],
    { error: f.unionError(["grpc", "http"]) },
);

/** Each entry's problems name it by index; rules over the whole list report the later of two entries. */
function unique<T>(key: (item: T) => string, path: (i: number) => readonly PropertyKey[], allowed: string) {
    return f.rule<T[]>((items, report, valid) => {
        const seen = new Set<string>();
        items.forEach((item, i) => {
            if (!valid(path(i))) {
                return;
            }
            if (seen.has(key(item))) {
                report(path(i), key(item), allowed);
            }
            seen.add(key(item));
        });
    });
}

const externalService = f.section({
    /** DNS label naming the ServiceEntry; absent reads as "" (as it always did). */
    name: f.matching(f.DNS_LABEL, "required: a DNS label (lower-case letters, digits and '-', at most 63 characters)").prefault(""),
    hosts: f.listOf(f.matching(f.HOSTNAME, "expected a fully qualified host name such as api.openai.com"), "a ServiceEntry needs at least one host name"),
    port: f.numberIn(1, 65535, "an integer").default(EXTERNAL_SERVICE_PORT),
});
const externalServices = f
    .listOf(externalService)
    .check(
        f.rule<z.output<typeof externalService>[]>((services, report, valid) => {
            services.forEach((service, i) => {
                if (valid([i, "hosts"])) {
                    f.reportProblems(
                        report,
                        [i],
                        externalServicesProblems([service]).map((p) => ({ ...p, path: p.path.slice(2) })),
                    );
                }
            });
        }),
    )
    .check(
        unique(
            (s: z.output<typeof externalService>) => s.name,
            (i) => [i, "name"],
            "names must be unique",
        ),
    )
    .default(() => []);

const SYSTEM_NAMESPACES = ["istio-system", "kube-system", "kube-public", "default"];
const appNamespaces = f
    .listOf(
        f
            .matching(f.DNS_LABEL, "expected a DNS label (lower-case letters, digits and '-', at most 63 characters)")
            .refine((ns) => !SYSTEM_NAMESPACES.includes(ns), { error: "system namespaces cannot be app namespaces" }),
    )
    .check(
        unique(
            (ns: string) => ns,
            (i) => [i],
            "namespaces must be unique",
        ),
    )
    .default(() => []);

const networkPolicies = f
    .section(
        {
            /** `complete`: every egress a mesh workload needs; `baseline`: only Jaeger egress, plus a check that `baselinePolicy` exists. */
            mode: f.oneOf(NETWORK_POLICY_MODES).default("complete"),
            baselinePolicy: f.matching(f.DNS_SUBDOMAIN, "expected a NetworkPolicy name").optional(),
            dnsNamespace: f.matching(f.DNS_LABEL, "expected a namespace name").default(DEFAULT_DNS.namespace),
            dnsPodLabels: f.stringMap().default(() => ({ ...DEFAULT_DNS.podLabels })),
        },
        (n, report, valid) => {
            if (valid(["mode"], ["baselinePolicy"])) {
                f.reportProblems(report, [], networkPolicyProblems(n));
            }
        },
    )
    .prefault({});

const host = (name: string | undefined) => (name === undefined ? undefined : { host: name });

/** The raw `observability-stack:*` keys, validated, with defaults, shaped as the program's settings. */
export const stackConfig = f
    .strictObject({
        environment: f.oneOf(["dev", "production"]).default("production"),
        awaitReadiness: f.bool().default(true),
        charts: charts.prefault({}),
        gateway: f.section({ serviceType: f.oneOf(GATEWAY_SERVICE_TYPES).default("ClusterIP") }).prefault({}),
        /** `sidecar` (a proxy in every app pod) or `ambient` (ztunnel per node, a waypoint per app namespace; Istio >= 1.30). */
        mesh: f.section({ dataPlane: f.oneOf(DATA_PLANES).default("sidecar") }).prefault({}),
        tracing: f
            .section({
                samplingPercentage: f.numberIn(0, 100, "a number").optional(),
                /** The mesh's tracing provider: `zipkin` (B3 headers, the reference's path) or `opentelemetry` (OTLP gRPC, W3C trace context). */
                provider: f.oneOf(TRACING_PROVIDERS).default("zipkin"),
                /** Zipkin only: `b3`, or `b3+w3c` (Istio >= 1.28); default `b3+w3c` where the istiod chart supports it, else `b3`. */
                propagation: f.oneOf(TRACE_PROPAGATIONS).optional(),
            })
            .prefault({}),
        extAuthz: extAuthz.optional(),
        jaeger,
        kiali,
        prometheus,
        externalServices,
        appNamespaces,
        createAppNamespaces: f.bool().default(false),
        networkPolicies,
        ui,
    })
    .check(
        f.rule((c, report, valid) => {
            if (valid(["mesh", "dataPlane"], ["charts", "istiod", "version"], ["charts", "istioCni", "version"], ["charts", "ztunnel", "version"])) {
                f.reportProblems(
                    report,
                    [],
                    dataPlaneProblems(
                        { dataPlane: c.mesh.dataPlane, istioVersion: c.charts.istiod.version, cniVersion: c.charts.istioCni.version, ztunnelVersion: c.charts.ztunnel.version },
                        { dataPlane: ["mesh", "dataPlane"], istio: "charts.istiod.version", cni: ["charts", "istioCni", "version"], ztunnel: ["charts", "ztunnel", "version"] },
                    ),
                );
            }
            if (valid(["mesh", "dataPlane"], ["charts", "kiali", "version"])) {
                f.reportProblems(report, [], kialiDataPlaneProblems(c.mesh.dataPlane, c.charts.kiali.version));
            }
            if (valid(["charts", "istiod", "version"], ["tracing", "provider"], ["tracing", "propagation"])) {
                f.reportProblems(report, [], meshTracingProblems({ istioVersion: c.charts.istiod.version, tracing: c.tracing }, "charts.istiod.version"));
            }
            if (valid(["charts", "jaeger", "version"], ["jaeger", "storage", "url"]) && c.jaeger.storage.type === "elasticsearch" && jaegerChartLine(c.charts.jaeger.version) === "v1") {
                if (urlPath(c.jaeger.storage.url) !== undefined) {
                    report(
                        ["jaeger", "storage", "url"],
                        c.jaeger.storage.url,
                        "a URL path is not supported with the jaeger 3.x chart (it builds scheme://host:port for Jaeger and its jobs and drops the path); use a URL without a path, or jaeger 4.x",
                    );
                }
            }
            if (valid(["charts", "jaeger", "version"], ["jaeger", "storage", "rollover", "enabled"])) {
                f.reportProblems(report, ["jaeger"], jaegerProblems({ chartVersion: c.charts.jaeger.version, storage: c.jaeger.storage }));
            }
            const monitorUnsupported = valid(["charts", "jaeger", "version"]) ? jaegerMonitorUnsupported(c.charts.jaeger.version) : undefined;
            if (valid(["jaeger", "monitor", "enabled"]) && c.jaeger.monitor.enabled === true && monitorUnsupported !== undefined) {
                report(["jaeger", "monitor", "enabled"], true, monitorUnsupported);
            }
            if (valid(["ui", "jaegerHost"], ["kiali", "tracingExternalUrl"]) && c.ui.jaegerHost !== undefined && c.kiali.tracingExternalUrl === undefined) {
                report(["kiali", "tracingExternalUrl"], undefined, `required when ui.jaegerHost is set: Kiali's links to traces open external_url in the browser (e.g. https://${c.ui.jaegerHost})`);
            }
        }),
    )
    .check(
        f.rule((c, report, valid) => {
            if (!valid(["environment"]) || c.environment === "dev") {
                return;
            }
            if (valid(["kiali", "authStrategy"]) && c.kiali.authStrategy === "anonymous") {
                report(["kiali", "authStrategy"], "anonymous", "anonymous access is only allowed when environment is dev; use token or header");
            }
            if (valid(["jaeger", "storage", "type"]) && c.jaeger.storage.type === "memory") {
                report(["jaeger", "storage", "type"], "memory", "in-memory storage is only allowed when environment is dev; use elasticsearch");
            }
            if (valid(["ui", "jaegerHost"], ["ui", "authAnnotations"]) && c.ui.jaegerHost !== undefined && Object.keys(c.ui.authAnnotations ?? {}).length === 0) {
                report(
                    ["ui", "authAnnotations"],
                    c.ui.authAnnotations,
                    "required outside dev when ui.jaegerHost is set: the Jaeger UI has no login of its own, so put an authenticating proxy in front of it",
                );
            }
            const proxies = c.ui.authProxyAnnotation !== undefined ? [c.ui.authProxyAnnotation] : AUTH_PROXY_ANNOTATIONS;
            const annotations = c.ui.authAnnotations ?? {};
            if (
                valid(["ui", "jaegerHost"], ["ui", "authAnnotations"], ["ui", "authProxyAnnotation"]) &&
                c.ui.jaegerHost !== undefined &&
                Object.keys(annotations).length > 0 &&
                !proxies.some((k) => (annotations[k] ?? "") !== "")
            ) {
                report(
                    ["ui", "authAnnotations"],
                    annotations,
                    `must name an authenticating proxy outside dev when ui.jaegerHost is set: expected ${proxies.join(" or ")}` +
                        (c.ui.authProxyAnnotation === undefined ? " (or name your controller's annotation in ui.authProxyAnnotation)" : ""),
                );
            }
            if (valid(["ui", "kialiHost"], ["kiali", "authStrategy"]) && c.ui.kialiHost !== undefined && c.kiali.authStrategy === "anonymous") {
                report(["ui", "kialiHost"], c.ui.kialiHost, "an anonymous Kiali must not be exposed outside dev");
            }
            if (valid(["ui", "kialiHost"], ["ui", "jaegerHost"], ["ui", "tlsSecretName"]) && (c.ui.kialiHost !== undefined || c.ui.jaegerHost !== undefined) && c.ui.tlsSecretName === undefined) {
                report(["ui", "tlsSecretName"], undefined, "required outside dev when a UI is exposed: the UIs must be served over HTTPS");
            }
        }),
    )
    .transform((c) => ({
        environment: c.environment,
        awaitReadiness: c.awaitReadiness,
        charts: c.charts,
        gatewayServiceType: c.gateway.serviceType,
        dataPlane: c.mesh.dataPlane,
        samplingPercentage: c.tracing.samplingPercentage ?? (c.environment === "dev" ? 100 : 1),
        tracingProvider: c.tracing.provider,
        tracePropagation: resolveTracePropagation(c.tracing, c.charts.istiod.version),
        extAuthz: c.extAuthz,
        jaeger: {
            replicas: c.jaeger.replicas,
            resources: c.jaeger.resources,
            image: c.jaeger.image,
            storage: resolveJaegerStorage(c.jaeger.storage, c.jaeger.resources.limits.memory, jaegerChartLine(c.charts.jaeger.version)),
            // Default: on in production where the chart runs Jaeger v2; read back from Kiali's Prometheus, which scrapes the mesh.
            ...((c.jaeger.monitor.enabled ?? (c.environment === "production" && jaegerMonitorUnsupported(c.charts.jaeger.version) === undefined))
                ? { monitor: { prometheusUrl: c.kiali.prometheusUrl } }
                : {}),
        },
        kiali: c.kiali,
        prometheus: c.prometheus,
        externalServices: c.externalServices,
        appNamespaces: c.appNamespaces,
        createAppNamespaces: c.createAppNamespaces,
        networkPolicies: c.networkPolicies,
        ui: {
            kiali: host(c.ui.kialiHost),
            jaeger: host(c.ui.jaegerHost),
            ingressClassName: c.ui.ingressClassName,
            tlsSecretName: c.ui.tlsSecretName,
            authAnnotations: c.ui.authAnnotations ?? {},
            ingressControllerNamespace: c.ui.ingressControllerNamespace,
        },
    }));
