/**
 * Fixtures in the shapes the real charts in ../shared/charts render (templates read from istiod,
 * jaeger 3.4.1 / 4.11.1 and kiali-server 2.x), built from the same constants as the program.
 * Each helper returns a passing object; tests change one field to make it fail.
 */
import * as yaml from "js-yaml";
import {
    ACCESS_LOG_LABELS,
    COLLECTOR_SERVICE,
    JAEGER_EGRESS_PORTS,
    PROVIDER_NAMES,
    SYSTEM_NAMESPACE,
    TELEMETRY_NAME,
    serviceFqdn,
} from "../../lib/constants";
import * as k8s from "@pulumi/kubernetes";
import { NetworkPolicySpec } from "../lib/networkPolicy";
import { Fixture, typed } from "./harness";

export type Obj = Record<string, any>;

const T = {
    configMap: "kubernetes:core/v1:ConfigMap",
    service: "kubernetes:core/v1:Service",
    deployment: "kubernetes:apps/v1:Deployment",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    job: "kubernetes:batch/v1:Job",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    serviceEntry: "kubernetes:networking.istio.io/v1:ServiceEntry",
    telemetry: "kubernetes:telemetry.istio.io/v1:Telemetry",
    envoyFilter: "kubernetes:networking.istio.io/v1alpha3:EnvoyFilter",
    chart: "kubernetes:helm.sh/v4:Chart",
    namespace: "kubernetes:core/v1:Namespace",
    namespacePatch: "kubernetes:core/v1:NamespacePatch",
};
export { T as TYPES };

const JAEGER_POD_LABELS = { "app.kubernetes.io/name": "jaeger", "app.kubernetes.io/instance": "jaeger", "app.kubernetes.io/component": "all-in-one" };

/** Mesh config as istiod's configmap.yaml renders it: chart defaults merged with our meshConfig. */
export function meshConfig(overrides: Obj = {}): Obj {
    return {
        defaultConfig: { discoveryAddress: "istiod.istio-system.svc:15012" },
        defaultProviders: { metrics: ["prometheus"], tracing: [PROVIDER_NAMES.tracing] },
        enableTracing: true,
        extensionProviders: [
            { name: PROVIDER_NAMES.tracing, zipkin: { service: serviceFqdn(COLLECTOR_SERVICE.name, SYSTEM_NAMESPACE), port: 9411 } },
            { name: PROVIDER_NAMES.accessLog, envoyFileAccessLog: { path: "/dev/stdout", logFormat: { labels: { ...ACCESS_LOG_LABELS } } } },
            { name: PROVIDER_NAMES.extAuthz, envoyExtAuthzGrpc: { service: "ext-authz.auth.svc.cluster.local", port: 9000 } },
        ],
        rootNamespace: SYSTEM_NAMESPACE,
        trustDomain: "cluster.local",
        ...overrides,
    };
}

export function meshConfigMap(mesh: Obj = meshConfig(), version = "1.30.3"): Fixture {
    return typed(k8s.core.v1.ConfigMap, {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
            name: "istio",
            namespace: SYSTEM_NAMESPACE,
            labels: { "istio.io/rev": "default", release: "istiod", "app.kubernetes.io/name": "istiod", "helm.sh/chart": `istiod-${version}` },
        },
        data: { meshNetworks: "networks: {}", mesh: yaml.dump(mesh) },
    });
}

export function collectorService(spec: Obj = {}): Fixture {
    return typed(k8s.core.v1.Service, {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: COLLECTOR_SERVICE.name, namespace: SYSTEM_NAMESPACE },
        spec: {
            type: "ClusterIP",
            selector: { ...JAEGER_POD_LABELS },
            ports: COLLECTOR_SERVICE.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port, protocol: p.protocol })),
            ...spec,
        },
    });
}

