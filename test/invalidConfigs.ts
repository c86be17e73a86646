/**
 * Invalid stack configurations, one mistake each, grouped by config area, with the exact first problem line
 * each must be rejected with (test/config.invalid.spec.ts).
 */
import { RawConfig } from "../config";
import { stackRawConfig } from "./stackFiles";

export interface Case {
    /** The mistake, as a sentence fragment. */
    readonly mistake: string;
    readonly raw: RawConfig;
    /** The exact first problem line. */
    readonly first: string;
}

const DEV: RawConfig = { environment: "dev", kiali: { authStrategy: "anonymous" } };
/** The production stack file with its signing key set: valid as it is. */
const PROD: RawConfig = { ...stackRawConfig("production"), kiali: { ...(stackRawConfig("production").kiali as object), signingKey: "0123456789abcdef" } };
const GRPC = { protocol: "grpc", service: "authz.auth.svc.cluster.local", port: 9000 };
const HTTP = { protocol: "http", service: "authz.auth.svc.cluster.local", port: 8000 };
const ES = { type: "elasticsearch", url: "https://es.logging.svc:9200", username: "jaeger", passwordSecret: { name: "es", key: "password" } };
const SERVICE = { name: "openai-external", hosts: ["api.openai.com"] };
const TOP_KEYS = "environment, awaitReadiness, charts, gateway, tracing, extAuthz, jaeger, kiali, prometheus, externalServices, appNamespaces, createAppNamespaces, networkPolicies, ui";
const ES_KEYS = "type, maxTraces, url, username, passwordSecret, indexPrefix, tls, dependencies, indexCleaner, rollover";
const DNS_LABEL = "expected a DNS label (lower-case letters, digits and '-', at most 63 characters)";
const GRPC_FIELD = "not a field of the gRPC ext-authz provider (gRPC ext_authz already sends every request header); remove it or use protocol http";
const SIGNING_KEY = "required for auth strategies other than anonymous: set it with `pulumi config set --secret kiali.signingKey <16, 24 or 32 characters>`";

function without(raw: RawConfig, key: string): RawConfig {
    return Object.fromEntries(Object.entries(raw).filter(([k]) => k !== key));
}

