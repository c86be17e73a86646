/**
 * Objects that repeat the reference deployment's mistakes (and the ones issue 9 found: a mesh config without
 * metrics, an unbounded memory store, Elasticsearch without the dependencies job), added to the real program for the
 * policy test in the real engine. Each is listed with the policy that must deny it and the message.
 * The program's own config validation refuses most of these values, so they are built here as the
 * objects a hand-written YAML (or another program) would put in the same stack.
 */
import * as k8s from "@pulumi/kubernetes";
import * as yaml from "js-yaml";
import { AMBIENT_LABELS, AMBIENT_LABEL_VALUES, COLLECTOR_SERVICE, GATEWAY_API, INJECTION_LABEL, RELEASES_CONFIGMAP, SYSTEM_NAMESPACE, WAYPOINT } from "../lib/constants";
import { jaegerPodSelector } from "../components/jaeger";

const SKIP_AWAIT = { "pulumi.com/skipAwait": "true" };
const MIRROR = process.env.OBS_CHARTS_URL ?? "http://127.0.0.1:8879";
const LEGACY_NAMESPACE = "legacy";
/** A namespace moved to ambient mode by hand, half-way: needs the Gateway API CRDs on the cluster (e2e/gatewayApi.ts). */
const AMBIENT_NAMESPACE = "legacy-ambient";