/** jaeger 3.4.1 `allinone-deploy.yaml` (trimmed to what matters). */
export function jaegerV1Deployment(storage = "memory"): Fixture {
    return typed(k8s.apps.v1.Deployment, {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "jaeger", namespace: SYSTEM_NAMESPACE, labels: { ...JAEGER_POD_LABELS, "helm.sh/chart": "jaeger-3.4.1" } },
        spec: {
            selector: { matchLabels: { ...JAEGER_POD_LABELS } },
            template: {
                metadata: { labels: { ...JAEGER_POD_LABELS } },
                spec: {
                    containers: [
                        {
                            name: "jaeger",
                            image: "jaegertracing/all-in-one:1.53.0",
                            env: [
                                { name: "SPAN_STORAGE_TYPE", value: storage },
                                { name: "COLLECTOR_ZIPKIN_HOST_PORT", value: ":9411" },
                                { name: "COLLECTOR_OTLP_ENABLED", value: "true" },
                            ],
                            args: [],
                            // Both chart lines declare these ports without names.
                            ports: [16686, 16685, 9411, 4317, 4318].map((containerPort) => ({ containerPort, protocol: "TCP" })),
                        },
                    ],
                },
            },
        },
    });
}

/** jaeger 3.4.1's all-in-one with env added after the chart's (e.g. MEMORY_MAX_TRACES from `storage.memory.extraEnv`) and args. */
export function jaegerV1DeploymentWith(storage: string, env: Record<string, string>, args: string[] = []): Fixture {
    const d = jaegerV1Deployment(storage);
    const c = d.props.spec.template.spec.containers[0];
    c.env = [...c.env, ...Object.entries(env).map(([name, value]) => ({ name, value }))];
    c.args = args;
    return d;
}

/** jaeger 4.11.1's `user-config` ConfigMap (`jaeger-user-config.yaml`) with these storage backends. */
export function jaegerUserConfig(backends: Obj, namespace = SYSTEM_NAMESPACE): Fixture {
    return typed(k8s.core.v1.ConfigMap, {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "user-config", namespace, labels: { "helm.sh/chart": "jaeger-4.11.1" } },
        data: { "user-config.yaml": yaml.dump({ extensions: { jaeger_storage: { backends }, jaeger_query: { storage: { traces: Object.keys(backends)[0] } } } }) },
    });
}

/** The charts' spark-dependencies CronJob (`spark-cronjob.yaml` 3.4.1, `spark/spark-dependencies.yaml` 4.11.1) with its env. */
export function sparkCronJob(env: Record<string, string>, namespace = SYSTEM_NAMESPACE, image = "ghcr.io/jaegertracing/spark-dependencies/spark-dependencies:v0.7.2-elasticsearch8"): Fixture {
    return typed(k8s.batch.v1.CronJob, {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: { name: "jaeger-spark", namespace },
        spec: {
            schedule: "49 23 * * *",
            jobTemplate: {
                spec: {
                    template: {
                        metadata: { labels: { ...JAEGER_POD_LABELS, "app.kubernetes.io/component": "spark" } },
                        spec: { restartPolicy: "OnFailure", containers: [{ name: "jaeger-spark", image, env: [{ name: "STORAGE", value: "elasticsearch" }, ...Object.entries(env).map(([name, value]) => ({ name, value }))] }] },
                    },
                },
            },
        },
    });
}

/** jaeger 4.11.1 `jaeger-deploy.yaml`: `--config` only when userconfig is set. */
export function jaegerV2Deployment(userConfig: boolean): Fixture {
    const d = jaegerV1Deployment();
    const c = d.props.spec.template.spec.containers[0];
    c.image = "jaegertracing/jaeger:2.19.0";
    c.env = [];
    c.args = userConfig ? ["--config", "/etc/jaeger/user-config.yaml"] : [];
    d.props.metadata.labels["helm.sh/chart"] = "jaeger-4.11.1";
    return d;
}

/** Chart's headless collector Service (3.x `allInOne.service.headless: true`). */
export function headlessChartCollector(): Fixture {
    const s = collectorService({ clusterIP: "None" });
    s.props.metadata.name = "jaeger-collector";
    return s;
}

