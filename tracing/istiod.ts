/**
 * What istiod makes of the rendered objects for one proxy: the Envoy configuration fragments for
 * tracing, access logging and ext-authz, written as istiod's Go code writes them. Each function cites
 * the code it follows; "I24" is istio/istio@1.24.2, "I30" istio/istio@1.30.3. The profile (which of the
 * two) comes from the rendered istiod chart. Pure functions: no addresses, only cluster names.
 */
import { ZIPKIN_B3_WITH_W3C } from "../lib/constants";
import { AccessLogProviderConfig, ExtAuthzProviderConfig, TelemetrySelection, TracingProviderConfig } from "./stackObjects";

/** The Istio minor version of the rendered istiod (24 or 30 here). */
export interface IstioProfile {
    readonly minor: number;
}

/** A proxy as istiod sees it: a gateway (`proxy.Type == Router`) or a sidecar, with its pod's `app` label. */
export interface ProxyNode {
    readonly kind: "gateway" | "sidecar";
    readonly app: string;
    readonly namespace: string;
}

/**
 * The span service name: bootstrap `node.cluster`, which istio-agent sets to `<app label>.<namespace>`
 * (I24/I30 pkg/bootstrap/config.go `serviceClusterOrDefault`). Envoy's Zipkin tracer reports it as
 * `localEndpoint.serviceName`; istiod passes the same string as the OpenTelemetry `service_name`.
 */
export function serviceCluster(node: ProxyNode): string {
    return `${node.app}.${node.namespace}`;
}

/** Istio's outbound cluster name for a Service host and port (`model.BuildSubsetKey(TrafficDirectionOutbound, "", host, port)`). */
export function outboundCluster(fqdn: string, port: number): string {
    return `outbound|${port}||${fqdn}`;
}

/** Istio's inbound cluster name for a workload port (I24/I30 `model.BuildInboundSubsetKey`). */
export function inboundCluster(port: number): string {
    return `inbound|${port}||`;
}

const ZIPKIN_TYPE = "type.googleapis.com/envoy.config.trace.v3.ZipkinConfig";
const OTEL_TYPE = "type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig";

/**
 * The tracer of the provider. Zipkin (I24 pilot/pkg/networking/core/tracing.go `zipkinConfig` L237;
 * I30 L259): collector cluster for the provider's service:port, endpoint `/api/v2/spans` unless the
 * provider sets `path`, `HTTP_JSON`, 128-bit trace ids (`!enable64bitTraceId`), no shared span context;
 * I24 writes `collector_cluster`/`collector_endpoint`/`collector_hostname`, I30 (proxy >= 1.29) a
 * `collector_service` with URI `http://<host><path>` and a 5 s default timeout. `trace_context_option`: the
 * provider's `traceContextOption` through `convertTraceContextOption` (I30 L189, L246-257: USE_B3_WITH_W3C_PROPAGATION
 * maps to envoy.config.trace.v3.ZipkinConfig USE_B3_WITH_W3C_PROPAGATION, anything else to USE_B3), set only for
 * proxies >= 1.28 (I30 L315-322; the proxies here are the istiod's own version); USE_B3 is the proto default, so
 * nothing is written for it. I24's MeshConfig has no such field (istiod drops it unread), so it writes none.
 * OpenTelemetry (I30 `otelConfig` L337, I24 L261):
 * gRPC export through `envoy_grpc` to the provider's cluster with the host as authority, `service_name`
 * the proxy's node cluster.
 */
