/**
 * What istiod makes of the rendered objects for one proxy: the Envoy configuration fragments for
 * tracing, access logging and ext-authz, written as istiod's Go code writes them. Each function cites
 * the code it follows; "I24" is istio/istio@1.24.2, "I30" istio/istio@1.30.3. The profile (which of the
 * two) comes from the rendered istiod chart. Pure functions: no addresses, only cluster names.
 */
import { AMBIENT_LABELS, ZIPKIN_B3_WITH_W3C } from "../lib/constants";
import { AccessLogProviderConfig, ExtAuthzProviderConfig, TelemetrySelection, TracingProviderConfig } from "./stackObjects";

/** The Istio minor version of the rendered istiod (24 or 30 here). */
export interface IstioProfile {
    readonly minor: number;
}

/**
 * A proxy as istiod sees it: a gateway (`proxy.Type == Router`), a sidecar, or an ambient waypoint
 * (`proxy.Type == Waypoint`, I30 pkg/model/proxy.go L503-509, `IsWaypointProxy` pilot/pkg/model/context.go L432),
 * with its pod's app name: the `app` label, or for a waypoint its pod's `service.istio.io/canonical-name`, which
 * istiod's waypoint template sets to the Gateway's name (I30 manifests/charts/istio-control/istio-discovery/files/waypoint.yaml).
 */
export interface ProxyNode {
    readonly kind: "gateway" | "sidecar" | "waypoint";
    readonly app: string;
    readonly namespace: string;
}

/**
 * The span service name: bootstrap `node.cluster`, which istio-agent sets to `<app label>.<namespace>`
 * (I24/I30 pkg/bootstrap/config.go `serviceClusterOrDefault` L473: the first of `app`, `app.kubernetes.io/name`,
 * `service.istio.io/canonical-name`, pkg/kube/labels/labels.go `GetApp`; a waypoint's `--serviceCluster` flag is
 * ignored because the default ProxyConfig's `istio-proxy` fills it first). For a waypoint that is
 * `<gateway name>.<namespace>`. Envoy's Zipkin tracer reports it as `localEndpoint.serviceName`; istiod passes
 * the same string as the OpenTelemetry `service_name` (I30 tracing.go `configureFromProviderConfig`: `proxy.XdsNode.Cluster`).
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

/**
 * A waypoint's HTTP filter chain and cluster for a Service port: `inbound-vip|<port>|http|<host>`
 * (I30 pilot/pkg/networking/core/listener_waypoint.go `buildWaypointInternal` L480,
 * `model.BuildSubsetKey(TrafficDirectionInboundVIP, "http", svc.Hostname, port)`; the route config has the same name).
 */