/** Registers the bad objects (e2e/programs/guardrails calls it after `main`). */
export function registerBadResources(): void {
    const provider = new k8s.Provider("legacy-k8s", { enableServerSideApply: true });
    const opts = { provider };
    // An app namespace of the reference deployment: in the mesh (sidecar injection on), so Jaeger's ingress admits it.
    const ns = new k8s.core.v1.Namespace("legacy-ns", { metadata: { name: LEGACY_NAMESPACE, labels: { ...INJECTION_LABEL } } }, opts);
    const inLegacy = { provider, dependsOn: [ns] };

    // A headless zipkin target, like the 3.x chart's own collector Service.
    new k8s.core.v1.Service(
        "legacy-zipkin-headless",
        {
            metadata: { name: "zipkin-headless", namespace: SYSTEM_NAMESPACE, annotations: SKIP_AWAIT },
            spec: { clusterIP: "None", selector: jaegerPodSelector(), ports: [{ name: "http-zipkin", port: 9411 }] },
        },
        opts,
    );
    // A second mesh config (revision "canary") written the reference deployment's way.
    const mesh = {
        enableTracing: true,
        defaultConfig: { tracing: { sampling: 100, zipkin: { address: `${COLLECTOR_SERVICE.name}.${SYSTEM_NAMESPACE}:9411` } } },
        extensionProviders: [
            { name: "jaeger", zipkin: { service: `zipkin-headless.${SYSTEM_NAMESPACE}.svc.cluster.local`, port: 9411 } },
            { name: "json-access-log", envoyFileAccessLog: { path: "/dev/stdout", logFormat: { labels: { "trace.id": "%REQ(X-B3-TRACEID)%" } } } },
            {
                name: "ext-authz",
                envoyExtAuthzGrpc: { service: "ext-authz.auth.svc.cluster.local", port: 9000, includeHeadersInCheck: ["authorization", "x-request-id", "x-b3-traceid", "x-b3-spanid"] },
            },
        ],
    };
    new k8s.core.v1.ConfigMap("legacy-mesh", { metadata: { name: "istio-canary", namespace: SYSTEM_NAMESPACE }, data: { mesh: yaml.dump(mesh) } }, opts);

    // The reference's app-namespace policy: Jaeger egress without 9411, and nothing else (no DNS).
    new k8s.networking.v1.NetworkPolicy(
        "legacy-jaeger-egress",
        {
            metadata: { name: "allow-jaeger-egress", namespace: LEGACY_NAMESPACE },
            spec: {
                podSelector: {},
                policyTypes: ["Egress"],
                egress: [
                    {
                        to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": SYSTEM_NAMESPACE } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "jaeger" } } }],
                        ports: [
                            { protocol: "TCP", port: 4317 },
                            { protocol: "TCP", port: 4318 },
                        ],
                    },
                ],
            },
        },
        inLegacy,
    );
    new k8s.apiextensions.CustomResource(
        "legacy-openai",
        {
            apiVersion: "networking.istio.io/v1",
            kind: "ServiceEntry",
            metadata: { name: "legacy-openai", namespace: LEGACY_NAMESPACE },
            spec: { hosts: ["api.openai.com"], location: "MESH_EXTERNAL", ports: [{ number: 443, name: "https", protocol: "HTTPS" }], resolution: "NONE" },
        },
        inLegacy,
    );
    // A Kiali config with the keys Kiali 2.x removed.
    const kiali = {
        server: { port: 20001 },
        deployment: { accessible_namespaces: ["**"] },
        external_services: { tracing: { enabled: true, in_cluster_url: "http://jaeger-query.istio-system.svc.cluster.local:16686", url: "https://jaeger.dev.growbin.app" } },
        // The key in clear text, readable by anyone who may read ConfigMaps.
        login_token: { signing_key: "legacy-key-in-clear-0123" },
    };
    new k8s.core.v1.ConfigMap("legacy-kiali", { metadata: { name: "kiali-legacy", namespace: LEGACY_NAMESPACE }, data: { "config.yaml": yaml.dump(kiali) } }, inLegacy);
    // What another program asked of Helm: no signing key, a version range, the Cassandra default, old lines.
    const releases = [
        { release: "kiali", namespace: LEGACY_NAMESPACE, repo: MIRROR, chart: "kiali-server", version: "2.1.0", values: { auth: { strategy: "token" } } },
        { release: "jaeger", namespace: LEGACY_NAMESPACE, repo: MIRROR, chart: "jaeger", version: "3.4.1", values: { allInOne: { enabled: true }, storage: { type: "memory" } } },
        { release: "jaeger-next", namespace: LEGACY_NAMESPACE, repo: MIRROR, chart: "jaeger", version: "4.x", values: {} },
        { release: "istiod", namespace: LEGACY_NAMESPACE, repo: MIRROR, chart: "istiod", version: "1.24.2", values: {} },
    ];
    new k8s.core.v1.ConfigMap("legacy-releases", { metadata: { name: RELEASES_CONFIGMAP.name, namespace: LEGACY_NAMESPACE }, data: { [RELEASES_CONFIGMAP.key]: JSON.stringify(releases) } }, inLegacy);
    // A Jaeger v2 config of the reference's kind: a memory backend without max_traces (Jaeger then keeps up to 1,000,000 traces).
    new k8s.core.v1.ConfigMap(
        "legacy-jaeger-config",
        {
            metadata: { name: "user-config", namespace: LEGACY_NAMESPACE },
            data: { "user-config.yaml": yaml.dump({ extensions: { jaeger_storage: { backends: { primary_store: { memory: {} } } }, jaeger_query: { storage: { traces: "primary_store" } } } }) },
        },
        inLegacy,
    );
    // A Jaeger v1 all-in-one on Elasticsearch without the dependencies (Spark) job: "No service dependencies found".
    new k8s.apps.v1.Deployment(
        "legacy-jaeger-elasticsearch",
        {
            metadata: { name: "jaeger", namespace: LEGACY_NAMESPACE, annotations: SKIP_AWAIT },
            spec: {
                selector: { matchLabels: jaegerPodSelector() },
                template: {
                    metadata: { labels: jaegerPodSelector() },
                    spec: {
                        containers: [
                            {
                                name: "jaeger",
                                image: "jaegertracing/all-in-one:1.53.0",
                                env: [
                                    { name: "SPAN_STORAGE_TYPE", value: "elasticsearch" },
                                    { name: "ES_SERVER_URLS", value: "http://elasticsearch-master.logging:9200" },
                                ],
                            },
                        ],
                    },
                },
            },
        },
        inLegacy,
    );
    // Ambient mode by hand in a sidecar stack: the namespace keeps its injection label, names no waypoint, and the
    // stack installs neither the cni agent nor ztunnel; its waypoint exists, but the tracing Telemetry selects pods.
    const ambientNs = new k8s.core.v1.Namespace(
        "legacy-ambient-ns",
        { metadata: { name: AMBIENT_NAMESPACE, labels: { ...INJECTION_LABEL, [AMBIENT_LABELS.dataplaneMode]: AMBIENT_LABEL_VALUES.dataplaneMode } } },
        opts,
    );
    const inAmbient = { provider, dependsOn: [ambientNs] };
    new k8s.apiextensions.CustomResource(
        "legacy-ambient-waypoint",
        {
            apiVersion: `${GATEWAY_API.group}/${GATEWAY_API.version}`,
            kind: "Gateway",
            metadata: { name: WAYPOINT.name, namespace: AMBIENT_NAMESPACE },
            spec: { gatewayClassName: WAYPOINT.gatewayClassName, listeners: [{ ...WAYPOINT.listener }] },
        },
        inAmbient,
    );
    new k8s.apiextensions.CustomResource(
        "legacy-ambient-telemetry",
        {
            apiVersion: "telemetry.istio.io/v1",
            kind: "Telemetry",
            metadata: { name: "auth-api-tracing", namespace: AMBIENT_NAMESPACE },
            spec: { selector: { matchLabels: { app: "auth-api" } }, tracing: [{ randomSamplingPercentage: 5 }] },
        },
        inAmbient,
    );
    // An app exporting to the collector with W3C propagation only.
    new k8s.apps.v1.Deployment(
        "legacy-app",
        {
            metadata: { name: "auth-api", namespace: LEGACY_NAMESPACE, annotations: SKIP_AWAIT },
            spec: {
                selector: { matchLabels: { app: "auth-api" } },
                template: {
                    metadata: { labels: { app: "auth-api" } },
                    spec: {
                        containers: [
                            {
                                name: "app",
                                image: "auth-api:1",
                                env: [
                                    { name: "OTEL_EXPORTER_OTLP_ENDPOINT", value: `http://${COLLECTOR_SERVICE.name}.${SYSTEM_NAMESPACE}.svc.cluster.local:4317` },
                                    { name: "OTEL_PROPAGATORS", value: "tracecontext,baggage" },
                                ],
                            },
                        ],
                    },
                },
            },
        },
        inLegacy,
    );
}