function tracer(profile: IstioProfile, node: ProxyNode, provider: TracingProviderConfig, fqdn: string): object {
    const cluster = outboundCluster(fqdn, provider.port);
    if (provider.kind === "opentelemetry") {
        return {
            name: "envoy.tracers.opentelemetry",
            typed_config: { "@type": OTEL_TYPE, grpc_service: { envoy_grpc: { cluster_name: cluster, authority: fqdn } }, service_name: serviceCluster(node) },
        };
    }
    const endpoint = provider.path ?? "/api/v2/spans"; // istiod's default ("envoy deprecated v1 support")
    const dual = profile.minor >= 28 && provider.traceContextOption === ZIPKIN_B3_WITH_W3C ? { trace_context_option: ZIPKIN_B3_WITH_W3C } : {};
    const common = { collector_endpoint_version: "HTTP_JSON", trace_id_128bit: true, shared_span_context: false, ...dual };
    const typed =
        profile.minor >= 29
            ? { ...common, collector_service: { http_uri: { uri: `http://${fqdn}${endpoint}`, cluster, timeout: "5s" } } }
            : { ...common, collector_cluster: cluster, collector_endpoint: endpoint, collector_hostname: fqdn };
    return { name: "envoy.tracers.zipkin", typed_config: { "@type": ZIPKIN_TYPE, ...typed } };
}

/**
 * The dry-run policy tags istiod adds beside the service tags (I30 tracing.go `optionalPolicyTags`,
 * `configureCustomTags` L730: service tags + these, sorted by tag name).
 */
function policyTags(): object[] {
    return ["allow", "deny"].flatMap((kind) => [
        {
            tag: `istio.authorization.dry_run.${kind}_policy.name`,
            metadata: { kind: { request: {} }, metadata_key: { key: "envoy.filters.http.rbac", path: [{ key: `istio_dry_run_${kind}_shadow_effective_policy_id` }] } },
        },
        {
            tag: `istio.authorization.dry_run.${kind}_policy.result`,
            metadata: { kind: { request: {} }, metadata_key: { key: "envoy.filters.http.rbac", path: [{ key: `istio_dry_run_${kind}_shadow_engine_result` }] } },
        },
    ]);
}

/**
 * The HTTP connection manager's `tracing` (I30 tracing.go `configureTracingFromTelemetry`,
 * `configureSampling` L703, `buildHCMTracing`; I24 the same without `spawn_upstream_span` on gateways):
 * client and overall sampling 100, random sampling the Telemetry's `randomSamplingPercentage`; the
 * service tags of `buildServiceTags` (canonical revision/service default `latest`/`unknown` without the
 * pod labels, mesh id and cluster id as istio-agent reports them) and the policy tags; on a gateway
 * (`proxy.Type == Router`) `spawn_upstream_span` = PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY, whose
 * default is true from Istio 1.28 (I30 pilot/pkg/features/telemetry.go L73; false in 1.26-1.27, absent in 1.24).
 */
export function hcmTracing(profile: IstioProfile, node: ProxyNode, telemetry: TelemetrySelection, collectorFqdn: string): object {
    const literal = (tag: string, value: string) => ({ tag, literal: { value } });
    const tags = [
        literal("istio.canonical_revision", "latest"),
        literal("istio.canonical_service", node.app),
        literal("istio.mesh_id", "cluster.local"),
        literal("istio.namespace", node.namespace),
        literal("istio.cluster_id", "Kubernetes"),
        ...policyTags(),
    ].sort((a: any, b: any) => (a.tag < b.tag ? -1 : 1));
    return {
        client_sampling: { value: 100 },
        random_sampling: { value: telemetry.samplingPercentage },
        overall_sampling: { value: 100 },
        custom_tags: tags,
        provider: tracer(profile, node, telemetry.tracing, collectorFqdn),
        ...(node.kind === "gateway" && profile.minor >= 28 ? { spawn_upstream_span: true } : {}),
    };
}

/**
 * The `envoyFileAccessLog` provider as a file access log with the JSON format of the mesh config
 * (I30 pilot/pkg/model/telemetry_logging.go `fileAccessLogFromTelemetry` L207,
 * `buildFileAccessJSONLogFormat` L259; I24 L276): `json_format` = the provider's labels, properties
 * not sorted, no formatter extensions (only added for `%REQ_WITHOUT_QUERY`, `%METADATA`, `%CEL`).
 * Placed on every HTTP connection manager (I30 pilot/pkg/networking/core/accesslog.go `setHTTPAccessLog`).
 */
export function fileAccessLog(provider: AccessLogProviderConfig): object {
    return {
        name: "envoy.access_loggers.file",
        typed_config: {
            "@type": "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog",
            path: provider.path,
            log_format: { json_format: provider.labels, json_format_options: { sort_properties: false } },
        },
    };
}

