/**
 * The one source of truth for every port, Service name, label and header the tracing stack relies
 * on. The program, the policy pack (`policy/`) and the tests import these values; nothing else
 * spells them out. This module has no imports so that the policy pack can load it on its own.
 */

/** Namespace that holds Istio, Jaeger and Kiali (as in the reference deployment). */
export const SYSTEM_NAMESPACE = "istio-system";

/** Namespace of the ingress controller that serves the UIs, unless the stack names another (ingress-nginx's own default). */
export const DEFAULT_INGRESS_CONTROLLER_NAMESPACE = "ingress-nginx";

/** Name of the ingress gateway (its Helm release, Deployment and Service), as in the reference. */
export const GATEWAY_NAME = "istio-ingressgateway";

/** Zipkin v2 span endpoint path of the collector. */
export const ZIPKIN_SPANS_PATH = "/api/v2/spans";

/** Cluster DNS suffix used to build in-cluster service addresses. */
export const CLUSTER_DOMAIN = "cluster.local";

/** Ports of the Jaeger collector and query components (identical in Jaeger v1 and v2). */
export const JAEGER_PORTS = {
    zipkin: 9411,
    otlpGrpc: 4317,
    otlpHttp: 4318,
    queryHttp: 16686,
    queryGrpc: 16685,
    /** Jaeger's own receivers (gRPC, Thrift over HTTP) for Jaeger-protocol clients. */
    jaegerGrpc: 14250,
    jaegerThriftHttp: 14268,
    /** Jaeger v2's health check (the chart's probes: `GET /status`). */
    health: 13133,
} as const;

/** Port of Jaeger's own metrics, as each chart line's pod annotation `prometheus.io/port` says (v1 admin port, v2 OpenTelemetry telemetry). */
export const JAEGER_METRICS_PORTS = { v1: 14269, v2: 8888 } as const;

/**
 * Jaeger v2's span metrics (the `spanmetrics` connector's RED metrics, which the Monitor tab reads back from Prometheus):
 * the Prometheus exporter's port and the name the jaeger 4.x chart gives it on its `jaeger` Service
 * (`templates/jaeger/jaeger-service.yaml`, 4.11.1), and the metric namespace the connector writes and the query reads
 * (`traces.span.metrics`, dots become underscores in Prometheus: `traces_span_metrics_calls_total`).
 * @see https://www.jaegertracing.io/docs/latest/architecture/spm/
 */
export const SPAN_METRICS = { port: 8889, servicePortName: "span-metrics", namespace: "traces.span.metrics" } as const;

/** The ports an app namespace must be able to reach on the Jaeger pods (9411 was the incident). */
export const JAEGER_EGRESS_PORTS: readonly number[] = [JAEGER_PORTS.otlpGrpc, JAEGER_PORTS.otlpHttp, JAEGER_PORTS.zipkin];

/** The ClusterIP Service the mesh's zipkin provider and the apps' OTLP exporters send spans to. */
export const COLLECTOR_SERVICE = {
    name: "jaeger-collector-clusterip",
    ports: [
        { name: "http-zipkin", port: JAEGER_PORTS.zipkin, protocol: "TCP" },
        { name: "grpc-otlp", port: JAEGER_PORTS.otlpGrpc, protocol: "TCP" },
        { name: "http-otlp", port: JAEGER_PORTS.otlpHttp, protocol: "TCP" },
    ],
} as const;

/** The ClusterIP Service Kiali and the UI ingress use to query traces. */
export const QUERY_SERVICE = {
    name: "jaeger-query-clusterip",
    ports: [
        { name: "http-query", port: JAEGER_PORTS.queryHttp, protocol: "TCP" },
        { name: "grpc-query", port: JAEGER_PORTS.queryGrpc, protocol: "TCP" },
    ],
} as const;

/** Label the Jaeger charts (3.x and 4.x) put on their pods: `app.kubernetes.io/name: jaeger`. */
export const JAEGER_NAME_LABEL = { key: "app.kubernetes.io/name", value: "jaeger" } as const;

/** Component label of the single Jaeger pod both chart lines run (all-in-one in v1, `jaeger` in v2). */
export const JAEGER_COMPONENT_LABEL = { key: "app.kubernetes.io/component", value: "all-in-one" } as const;

/** Label that turns on sidecar injection in a namespace: the namespaces of the mesh. */
export const INJECTION_LABEL = { "istio-injection": "enabled" } as const;