/** Policy name -> the violation message it must report (exact text, as the pack states it). */
export const EXPECTED_VIOLATIONS: readonly { policy: string; message: string }[] = [
    {
        policy: "zipkin-target-must-be-clusterip-service-selecting-pods",
        message:
            "Service istio-system/zipkin-headless must not be headless (clusterIP: None) to be the target of zipkin provider jaeger; expected a ClusterIP Service such as jaeger-collector-clusterip.",
    },
    {
        policy: "mesh-config-must-not-use-deprecated-tracing",
        message: "Mesh config istio-system/istio-canary must not set defaultConfig.tracing (deprecated; Istio >= 1.22 ignores it for the Telemetry API); expected no defaultConfig.tracing block.",
    },
    {
        policy: "access-log-must-use-trace-id",
        message: "Access-log provider json-access-log must log the trace id with %TRACE_ID%, not %REQ(X-B3-TRACEID)% (empty when the client sent no B3 header).",
    },
    {
        policy: "ext-authz-must-forward-b3-headers",
        message: "gRPC ext-authz provider ext-authz must not set includeHeadersInCheck (not a field of the gRPC provider; gRPC ext_authz sends every request header); expected no header list.",
    },
    { policy: "telemetry-sampling-must-not-exceed-ceiling", message: "Telemetry istio-system/global-sampling must sample at most 10% of requests; randomSamplingPercentage is 100." },
    {
        policy: "otlp-exporters-must-propagate-mesh-trace-context",
        message:
            "Container app of legacy/auth-api must list b3 or b3multi in OTEL_PROPAGATORS to join the mesh's traces (zipkin provider jaeger sends B3 headers); it has tracecontext,baggage, expected b3,tracecontext,baggage.",
    },
    {
        policy: "jaeger-egress-must-allow-otlp-and-zipkin",
        message:
            "Namespace legacy must allow egress to the Jaeger pods (Service istio-system/jaeger-collector-clusterip) on TCP 4317, 4318, 9411; unreachable: TCP 9411 (egress policies: legacy/allow-jaeger-egress; ingress policies: istio-system/jaeger-collector-from-mesh, istio-system/jaeger-metrics-from-prometheus, istio-system/jaeger-query-from-ui-clients).",
    },
    {
        policy: "egress-restricted-namespaces-must-allow-dns",
        message:
            "Namespace legacy must allow egress to the DNS pods (kube-system k8s-app=kube-dns) on UDP 53 and TCP 53 once Egress policies select its pods; unreachable: UDP 53, TCP 53 (egress policies: legacy/allow-jaeger-egress).",
    },
    { policy: "external-service-entries-must-use-dns-resolution", message: "ServiceEntry legacy/legacy-openai must use resolution DNS for its hosts api.openai.com; it has NONE." },
    {
        policy: "kiali-must-not-allow-anonymous-access",
        message: "Kiali config istio-system/kiali must require a login; auth.strategy is anonymous, expected token or header (or openid with its client settings).",
    },
    {
        policy: "kiali-config-must-not-use-removed-keys",
        message: "Kiali config legacy/kiali-legacy must not set external_services.tracing.in_cluster_url (removed in Kiali 2.x and ignored); expected external_services.tracing.internal_url.",
    },
    {
        policy: "kiali-signing-key-must-come-from-a-secret",
        message:
            "Kiali config legacy/kiali-legacy must not hold login_token.signing_key as a literal (every ConfigMap is readable by Kiali's cluster-wide role); expected secret:<name>:<key> or a Secret mounted at /kiali-override-secrets/login-token-signing-key.",
    },
    {
        policy: "kiali-signing-key-must-be-set",
        message: "Chart kiali-server 2.1.0 must set values.login_token.signing_key; expected a fixed key of 16, 24 or 32 characters or secret:<name>:<key>.",
    },
    { policy: "jaeger-must-not-use-memory-storage", message: "Jaeger config istio-system/user-config must store traces durably; backend primary_store is memory, expected elasticsearch." },
    {
        policy: "kiali-graph-must-have-mesh-metrics",
        message:
            "Mesh config istio-system/istio-canary must keep Prometheus metrics on while Kiali is installed (Kiali's graph and health read istio_requests_total); defaultProviders.metrics is empty and Telemetry istio-system/global-sampling selects no metrics provider, expected defaultProviders.metrics: [prometheus] or a mesh-wide Telemetry selecting prometheus.",
    },
    {
        policy: "jaeger-memory-storage-must-be-bounded",
        message:
            "Jaeger config legacy/user-config must bound memory backend primary_store; max_traces is unset (Jaeger then keeps up to 1000000 traces, more than a pod's memory holds), expected a positive max_traces sized to the memory limit.",
    },
    {
        policy: "jaeger-elasticsearch-must-run-dependencies-job",
        message:
            'Jaeger Deployment legacy/jaeger must be paired with the Elasticsearch dependencies job (a spark-dependencies CronJob in legacy); there is none, so the service graph shows "No service dependencies found", expected jaeger.storage.dependencies.enabled: true.',
    },
    { policy: "jaeger-memory-must-not-provision-cassandra", message: "Chart jaeger 3.4.1 must set provisionDataStore.cassandra: false with all-in-one memory storage; it is true." },
    {
        policy: "ambient-namespaces-must-use-a-declared-waypoint",
        message:
            "Namespace legacy-ambient (istio.io/dataplane-mode: ambient) must use a waypoint to trace its requests (ztunnel emits no spans, only a waypoint does); it has no istio.io/use-waypoint label. Label it istio.io/use-waypoint: waypoint and declare Gateway waypoint of class istio-waypoint (listener mesh 15008/HBONE) in legacy-ambient.",
    },
    {
        policy: "namespaces-must-not-mix-sidecar-injection-and-ambient",
        message:
            "Namespace legacy-ambient must not be labelled both istio-injection=enabled and istio.io/dataplane-mode: ambient: its pods get sidecars and istio-cni then leaves them out of ambient mode, so its waypoint never sees their traffic. Remove istio-injection (ambient) or istio.io/dataplane-mode (sidecars).",
    },
    {
        policy: "telemetry-must-reach-waypoints",
        message:
            "Telemetry legacy-ambient/auth-api-tracing must reach waypoint legacy-ambient/waypoint, which traces the requests of ambient namespaces; it selects pods with selector, which waypoints ignore, so they apply none of its tracing;",
    },
    {
        policy: "ambient-mode-must-install-cni-and-ztunnel",
        // The version istiod runs closes the message: the reference's 1.24.2 in the unit test, two versions in the e2e stack.
        message:
            "Chart ztunnel (DaemonSet ztunnel) must be installed: the stack runs ambient mode (namespace legacy-ambient labelled istio.io/dataplane-mode: ambient; waypoint legacy-ambient/waypoint), and ztunnel carries their traffic, to the waypoint among others; without it no request reaches a waypoint and none is traced.",
    },
    { policy: "chart-versions-must-be-pinned", message: 'Chart jaeger must be pinned to an exact version such as 1.30.3; version is "4.x".' },
    { policy: "chart-versions-must-not-be-end-of-life", message: "Chart jaeger 3.4.1 must not be used: it runs Jaeger v1, end of life 2025-12-31; expected jaeger 4.x (Jaeger v2)." },
];