/** An AuthorizationPolicy with action CUSTOM naming the ext-authz provider, as the suite models it on the gateway. */
export interface CustomPolicy {
    readonly name: string;
    readonly namespace: string;
}

/**
 * The two HTTP filters istiod puts before the router for a CUSTOM AuthorizationPolicy that selects
 * the proxy and names the provider, with one rule matching every request (I24/I30
 * pilot/pkg/security/authz/builder/builder.go, extauthz.go):
 * - `envoy.filters.http.rbac` with the rule as DENY `shadow_rules` (evaluated, never enforced) and
 *   `shadow_rules_stat_prefix` `istio_ext_authz_`; policy name `istio-ext-authz-ns[<ns>]-policy[<name>]-rule[0]`
 *   (I24 `policyName` L369), with the provider after the prefix on I30 (`policyName` L541);
 * - `envoy.filters.http.ext_authz`, enabled by that filter's metadata `istio_ext_authz_shadow_effective_policy_id`
 *   starting with `istio-ext-authz` (I30: `istio-ext-authz-<provider>`, `generateFilterMatcherForProvider`).
 *   gRPC (`generateGRPCConfig` I30 L313): `envoy_grpc` to the provider's cluster, authority the host, every
 *   request header sent (CheckRequest carries them all). HTTP (`generateHTTPConfig` I30 L252): `http_service`
 *   with `server_uri` `http://<host>` on the cluster, `path_prefix`, and `allowed_headers` = the
 *   `includeRequestHeadersInCheck` list, exact and case-insensitive. Both: timeout from the provider or
 *   600 s (`timeoutOrDefault`), `failure_mode_allow` = `failOpen`, transport V3.
 */
export function extAuthzFilters(profile: IstioProfile, provider: ExtAuthzProviderConfig, policy: CustomPolicy, fqdn: string): object[] {
    const prefix = profile.minor >= 30 ? `istio-ext-authz-${provider.name}` : "istio-ext-authz";
    const policyName = `${prefix}-ns[${policy.namespace}]-policy[${policy.name}]-rule[0]`;
    const cluster = outboundCluster(fqdn, provider.port);
    const timeout = provider.timeout ?? "600s";
    const service =
        provider.protocol === "grpc"
            ? { grpc_service: { envoy_grpc: { cluster_name: cluster, authority: fqdn }, timeout } }
            : {
                  http_service: { server_uri: { uri: `http://${fqdn}`, cluster, timeout }, ...(provider.pathPrefix !== undefined ? { path_prefix: provider.pathPrefix } : {}) },
                  ...(provider.includeRequestHeadersInCheck.length > 0 ? { allowed_headers: { patterns: provider.includeRequestHeadersInCheck.map((h) => ({ exact: h, ignore_case: true })) } } : {}),
              };
    return [
        {
            name: "envoy.filters.http.rbac",
            typed_config: {
                "@type": "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC",
                shadow_rules: { action: "DENY", policies: { [policyName]: { permissions: [{ any: true }], principals: [{ any: true }] } } },
                shadow_rules_stat_prefix: "istio_ext_authz_",
            },
        },
        {
            name: "envoy.filters.http.ext_authz",
            typed_config: {
                "@type": "type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz",
                ...service,
                failure_mode_allow: provider.failOpen,
                transport_api_version: "V3",
                filter_enabled_metadata: {
                    filter: "envoy.filters.http.rbac",
                    path: [{ key: "istio_ext_authz_shadow_effective_policy_id" }],
                    value: { string_match: { prefix } },
                },
            },
        },
    ];
}

/**
 * The route decorator istiod writes, which names the gateway span and (through
 * `x-envoy-decorator-operation`) the sidecar's: `<host>:<port><path>` of the single destination
 * (I24 pilot/pkg/networking/core/route/route.go `GetRouteOperation` L1220).
 */
export function routeOperation(fqdn: string, port: number, prefix = "/"): string {
    return `${fqdn}:${port}${prefix}*`;
}