export function kialiConfigMap(config: Obj = {}, version = "2.29.0"): Fixture {
    const base = {
        auth: { strategy: "token", openid: {}, openshift: {} },
        deployment: { cluster_wide_access: true, instance_name: "kiali" },
        external_services: {
            prometheus: { url: "http://prometheus-operated.prometheus.svc.cluster.local:9090" },
            tracing: { enabled: true, provider: "jaeger", use_grpc: true, internal_url: "http://jaeger-query-clusterip.istio-system.svc.cluster.local:16685" },
        },
        login_token: { signing_key: "secret:kiali-signing-key:signing-key" },
        server: { port: 20001, web_root: "/kiali" },
    };
    return typed(k8s.core.v1.ConfigMap, {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "kiali", namespace: SYSTEM_NAMESPACE, labels: { "helm.sh/chart": `kiali-server-${version}`, "app.kubernetes.io/name": "kiali" } },
        data: { "config.yaml": yaml.dump(deepMerge(base, config)) },
    });
}

function deepMerge(a: Obj, b: Obj): Obj {
    const out: Obj = { ...a };
    for (const [k, v] of Object.entries(b)) {
        out[k] = typeof v === "object" && v !== null && !Array.isArray(v) && typeof a[k] === "object" ? deepMerge(a[k], v) : v;
    }
    return out;
}

export function jaegerEgressPolicy(namespace = "auth", ports: readonly number[] = JAEGER_EGRESS_PORTS): Fixture {
    return typed(k8s.networking.v1.NetworkPolicy, {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: "allow-jaeger-egress", namespace },
        spec: {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [
                {
                    to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": SYSTEM_NAMESPACE } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "jaeger" } } }],
                    ports: ports.map((port) => ({ protocol: "TCP", port })),
                },
            ],
        },
    });
}

export function dnsEgressPolicy(namespace = "auth", protocols = ["UDP", "TCP"]): Fixture {
    return typed(k8s.networking.v1.NetworkPolicy, {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: "allow-dns-egress", namespace },
        spec: {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } }], ports: protocols.map((protocol) => ({ protocol, port: 53 })) }],
        },
    });
}

export function serviceEntry(spec: Obj = {}): Fixture {
    return {
        type: T.serviceEntry,
        props: {
            apiVersion: "networking.istio.io/v1",
            kind: "ServiceEntry",
            metadata: { name: "openai-external", namespace: SYSTEM_NAMESPACE },
            spec: { hosts: ["api.openai.com"], location: "MESH_EXTERNAL", ports: [{ number: 443, name: "https", protocol: "HTTPS" }], resolution: "DNS", ...spec },
        },
    };
}

export function telemetry(pct: number, spec: Obj = {}, namespace = SYSTEM_NAMESPACE): Fixture {
    return {
        type: T.telemetry,
        props: {
            apiVersion: "telemetry.istio.io/v1",
            kind: "Telemetry",
            metadata: { name: TELEMETRY_NAME, namespace },
            spec: { tracing: [{ providers: [{ name: PROVIDER_NAMES.tracing }], randomSamplingPercentage: pct }], accessLogging: [{ providers: [{ name: PROVIDER_NAMES.accessLog }] }], ...spec },
        },
    };
}

/** The reference deployment's EnvoyFilter that added JSON access logs. */
export function accessLogEnvoyFilter(traceId: string): Fixture {
    return {
        type: T.envoyFilter,
        props: {
            apiVersion: "networking.istio.io/v1alpha3",
            kind: "EnvoyFilter",
            metadata: { name: "access-log-json", namespace: SYSTEM_NAMESPACE },
            spec: {
                configPatches: [
                    {
                        applyTo: "NETWORK_FILTER",
                        match: { listener: { filterChain: { filter: { name: "envoy.filters.network.http_connection_manager" } } } },
                        patch: {
                            operation: "MERGE",
                            value: {
                                typed_config: {
                                    "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
                                    access_log: [
                                        {
                                            name: "envoy.access_loggers.file",
                                            typed_config: {
                                                "@type": "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog",
                                                path: "/dev/stdout",
                                                log_format: { json_format: { "trace.id": traceId, "span.id": "%REQ(X-B3-SPANID)%", "url.path": "%REQ(:PATH)%" } },
                                            },
                                        },
                                    ],
                                },
                            },
                        },
                    },
                ],
            },
        },
    };
}