/**
 * Istio's data planes (stack config `mesh.dataPlane`): a sidecar proxy in every pod, or ambient mode, where a
 * ztunnel per node carries pods' traffic (L4, no spans) and a waypoint proxy per namespace does the L7 work
 * (and emits the proxy spans). @see https://istio.io/latest/docs/ambient/overview/
 */
export const DATA_PLANES = ["sidecar", "ambient"] as const;
export type DataPlane = (typeof DATA_PLANES)[number];

/**
 * Labels of ambient mode (istio/api 1.30.3 `label/labels.yaml`): `istio.io/dataplane-mode: ambient` enrols a
 * namespace's pods (istio-cni reads it), `istio.io/use-waypoint` names the waypoint their Services' traffic goes
 * through (istiod reads it, pilot/pkg/serviceregistry/ambient/waypoints.go), `istio.io/waypoint-for` on the waypoint
 * says what it serves.
 */
export const AMBIENT_LABELS = {
    dataplaneMode: "istio.io/dataplane-mode",
    useWaypoint: "istio.io/use-waypoint",
    useWaypointNamespace: "istio.io/use-waypoint-namespace",
    waypointFor: "istio.io/waypoint-for",
    /** `"true"` on a Service or namespace: the ingress gateway sends its traffic through the waypoint too (otherwise straight to the pods). */
    ingressUseWaypoint: "istio.io/ingress-use-waypoint",
} as const;

/** Istio's revision label, which turns on sidecar injection like {@link INJECTION_LABEL}. */
export const REVISION_LABEL = "istio.io/rev";

/**
 * The waypoint the stack gives each ambient app namespace: a Gateway API `Gateway` of the class istiod serves
 * (`istio-waypoint`) with the one listener istioctl gives it (`mesh`, 15008, HBONE; istio/istio 1.30.3
 * istioctl/pkg/waypoint/waypoint.go), serving the namespace's Services. istiod deploys a proxy of the same name;
 * its spans carry the service name `<name>.<namespace>` (pkg/kube/labels/labels.go `serviceClusterOrDefault`).
 */
export const WAYPOINT = {
    name: "waypoint",
    gatewayClassName: "istio-waypoint",
    listener: { name: "mesh", port: 15008, protocol: "HBONE" },
    for: "service",
} as const;

/**
 * The pods istiod deploys for a waypoint Gateway (istio/istio 1.30.3
 * manifests/charts/istio-control/istio-discovery/files/waypoint.yaml): the fixed labels, then the Gateway's
 * `spec.infrastructure.labels` (without the gateway.networking.k8s.io/ ones), else its own labels
 * (pilot/pkg/config/kube/gateway/deploymentcontroller.go `extractInfrastructureMetadata`), then the Gateway's name,
 * class and controller; the container ports of its istio-proxy.
 */
export const WAYPOINT_POD = {
    fixedLabels: { "sidecar.istio.io/inject": "false", "istio.io/dataplane-mode": "none", "service.istio.io/canonical-revision": "latest" },
    /** Holds the Deployment's name, the Gateway's unless annotated otherwise. */
    canonicalNameLabel: "service.istio.io/canonical-name",
    gatewayNameLabel: "gateway.networking.k8s.io/gateway-name",
    gatewayClassLabel: "gateway.networking.k8s.io/gateway-class-name",
    managedLabel: { key: "gateway.istio.io/managed", value: "istio.io-mesh-controller" },
    /** Infrastructure labels with this prefix are not copied to the pods. */
    reservedLabelPrefix: "gateway.networking.k8s.io/",
    containerPorts: [
        { name: "metrics", containerPort: 15020, protocol: "TCP" },
        { name: "status-port", containerPort: 15021, protocol: "TCP" },
        { name: "http-envoy-prom", containerPort: 15090, protocol: "TCP" },
    ],
} as const;

/**
 * The Gateway API group and version of waypoints; the CRDs are a prerequisite on the cluster, installed from the
 * standard channel of the release Istio 1.30.3 pins (its go.mod: sigs.k8s.io/gateway-api v1.5.1).
 */
export const GATEWAY_API = {
    group: "gateway.networking.k8s.io",
    version: "v1",
    gatewayCrd: "gateways.gateway.networking.k8s.io",
    gatewayClassCrd: "gatewayclasses.gateway.networking.k8s.io",
    install: "kubectl apply --server-side -f https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/standard-install.yaml",
} as const;

/** HBONE, ambient's mTLS tunnel: ztunnel and waypoints take each other's traffic on this port. */
export const HBONE_PORT = WAYPOINT.listener.port;

/** The DaemonSets of ambient mode, as the istio `cni` and `ztunnel` charts name them (1.30.3). */
export const AMBIENT_DAEMONSETS = { cni: "istio-cni-node", ztunnel: "ztunnel" } as const;