export const CASES: readonly Case[] = [
    // top level
    { mistake: "an unknown top-level key", raw: { ...DEV, samplingRate: 5 }, first: `samplingRate: got 5; unknown key; allowed keys: ${TOP_KEYS}` },
    { mistake: "an unknown environment", raw: { ...DEV, environment: "staging" }, first: 'environment: got "staging"; allowed: dev, production' },
    { mistake: "a number as environment", raw: { ...DEV, environment: 5 }, first: "environment: got 5; allowed: dev, production" },
    { mistake: "a null environment", raw: { ...DEV, environment: null }, first: "environment: got null; allowed: dev, production" },
    { mistake: "a word for awaitReadiness", raw: { ...DEV, awaitReadiness: "yes" }, first: 'awaitReadiness: got "yes"; expected true or false' },
    { mistake: "a null awaitReadiness", raw: { ...DEV, awaitReadiness: null }, first: "awaitReadiness: got null; expected true or false" },
    { mistake: "a number for createAppNamespaces", raw: { ...DEV, createAppNamespaces: 1 }, first: "createAppNamespaces: got 1; expected true or false" },
    // charts
    { mistake: "a list for charts", raw: { ...DEV, charts: [] }, first: "charts: got []; expected an object" },
    {
        mistake: "an unknown chart role",
        raw: { ...DEV, charts: { prometheus: {} } },
        first: "charts.prometheus: got {}; unknown key; allowed keys of charts: istioBase, istiod, istioGateway, jaeger, kiali",
    },
    {
        mistake: "an unknown key in a chart",
        raw: { ...DEV, charts: { jaeger: { url: "https://example.com" } } },
        first: 'charts.jaeger.url: got "https://example.com"; unknown key; allowed keys of charts.jaeger: repo, chart, version, values',
    },
    {
        mistake: "a version range",
        raw: { ...DEV, charts: { jaeger: { version: "^4.0.0" } } },
        first: 'charts.jaeger.version: got "^4.0.0"; expected an exact chart version such as 1.30.3 (no range, no empty value)',
    },
    {
        mistake: "a number as chart version",
        raw: { ...DEV, charts: { kiali: { version: 2 } } },
        first: "charts.kiali.version: got 2; expected an exact chart version such as 1.30.3 (no range, no empty value)",
    },
    {
        mistake: "a repository without scheme",
        raw: { ...DEV, charts: { istiod: { repo: "oci//bad" } } },
        first: 'charts.istiod.repo: got "oci//bad"; expected an http:// or https:// Helm repository URL, or an oci:// registry',
    },
    {
        mistake: "an ftp repository",
        raw: { ...DEV, charts: { jaeger: { repo: "ftp://mirror.example.com/charts" } } },
        first: 'charts.jaeger.repo: got "ftp://mirror.example.com/charts"; expected an http:// or https:// Helm repository URL, or an oci:// registry',
    },
    { mistake: "an empty chart name", raw: { ...DEV, charts: { jaeger: { chart: "" } } }, first: 'charts.jaeger.chart: got ""; expected a non-empty string' },
    {
        mistake: "Istio charts of two versions",
        raw: { ...DEV, charts: { istiod: { version: "1.24.2" } } },
        first: 'charts.istioBase/istiod/istioGateway.version: got ["1.30.3","1.24.2","1.30.3"]; the three Istio charts must share one version',
    },
    { mistake: "a null chart", raw: { ...DEV, charts: { istioBase: null } }, first: "charts.istioBase: got null; expected an object" },
    // gateway and tracing
    { mistake: "an ExternalName gateway", raw: { ...DEV, gateway: { serviceType: "ExternalName" } }, first: 'gateway.serviceType: got "ExternalName"; allowed: ClusterIP, NodePort, LoadBalancer' },
    { mistake: "an unknown gateway key", raw: { ...DEV, gateway: { type: "NodePort" } }, first: 'gateway.type: got "NodePort"; unknown key; allowed keys of gateway: serviceType' },
    { mistake: "a string for gateway", raw: { ...DEV, gateway: "LoadBalancer" }, first: 'gateway: got "LoadBalancer"; expected an object' },
    { mistake: "sampling above 100", raw: { ...DEV, tracing: { samplingPercentage: 150 } }, first: "tracing.samplingPercentage: got 150; expected a number from 0 to 100" },
    { mistake: "sampling as a word", raw: { ...DEV, tracing: { samplingPercentage: "all" } }, first: 'tracing.samplingPercentage: got "all"; expected a number from 0 to 100' },
    { mistake: "null sampling", raw: { ...DEV, tracing: { samplingPercentage: null } }, first: "tracing.samplingPercentage: got null; expected a number from 0 to 100" },
    { mistake: "an unknown tracing key", raw: { ...DEV, tracing: { sampling: 5 } }, first: "tracing.sampling: got 5; unknown key; allowed keys of tracing: samplingPercentage, provider" },
    { mistake: "an unknown tracing provider", raw: { ...DEV, tracing: { provider: "jaeger" } }, first: 'tracing.provider: got "jaeger"; allowed: zipkin, opentelemetry' },
    {
        mistake: "the provider's Envoy name",
        raw: { ...DEV, tracing: { provider: "envoy.tracers.opentelemetry" } },
        first: 'tracing.provider: got "envoy.tracers.opentelemetry"; allowed: zipkin, opentelemetry',
    },
    { mistake: "null tracing provider", raw: { ...DEV, tracing: { provider: null } }, first: "tracing.provider: got null; allowed: zipkin, opentelemetry" },
    // ext-authz
    { mistake: "an unknown ext-authz protocol", raw: { ...DEV, extAuthz: { ...GRPC, protocol: "tcp" } }, first: 'extAuthz.protocol: got "tcp"; allowed: grpc, http' },
    { mistake: "an ext-authz provider without service", raw: { ...DEV, extAuthz: { port: 9000 } }, first: 'extAuthz.service: got ""; expected a non-empty string' },
    {
        mistake: "an ext-authz service that is not a host name",
        raw: { ...DEV, extAuthz: { ...GRPC, service: "Auth_Service" } },
        first: 'extAuthz.service: got "Auth_Service"; required: the authorization service host, e.g. ext-authz.auth.svc.cluster.local',
    },
    { mistake: "an ext-authz provider without port", raw: { ...DEV, extAuthz: { service: "authz.auth.svc.cluster.local" } }, first: "extAuthz.port: got nothing; required: a port from 1 to 65535" },
    { mistake: "port 0", raw: { ...DEV, extAuthz: { ...GRPC, port: 0 } }, first: "extAuthz.port: got 0; expected an integer from 1 to 65535" },
    { mistake: "a fractional port", raw: { ...DEV, extAuthz: { ...GRPC, port: 80.5 } }, first: "extAuthz.port: got 80.5; expected an integer from 1 to 65535" },
    { mistake: "a duration in words", raw: { ...DEV, extAuthz: { ...GRPC, timeout: "2 seconds" } }, first: 'extAuthz.timeout: got "2 seconds"; expected a duration such as 500ms or 2s' },
    { mistake: "a word for failOpen", raw: { ...DEV, extAuthz: { ...GRPC, failOpen: "sometimes" } }, first: 'extAuthz.failOpen: got "sometimes"; expected true or false' },
    {
        mistake: "a header list on the gRPC provider",
        raw: { ...DEV, extAuthz: { ...GRPC, includeHeadersInCheck: ["authorization"] } },
        first: 'extAuthz.includeHeadersInCheck: got ["authorization"]; not a field of the gRPC ext-authz provider (gRPC ext_authz already sends every request header); remove it',
    },
    { mistake: "a path prefix on the gRPC provider", raw: { ...DEV, extAuthz: { ...GRPC, pathPrefix: "/authz" } }, first: `extAuthz.pathPrefix: got "/authz"; ${GRPC_FIELD}` },
    {
        mistake: "upstream headers on the gRPC provider",
        raw: { ...DEV, extAuthz: { ...GRPC, headersToUpstreamOnAllow: ["x-user-id"] } },
        first: `extAuthz.headersToUpstreamOnAllow: got ["x-user-id"]; ${GRPC_FIELD}`,
    },
    {
        mistake: "the deprecated header list on the HTTP provider",
        raw: { ...DEV, extAuthz: { ...HTTP, includeHeadersInCheck: ["authorization"] } },
        first: 'extAuthz.includeHeadersInCheck: got ["authorization"]; deprecated in Istio\'s MeshConfig; use includeRequestHeadersInCheck',
    },
    {
        mistake: "an upper-case header name",
        raw: { ...DEV, extAuthz: { ...HTTP, includeRequestHeadersInCheck: ["authorization", "X-B3-TraceId"] } },
        first: 'extAuthz.includeRequestHeadersInCheck[1]: got "X-B3-TraceId"; expected a lower-case HTTP header name',
    },
    {
        mistake: "a null header name",
        raw: { ...DEV, extAuthz: { ...HTTP, includeRequestHeadersInCheck: [null] } },
        first: "extAuthz.includeRequestHeadersInCheck[0]: got null; expected a non-empty string",
    },
    {
        mistake: "a header string instead of a list",
        raw: { ...DEV, extAuthz: { ...HTTP, headersToUpstreamOnAllow: "x-user-id" } },
        first: 'extAuthz.headersToUpstreamOnAllow: got "x-user-id"; expected a list',
    },
    { mistake: "an empty path prefix", raw: { ...DEV, extAuthz: { ...HTTP, pathPrefix: "" } }, first: 'extAuthz.pathPrefix: got ""; expected a non-empty string' },
    {
        mistake: "an unknown ext-authz key",
        raw: { ...DEV, extAuthz: { ...GRPC, retries: 3 } },
        first: "extAuthz.retries: got 3; unknown key; allowed keys of extAuthz: protocol, service, port, timeout, failOpen, pathPrefix, includeRequestHeadersInCheck, headersToUpstreamOnAllow, includeHeadersInCheck",
    },
    // jaeger
    { mistake: "cassandra storage", raw: { ...DEV, jaeger: { storage: { type: "cassandra" } } }, first: 'jaeger.storage.type: got "cassandra"; allowed: memory, elasticsearch' },
    {
        mistake: "elasticsearch without its URL",
        raw: { ...DEV, jaeger: { storage: { type: "elasticsearch" } } },
        first: "jaeger.storage.url: got nothing; required: the URL of an existing Elasticsearch cluster",
    },
    {
        mistake: "an elasticsearch URL without scheme",
        raw: { ...DEV, jaeger: { storage: { ...ES, url: "elasticsearch:9200" } } },
        first: 'jaeger.storage.url: got "elasticsearch:9200"; expected an http:// or https:// URL',
    },
    { mistake: "an empty elasticsearch user", raw: { ...DEV, jaeger: { storage: { ...ES, username: "" } } }, first: 'jaeger.storage.username: got ""; required: the Elasticsearch user name' },
    {
        mistake: "a password Secret without key",
        raw: { ...DEV, jaeger: { storage: { ...ES, passwordSecret: { name: "es" } } } },
        first: "jaeger.storage.passwordSecret.key: got nothing; required: the key of the password in that Secret",
    },
    {
        mistake: "an unknown key in the password Secret",
        raw: { ...DEV, jaeger: { storage: { ...ES, passwordSecret: { name: "es", key: "password", namespace: "logging" } } } },
        first: 'jaeger.storage.passwordSecret.namespace: got "logging"; unknown key; allowed keys of jaeger.storage.passwordSecret: name, key',
    },
    {
        mistake: "an elasticsearch URL on memory storage",
        raw: { ...DEV, jaeger: { storage: { url: "https://es.logging.svc:9200" } } },
        first: 'jaeger.storage.url: got "https://es.logging.svc:9200"; only allowed with jaeger.storage.type elasticsearch',
    },
    {
        mistake: "two in-memory replicas",
        raw: { ...DEV, jaeger: { replicas: 2 } },
        first: "jaeger.replicas: got 2; in-memory storage needs exactly 1 replica (each replica would hold a part of the traces)",
    },
    { mistake: "eleven replicas", raw: { ...DEV, jaeger: { storage: ES, replicas: 11 } }, first: "jaeger.replicas: got 11; expected an integer from 1 to 10" },
    {
        mistake: "a quantity in words",
        raw: { ...DEV, jaeger: { resources: { limits: { memory: "lots" } } } },
        first: 'jaeger.resources.limits.memory: got "lots"; expected a Kubernetes quantity such as 500m or 512Mi',
    },
    { mistake: "a null quantity", raw: { ...DEV, jaeger: { resources: { limits: { cpu: null } } } }, first: "jaeger.resources.limits.cpu: got null; expected a non-empty string" },
    {
        mistake: "an unknown resource",
        raw: { ...DEV, jaeger: { resources: { requests: { gpu: "1" } } } },
        first: 'jaeger.resources.requests.gpu: got "1"; unknown key; allowed keys of jaeger.resources.requests: cpu, memory',
    },
    { mistake: "an empty image tag", raw: { ...DEV, jaeger: { image: { tag: "" } } }, first: 'jaeger.image.tag: got ""; expected a non-empty string' },
    {
        mistake: "an unknown jaeger key",
        raw: { ...DEV, jaeger: { version: "1.53.0" } },
        first: 'jaeger.version: got "1.53.0"; unknown key; allowed keys of jaeger: storage, replicas, resources, image',
    },
    { mistake: "an unbounded memory store", raw: { ...DEV, jaeger: { storage: { maxTraces: 0 } } }, first: "jaeger.storage.maxTraces: got 0; expected an integer from 1 to 10000000" },
    {
        mistake: "a memory bound on elasticsearch",
        raw: { ...DEV, jaeger: { storage: { ...ES, maxTraces: 5000 } } },
        first: "jaeger.storage.maxTraces: got 5000; only allowed with jaeger.storage.type memory",
    },
    {
        mistake: "TLS settings on memory storage",
        raw: { ...DEV, jaeger: { storage: { tls: { insecureSkipVerify: true } } } },
        first: 'jaeger.storage.tls: got {"insecureSkipVerify":true}; only allowed with jaeger.storage.type elasticsearch',
    },
    {
        mistake: "a CA and skip-verify together",
        raw: { ...DEV, jaeger: { storage: { ...ES, tls: { caSecret: { name: "es-ca", key: "ca.crt" }, insecureSkipVerify: true } } } },
        first: "jaeger.storage.tls.insecureSkipVerify: got true; set either caSecret or insecureSkipVerify, not both: with the CA the certificate can be verified",
    },
    {
        mistake: "a CA for a plain http URL",
        raw: { ...DEV, jaeger: { storage: { ...ES, url: "http://es.logging.svc:9200", tls: { caSecret: { name: "es-ca", key: "ca.crt" } } } } },
        first: 'jaeger.storage.tls.caSecret: got {"name":"es-ca","key":"ca.crt"}; only allowed with an https:// url',
    },
    {
        mistake: "skip-verify with the dependencies job",
        raw: { ...DEV, jaeger: { storage: { ...ES, tls: { insecureSkipVerify: true } } } },
        first: "jaeger.storage.tls.insecureSkipVerify: got true; the dependencies job (Spark, Java) cannot skip certificate verification: give the CA in tls.caSecret, or set dependencies.enabled false",
    },
    {
        mistake: "a CA Secret name with a dot",
        raw: { ...DEV, jaeger: { storage: { ...ES, tls: { caSecret: { name: "es.ca", key: "ca.crt" } } } } },
        first: 'jaeger.storage.tls.caSecret.name: got "es.ca"; expected a Secret name that is a DNS label (the jaeger 3.x chart names a volume after it)',
    },
    {
        mistake: "a URL path with the dependencies job",
        raw: { ...DEV, jaeger: { storage: { ...ES, url: "https://es.example.com/elastic" } } },
        first: 'jaeger.storage.url: got "https://es.example.com/elastic"; a URL path is not supported with the dependencies job: Spark\'s Elasticsearch connector takes host:port from ES_NODES and reads a path prefix only from es.nodes.path.prefix, which the job does not set; serve Elasticsearch at the root of a host, or set dependencies.enabled false',
    },
    {
        mistake: "a URL path on the 3.x chart",
        raw: { ...DEV, charts: { jaeger: { version: "3.4.1" } }, jaeger: { storage: { ...ES, url: "https://es.example.com/elastic", dependencies: { enabled: false } } } },
        first: 'jaeger.storage.url: got "https://es.example.com/elastic"; a URL path is not supported with the jaeger 3.x chart (it builds scheme://host:port for Jaeger and its jobs and drops the path); use a URL without a path, or jaeger 4.x',
    },
    {
        mistake: "a schedule in words",
        raw: { ...DEV, jaeger: { storage: { ...ES, dependencies: { schedule: "every night" } } } },
        first: 'jaeger.storage.dependencies.schedule: got "every night"; expected a cron schedule such as 49 23 * * * (five fields, or @daily)',
    },
    {
        mistake: "a retention of zero days",
        raw: { ...DEV, jaeger: { storage: { ...ES, indexCleaner: { retentionDays: 0 } } } },
        first: "jaeger.storage.indexCleaner.retentionDays: got 0; expected an integer from 1 to 3650",
    },
    {
        mistake: "an unknown index cleaner key",
        raw: { ...DEV, jaeger: { storage: { ...ES, indexCleaner: { numberOfDays: 7 } } } },
        first: "jaeger.storage.indexCleaner.numberOfDays: got 7; unknown key; allowed keys of jaeger.storage.indexCleaner: enabled, retentionDays, schedule",
    },
    {
        mistake: "a rollover age in words",
        raw: { ...DEV, jaeger: { storage: { ...ES, rollover: { enabled: true, maxAge: "1 day" } } } },
        first: 'jaeger.storage.rollover.maxAge: got "1 day"; expected an Elasticsearch age such as 1d or 12h',
    },
    {
        mistake: "rollover on a jaeger chart of unknown appVersion",
        raw: { ...DEV, charts: { jaeger: { version: "4.12.0" } }, jaeger: { storage: { ...ES, rollover: { enabled: true } } } },
        first: "jaeger.storage.rollover.enabled: got true; rollover needs the image tag of the chart's rollover init step, known for jaeger charts 3.4.1, 4.11.1; got chart 4.12.0",
    },
    {
        mistake: "an unknown elasticsearch key",
        raw: { ...DEV, jaeger: { storage: { ...ES, shards: 3 } } },
        first: `jaeger.storage.shards: got 3; unknown key; allowed keys of jaeger.storage: ${ES_KEYS}`,
    },
    {
        mistake: "in-memory storage outside dev",
        raw: without(PROD, "jaeger"),
        first: 'jaeger.storage.type: got "memory"; in-memory storage is only allowed when environment is dev; use elasticsearch',
    },
    // kiali
    { mistake: "a null kiali", raw: { environment: "dev", kiali: null }, first: "kiali: got null; expected an object" },
    { mistake: "the openid strategy", raw: { ...DEV, kiali: { authStrategy: "openid" } }, first: 'kiali.authStrategy: got "openid"; allowed: anonymous, token, header' },
    {
        mistake: "anonymous Kiali outside dev",
        raw: { ...PROD, kiali: { ...(PROD.kiali as object), authStrategy: "anonymous" } },
        first: 'kiali.authStrategy: got "anonymous"; anonymous access is only allowed when environment is dev; use token or header',
    },
    { mistake: "token login without signing key", raw: { ...DEV, kiali: { authStrategy: "token" } }, first: `kiali.signingKey: got nothing; ${SIGNING_KEY}` },
    {
        mistake: "a short signing key",
        raw: { ...DEV, kiali: { authStrategy: "token", signingKey: "short" } },
        first: 'kiali.signingKey: got "<secret of 5 characters>"; expected 16, 24 or 32 characters (an AES key)',
    },
    {
        mistake: "a Prometheus URL without scheme",
        raw: { ...DEV, kiali: { authStrategy: "anonymous", prometheusUrl: "prometheus:9090" } },
        first: 'kiali.prometheusUrl: got "prometheus:9090"; expected an http:// or https:// URL',
    },
    { mistake: "a word for tracingUseGrpc", raw: { ...DEV, kiali: { authStrategy: "anonymous", tracingUseGrpc: "grpc" } }, first: 'kiali.tracingUseGrpc: got "grpc"; expected true or false' },
    {
        mistake: "a Kiali 1.x key",
        raw: { ...DEV, kiali: { authStrategy: "anonymous", url: "http://kiali" } },
        first: 'kiali.url: got "http://kiali"; unknown key; allowed keys of kiali: authStrategy, signingKey, prometheusUrl, grafanaUrl, grafanaExternalUrl, tracingUseGrpc, tracingExternalUrl',
    },
    {
        mistake: "Grafana without its browser URL",
        raw: { ...DEV, kiali: { authStrategy: "anonymous", grafanaUrl: "http://grafana.monitoring.svc:3000" } },
        first: 'kiali.grafanaExternalUrl: got nothing; required when grafanaUrl is set: Kiali links to Grafana dashboards only through external_url (without it Kiali reports "grafana URL is not set" and shows no links)',
    },
    {
        mistake: "an exposed Jaeger UI without Kiali's link to it",
        raw: { ...DEV, ui: { jaegerHost: "jaeger.example.com" } },
        first: "kiali.tracingExternalUrl: got nothing; required when ui.jaegerHost is set: Kiali's links to traces open external_url in the browser (e.g. https://jaeger.example.com)",
    },
    // prometheus
    { mistake: "a word for prometheus.operator", raw: { ...DEV, prometheus: { operator: "yes" } }, first: 'prometheus.operator: got "yes"; expected true or false' },
    {
        mistake: "monitor labels as a list",
        raw: { ...DEV, prometheus: { monitorLabels: ["release=prometheus"] } },
        first: 'prometheus.monitorLabels: got ["release=prometheus"]; expected a map of string to string',
    },
    {
        mistake: "a Prometheus URL under prometheus",
        raw: { ...DEV, prometheus: { url: "http://prometheus:9090" } },
        first: 'prometheus.url: got "http://prometheus:9090"; unknown key; allowed keys of prometheus: operator, monitorLabels',
    },
    // external services
    { mistake: "one service instead of a list", raw: { ...DEV, externalServices: SERVICE }, first: 'externalServices: got {"name":"openai-external","hosts":["api.openai.com"]}; expected a list' },
    {
        mistake: "a service without hosts",
        raw: { ...DEV, externalServices: [{ name: "openai-external" }] },
        first: "externalServices[0].hosts: got nothing; a ServiceEntry needs at least one host name",
    },
    {
        mistake: "a host name that is not qualified",
        raw: { ...DEV, externalServices: [{ ...SERVICE, hosts: ["localhost"] }] },
        first: 'externalServices[0].hosts[0]: got "localhost"; expected a fully qualified host name such as api.openai.com',
    },
    {
        mistake: "two services of one name",
        raw: { ...DEV, externalServices: [SERVICE, { ...SERVICE, hosts: ["openai.com"] }] },
        first: 'externalServices[1].name: got "openai-external"; names must be unique',
    },
    {
        mistake: "a service name with spaces",
        raw: { ...DEV, externalServices: [{ ...SERVICE, name: "OpenAI API" }] },
        first: `externalServices[0].name: got "OpenAI API"; required: a DNS label (lower-case letters, digits and '-', at most 63 characters)`,
    },
    { mistake: "a port name for a port", raw: { ...DEV, externalServices: [{ ...SERVICE, port: "https" }] }, first: 'externalServices[0].port: got "https"; expected an integer from 1 to 65535' },
    { mistake: "a null service", raw: { ...DEV, externalServices: [null] }, first: "externalServices[0]: got null; expected an object" },
    {
        mistake: "a resolution setting",
        raw: { ...DEV, externalServices: [{ ...SERVICE, resolution: "NONE" }] },
        first: 'externalServices[0].resolution: got "NONE"; unknown key; allowed keys of externalServices[0]: name, hosts, port',
    },
    // app namespaces
    { mistake: "namespaces as one string", raw: { ...DEV, appNamespaces: "auth,chat" }, first: 'appNamespaces: got "auth,chat"; expected a list' },
    { mistake: "a system namespace", raw: { ...DEV, appNamespaces: ["auth", "kube-system"] }, first: 'appNamespaces[1]: got "kube-system"; system namespaces cannot be app namespaces' },
    { mistake: "a namespace twice", raw: { ...DEV, appNamespaces: ["auth", "auth"] }, first: 'appNamespaces[1]: got "auth"; namespaces must be unique' },
    { mistake: "a namespace of 64 characters", raw: { ...DEV, appNamespaces: ["a".repeat(64)] }, first: `appNamespaces[0]: got "${"a".repeat(64)}"; ${DNS_LABEL}` },
    { mistake: "a null namespace", raw: { ...DEV, appNamespaces: [null] }, first: "appNamespaces[0]: got null; expected a non-empty string" },
    // network policies
    { mistake: "an unknown policy mode", raw: { ...DEV, networkPolicies: { mode: "strict" } }, first: 'networkPolicies.mode: got "strict"; allowed: complete, baseline' },
    {
        mistake: "baseline mode without its policy",
        raw: { ...DEV, networkPolicies: { mode: "baseline" } },
        first: "networkPolicies.baselinePolicy: got nothing; required when mode is baseline: the name of the existing NetworkPolicy in every app namespace that allows DNS and istiod egress",
    },
    {
        mistake: "a baseline policy in complete mode",
        raw: { ...DEV, networkPolicies: { baselinePolicy: "allow-dns" } },
        first: 'networkPolicies.baselinePolicy: got "allow-dns"; only allowed when mode is baseline',
    },
    {
        mistake: "a baseline policy name with spaces",
        raw: { ...DEV, networkPolicies: { mode: "baseline", baselinePolicy: "Allow DNS" } },
        first: 'networkPolicies.baselinePolicy: got "Allow DNS"; expected a NetworkPolicy name',
    },
    { mistake: "a DNS namespace with spaces", raw: { ...DEV, networkPolicies: { dnsNamespace: "Kube System" } }, first: 'networkPolicies.dnsNamespace: got "Kube System"; expected a namespace name' },
    {
        mistake: "a number as label value",
        raw: { ...DEV, networkPolicies: { dnsPodLabels: { "k8s-app": 1 } } },
        first: 'networkPolicies.dnsPodLabels: got {"k8s-app":1}; expected a map of string to string',
    },
    {
        mistake: "an unknown network policy key",
        raw: { ...DEV, networkPolicies: { egress: "deny" } },
        first: 'networkPolicies.egress: got "deny"; unknown key; allowed keys of networkPolicies: mode, baselinePolicy, dnsNamespace, dnsPodLabels',
    },
    // ui
    {
        mistake: "a host name that is not qualified for Kiali",
        raw: { ...DEV, ui: { kialiHost: "kiali" } },
        first: 'ui.kialiHost: got "kiali"; expected a fully qualified host name such as kiali.example.com',
    },
    {
        mistake: "a Jaeger UI outside dev without an authenticating proxy",
        raw: { ...PROD, ui: { jaegerHost: "jaeger.example.com" } },
        first: "ui.authAnnotations: got nothing; required outside dev when ui.jaegerHost is set: the Jaeger UI has no login of its own, so put an authenticating proxy in front of it",
    },
    { mistake: "an upper-case TLS Secret name", raw: { ...DEV, ui: { tlsSecretName: "TLS" } }, first: 'ui.tlsSecretName: got "TLS"; expected a Secret name' },
    { mistake: "a number as ingress class", raw: { ...DEV, ui: { ingressClassName: 5 } }, first: "ui.ingressClassName: got 5; expected a non-empty string" },
    { mistake: "annotations as one string", raw: { ...DEV, ui: { authAnnotations: "oauth2" } }, first: 'ui.authAnnotations: got "oauth2"; expected a map of string to string' },
    {
        mistake: "a Grafana UI host",
        raw: { ...DEV, ui: { grafanaHost: "grafana.example.com" } },
        first: 'ui.grafanaHost: got "grafana.example.com"; unknown key; allowed keys of ui: kialiHost, jaegerHost, ingressClassName, ingressControllerNamespace, tlsSecretName, authAnnotations, authProxyAnnotation',
    },
    { mistake: "a null ui", raw: { ...DEV, ui: null }, first: "ui: got null; expected an object" },
];