export function waypointHttpCluster(fqdn: string, port: number): string {
    return `inbound-vip|${port}|http|${fqdn}`;
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
 * The peer tags istiod adds on waypoints only (I30 tracing.go `buildWaypointSourceTags` L589, appended in
 * `configureCustomTags` L748 when `node.Type == model.Waypoint`): the upstream and downstream peer's workload
 * metadata from the filter state `upstream_peer_obj` / `downstream_peer_obj`, as formatter `value` tags. Istio's
 * peer-metadata filters fill that state; plain Envoy has none of them, so these tags come out empty here, as they
 * would on a waypoint without peer metadata. They do not touch the trace context.
 */
function waypointPeerTags(): object[] {
    const fields = [
        "workload",
        "namespace",
        "cluster_id:cluster",
        "canonical_service:service",
        "canonical_revision:revision",
        "app",
        "app_version:version",
        "workload_type:type",
        "instance_name:name",
    ];
    return ["destination:upstream", "source:downstream"].flatMap((side) => {
        const [peer, obj] = side.split(":");
        return fields.map((f) => {
            const [tag, field] = f.includes(":") ? f.split(":") : [f, f];
            return { tag: `istio.${peer}_${tag}`, value: `%FILTER_STATE(${obj}_peer_obj:FIELD:${field})%` };
        });
    });
}

/**
 * The HTTP connection manager's `tracing` (I30 tracing.go `configureTracingFromTelemetry`,
 * `configureSampling` L703, `buildHCMTracing`; I24 the same without `spawn_upstream_span` on gateways):
 * client and overall sampling 100, random sampling the Telemetry's `randomSamplingPercentage`; the
 * service tags of `buildServiceTags` (canonical revision/service default `latest`/`unknown` without the
 * pod labels, mesh id and cluster id as istio-agent reports them) and the policy tags; on a gateway
 * (`proxy.Type == Router`) `spawn_upstream_span` = PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY, whose
 * default is true from Istio 1.28 (I30 pilot/pkg/features/telemetry.go L73; false in 1.26-1.27, absent in 1.24).
 * A waypoint is not a Router (I30 tracing.go `configureFromProviderConfig` L166-169: `startChildSpan` only `if proxy.Type == model.Router`), so it spawns no upstream
 * span; its HTTP chains are of the class `ListenerClassSidecarInbound` (listener_waypoint.go
 * `buildWaypointInboundHTTPFilters` L927), which selects the Telemetry's ServerSpec (tracing.go
 * `configureTracingFromTelemetry` L96-99), and the mesh-wide Telemetry reaches it like any proxy (I30
 * pilot/pkg/model/telemetry.go `applicableTelemetries` L409: the root namespace's Telemetry first). Its tags
 * are the service tags, the policy tags and {@link waypointPeerTags}, all sorted by tag name (I30
 * `configureCustomTags` L761).
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
        ...(node.kind === "waypoint" ? waypointPeerTags() : []),
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

/**
 * A waypoint's default route for a Service port without VirtualServices: the waypoint's inbound route "is more
 * like the outbound route" (I30 pilot/pkg/networking/core/httproute.go `buildSidecarInboundHTTPRouteConfig`
 * L116-121, reached from listener_waypoint.go `buildWaypointInboundHTTPRouteConfig` L1144), i.e.
 * `BuildDefaultHTTPOutboundRoute` (route/route.go L1361): prefix `/` to the `inbound-vip` cluster, no timeout,
 * the decorator `<host>:<port>/*` (pilot/pkg/networking/telemetry/telemetry.go `TraceOperation` L80), and the
 * mesh's default retry policy, which without `defaultHttpRetryPolicy` is istiod's cached default (route/retry/retry.go
 * L36-50: 2 retries on connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes, previous-hosts
 * predicate, 5 host selection attempts).
 */
export function waypointRoute(fqdn: string, port: number): object {
    return {
        match: { prefix: "/" },
        route: {
            cluster: waypointHttpCluster(fqdn, port),
            timeout: "0s",
            retry_policy: {
                retry_on: "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes",
                num_retries: 2,
                retry_host_predicate: [
                    {
                        name: "envoy.retry_host_predicates.previous_hosts",
                        typed_config: { "@type": "type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate" },
                    },
                ],
                host_selection_retry_max_attempts: 5,
            },
        },
        decorator: { operation: routeOperation(fqdn, port) },
    };
}

/** A waypoint as the rendered stack declares it: a Gateway of the class `istio-waypoint`. */
export interface WaypointGateway {
    readonly name: string;
    readonly namespace: string;
    /** `istio.io/waypoint-for` (default `service`). */
    readonly waypointFor: string;
}

/** What istiod makes of a Service's labels and its namespace's for ambient traffic: its waypoint, and whether the ingress gateway goes through it. */
export interface ServiceWaypoint {
    readonly waypoint?: WaypointGateway;
    readonly ingressUseWaypoint: boolean;
}

/**
 * The waypoint of a Service (I30 pilot/pkg/serviceregistry/ambient/waypoints.go `fetchWaypointForService` L151,
 * `fetchWaypointForTarget` L99, `getUseWaypoint` L200): the Service's own `istio.io/use-waypoint` label wins
 * (`none` opts out), else its namespace's; the waypoint is looked up in the object's namespace unless
 * `istio.io/use-waypoint-namespace` names another, and serves the Service only if its `istio.io/waypoint-for` is
 * `service` or `all`. (istiod also waits for the Gateway's `status.addresses`, i.e. a ready waypoint pod, `gatewayToWaypointTransform` L230; the
 * suite starts the waypoint before it routes to it.) Whether the ingress gateway sends the Service's traffic
 * to the waypoint: `istio.io/ingress-use-waypoint`, the Service's label first, then the namespace's, parsed as
 * a Go bool (I30 services.go `ingressUseWaypointFromLabels` L786); the gateway's cluster for the Service then
 * gets the waypoint's endpoints (I30 pilot/pkg/xds/endpoints/endpoint_builder.go `BuildClusterLoadAssignment` L375,
 * `findServiceWaypoint` L896 and L917, with ENABLE_INGRESS_WAYPOINT_ROUTING, default true: pilot/pkg/features/ambient.go L62).
 */
export function serviceWaypoint(
    service: { namespace: string; labels: Readonly<Record<string, string>> },
    namespaceLabels: Readonly<Record<string, string>>,
    waypoints: readonly WaypointGateway[],
): ServiceWaypoint {
    const labels = AMBIENT_LABELS;
    const goBool = (v: string | undefined) => v !== undefined && ["1", "t", "T", "TRUE", "true", "True"].includes(v);
    const ingressUseWaypoint = goBool(service.labels[labels.ingressUseWaypoint] ?? namespaceLabels[labels.ingressUseWaypoint]);
    const named = (meta: Readonly<Record<string, string>>) => {
        const name = meta[labels.useWaypoint];
        return name === undefined ? undefined : { name, namespace: meta[labels.useWaypointNamespace] ?? service.namespace };
    };
    if (service.labels[labels.useWaypoint] === "none") {
        return { ingressUseWaypoint };
    }
    const ref = named(service.labels) ?? named(namespaceLabels);
    const waypoint = ref === undefined ? undefined : waypoints.find((w) => w.name === ref.name && w.namespace === ref.namespace);
    return { waypoint: waypoint !== undefined && ["service", "all"].includes(waypoint.waypointFor) ? waypoint : undefined, ingressUseWaypoint };
}