/**
 * Values of the ambient labels: the data-plane mode that enrols a namespace, the `istio.io/use-waypoint` value that
 * opts out of any waypoint, and the `istio.io/waypoint-for` values of a waypoint that serves Services (istio/istio
 * 1.30.3 pilot/pkg/serviceregistry/ambient/waypoints.go `getUseWaypoint`, `fetchWaypointForService`; `service` when unset).
 */
export const AMBIENT_LABEL_VALUES = { dataplaneMode: "ambient", noWaypoint: "none", waypointForServices: ["service", "all"] } as const;

/**
 * How istiod serves ambient mode: the values `profile: ambient`, which sets the env below on its Deployment
 * (istio/istio 1.30.3 manifests/charts/istio-control/istio-discovery/files/profile-ambient.yaml). The charts of
 * ambient mode beside istiod (`cni`, `ztunnel`) are in lib/charts.ts.
 */
export const ISTIOD_AMBIENT = { profile: "ambient", env: "PILOT_ENABLE_AMBIENT" } as const;

/** Label the istiod chart puts on its pods. */
export const ISTIOD_POD_LABEL = { key: "app", value: "istiod" } as const;

/** istiod's xDS / CA port that every sidecar dials. */
export const ISTIOD_XDS_PORT = 15012;

/**
 * Where Kiali reads its login signing key from a file that replaces `login_token.signing_key`
 * (kiali/kiali v2.1.0 `config/config.go`: `overrideSecretsDir` + `SecretFileLoginTokenSigningKey`;
 * kiali-server >= 2.21 mounts a `secret:` reference there itself).
 */
export const KIALI_SIGNING_KEY_MOUNT = "/kiali-override-secrets/login-token-signing-key";

/** Kiali's HTTP port (kiali-server chart `server.port`). */
export const KIALI_PORT = 20001;

/** DNS port, UDP and TCP. */
export const DNS_PORT = 53;

/**
 * Names of the Istio providers this stack selects: `extensionProviders` it defines, and `prometheus`, the
 * metrics provider istiod has built in (`pkg/config/mesh/mesh.go` `DefaultMeshConfig`, 1.24.2 and 1.30.3).
 */
export const PROVIDER_NAMES = {
    tracing: "jaeger",
    accessLog: "json-access-log",
    extAuthz: "ext-authz",
    metrics: "prometheus",
} as const;

/** Name of the mesh-wide Telemetry resource (the reference deployment's name). */
export const TELEMETRY_NAME = "global-sampling";

/** Helm's ownership metadata: an existing object Helm installs over must carry it (helm.sh/helm/v3 pkg/action/validate.go). */
export const HELM_OWNERSHIP = {
    label: { key: "app.kubernetes.io/managed-by", value: "Helm" },
    releaseName: "meta.helm.sh/release-name",
    releaseNamespace: "meta.helm.sh/release-namespace",
} as const;

/**
 * ConfigMap (in the system namespace) listing every chart the stack installs: repo, chart, the
 * requested version and the values passed (secrets redacted), under the key `charts.json`.
 * Chart v4 resources reach policy packs with empty properties, so this is what the pack reads.
 * Under `reads.json` it lists the objects the program read from the cluster and relied on (the
 * baseline NetworkPolicy of each app namespace, as read): read resources never reach analyzers.
 */
export const RELEASES_CONFIGMAP = { name: "observability-stack-charts", key: "charts.json", readsKey: "reads.json" } as const;

/** Name of the per-namespace NetworkPolicy that lets apps send spans to Jaeger. */
export const JAEGER_EGRESS_POLICY_NAME = "allow-jaeger-egress";

/** B3 multi-header propagation headers (OpenTelemetry propagator `b3multi`). */
const B3_HEADERS: readonly string[] = ["x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid", "x-b3-sampled"];

/** B3 headers an HTTP ext-authz provider must forward so the authz service joins the trace. */
export const REQUIRED_EXT_AUTHZ_B3_HEADERS: readonly string[] = ["x-b3-traceid", "x-b3-spanid"];

/** Headers an HTTP ext-authz provider forwards by default. */
export const DEFAULT_EXT_AUTHZ_HTTP_HEADERS: readonly string[] = ["authorization", "x-request-id", ...B3_HEADERS];

/** Envoy command operator that always carries the active trace id (set even without a client header). */
export const TRACE_ID_OPERATOR = "%TRACE_ID%";

/** Envoy operator the reference used; empty whenever the client sent no B3 header. */
export const STALE_TRACE_ID_OPERATOR = "%REQ(X-B3-TRACEID)%";