export function appDeployment(env: Record<string, string>): Fixture {
    return typed(k8s.apps.v1.Deployment, {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "auth-api", namespace: "auth" },
        spec: {
            selector: { matchLabels: { app: "auth-api" } },
            template: {
                metadata: { labels: { app: "auth-api" } },
                spec: { containers: [{ name: "app", image: "auth-api:1", env: Object.entries(env).map(([name, value]) => ({ name, value })) }] },
            },
        },
    });
}

export function chart(chartName: string, version: unknown, values: Obj = {}): Fixture {
    return { type: T.chart, name: chartName, props: { chart: chartName, version, repositoryOpts: { repo: "http://127.0.0.1:8879" }, values } };
}

/** incubator/cassandra 0.15.3 StatefulSet and jaeger 3.4.1's schema Job. */
export function cassandra(): Fixture[] {
    return [
        typed(k8s.apps.v1.StatefulSet, { metadata: { name: "jaeger-cassandra", namespace: SYSTEM_NAMESPACE, labels: { app: "cassandra", release: "jaeger" } }, spec: { selector: {}, serviceName: "cassandra", template: {} } }),
        typed(k8s.batch.v1.Job, { metadata: { name: "jaeger-cassandra-schema", namespace: SYSTEM_NAMESPACE }, spec: { template: { metadata: { labels: {} }, spec: { containers: [] } } } }),
    ];
}

/** The program's releases ConfigMap (lib/constants RELEASES_CONFIGMAP) listing requested charts and, optionally, what it read. */
export function releasesConfigMap(releases: { chart: string; version: unknown; values?: Obj }[], reads?: Obj[]): Fixture {
    return typed(k8s.core.v1.ConfigMap, {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "observability-stack-charts", namespace: SYSTEM_NAMESPACE, labels: { "app.kubernetes.io/managed-by": "observability-stack" } },
        data: {
            "charts.json": JSON.stringify(releases.map((r) => ({ release: r.chart, namespace: SYSTEM_NAMESPACE, repo: "http://127.0.0.1:8879", values: {}, ...r }))),
            ...(reads === undefined ? {} : { "reads.json": JSON.stringify(reads) }),
        },
    });
}

/** A NetworkPolicy with the given spec. */
export function networkPolicy(namespace: string, name: string, spec: NetworkPolicySpec): Fixture {
    return typed(k8s.networking.v1.NetworkPolicy, { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace }, spec });
}

/** A NetworkPolicy as the program records it in reads.json after reading it from the cluster. */
export function readNetworkPolicy(namespace: string, name: string, spec: Obj): Obj {
    return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace }, spec };
}

/** The program's injection label on an existing app namespace. */
export function namespacePatch(name: string, labels: Record<string, string>): Fixture {
    return typed(k8s.core.v1.NamespacePatch, { apiVersion: "v1", kind: "Namespace", metadata: { name, labels } });
}

/** A Chart v4 resource as analyzers really see it: empty properties (measured with the real engine). */
export function opaqueChart(name: string): Fixture {
    return { type: T.chart, name, props: {} };
}

/** A Helm v3 Release (its inputs are visible to analyzers); `props` may hold what ReleaseArgs cannot type (an unknown, file assets). */
export function helmRelease(chartName: string, version: unknown, props: Obj = {}): Fixture {
    const release = typed(k8s.helm.v3.Release, { chart: chartName, repositoryOpts: { repo: "http://127.0.0.1:8879" } }, chartName);
    return { ...release, props: { ...release.props, version, ...props } };
}