/**
 * JSON access-log fields (names follow the reference deployment's logs).
 * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-ExtensionProvider-EnvoyFileAccessLogProvider
 */
export const ACCESS_LOG_LABELS: Readonly<Record<string, string>> = {
    "@timestamp": "%START_TIME%",
    "trace.id": TRACE_ID_OPERATOR,
    "span.id": "%REQ(X-B3-SPANID)%",
    "http.request.method": "%REQ(:METHOD)%",
    "url.path": "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%",
    "http.response.status_code": "%RESPONSE_CODE%",
    "event.duration": "%DURATION%",
    "service.name": "%ENVIRONMENT(ISTIO_META_WORKLOAD_NAME)%",
    "upstream.cluster": "%UPSTREAM_CLUSTER%",
};

/**
 * The mesh's tracing providers (stack config `tracing.provider`): Envoy's Zipkin tracer, which puts
 * B3 headers (`x-b3-*`) on requests, or its OpenTelemetry tracer, which puts W3C `traceparent` on them.
 * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-ExtensionProvider
 */
export const TRACING_PROVIDERS = ["zipkin", "opentelemetry"] as const;
export type TracingProvider = (typeof TRACING_PROVIDERS)[number];

/** The collector port each provider's proxies report to: Zipkin v2 JSON, or OTLP over gRPC. */
export const TRACING_PROVIDER_PORTS: Readonly<Record<TracingProvider, number>> = { zipkin: JAEGER_PORTS.zipkin, opentelemetry: JAEGER_PORTS.otlpGrpc };

/**
 * The trace context the mesh's proxies read from a request and put on the requests they forward: what an app
 * must read to continue their trace, and may write on its own calls.
 * - `b3`: B3 headers (`x-b3-*`), the zipkin provider as Istio sets it by default.
 * - `b3+w3c`: the zipkin provider with {@link ZIPKIN_B3_WITH_W3C} (Istio >= 1.28): proxies read B3 headers, or W3C
 *   `traceparent` when a request has no B3 headers, and put both on every request they forward.
 * - `w3c`: W3C `traceparent`, the opentelemetry provider.
 */
export type MeshTraceContext = "b3" | "b3+w3c" | "w3c";

/** What each provider's proxies send when nothing else is configured. */
export const PROVIDER_TRACE_CONTEXT: Readonly<Record<TracingProvider, MeshTraceContext>> = { zipkin: "b3", opentelemetry: "w3c" };

/**
 * The zipkin provider's `traceContextOption` for B3 with W3C propagation (istio.io/api >= 1.28,
 * `MeshConfig.ExtensionProvider.ZipkinTracingProvider.TraceContextOption` USE_B3_WITH_W3C_PROPAGATION = 1; USE_B3 = 0 is the default).
 * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-ExtensionProvider-ZipkinTracingProvider-TraceContextOption
 */
export const ZIPKIN_B3_WITH_W3C = "USE_B3_WITH_W3C_PROPAGATION";

/**
 * OpenTelemetry propagators apps use with each trace context.
 * - `b3`: `b3` (the single header; its extractor also reads the `x-b3-*` headers Envoy sends), W3C tracecontext and baggage.
 * - `b3+w3c`: the proxies put both formats on the request, so either propagator continues their trace, and on an
 *   app's own calls they read `traceparent` when there is no B3 header. Apps get tracecontext and baggage: the
 *   OpenTelemetry SDKs' default, with nothing to install (B3 needs a package of its own in Python,
 *   opentelemetry-propagator-b3, whose absence was one of the reference deployment's incidents).
 * - `w3c`: Envoy sends only `traceparent`, so tracecontext and baggage.
 */
export const OTEL_PROPAGATORS_BY_CONTEXT: Readonly<Record<MeshTraceContext, readonly string[]>> = {
    b3: ["b3", "tracecontext", "baggage"],
    "b3+w3c": ["tracecontext", "baggage"],
    w3c: ["tracecontext", "baggage"],
};

/** Propagators of which an app needs at least one to read the context the proxies send. */
export const REQUIRED_PROPAGATORS: Readonly<Record<MeshTraceContext, readonly string[]>> = {
    b3: ["b3", "b3multi"],
    "b3+w3c": ["b3", "b3multi", "tracecontext"],
    w3c: ["tracecontext"],
};

/** Fully qualified in-cluster DNS name of a Service. */
export function serviceFqdn(name: string, namespace: string): string {
    return `${name}.${namespace}.svc.${CLUSTER_DOMAIN}`;
}
