import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { ChartSource, JAEGER_APP_VERSIONS, JaegerChartLine, jaegerChartLine } from "../lib/charts";
import { defaultMaxTraces } from "../lib/sizing";
import { COLLECTOR_SERVICE, JAEGER_COMPONENT_LABEL, JAEGER_METRICS_PORTS, JAEGER_NAME_LABEL, JAEGER_PORTS, QUERY_SERVICE, SPAN_METRICS, SYSTEM_NAMESPACE, serviceFqdn } from "../lib/constants";
import { ChartRelease, HelmValues, awaitAnnotations, installChart, mergeValues } from "./helm";
import {
    ElasticsearchStorage,
    ResolvedElasticsearchStorage,
    jaegerV1ElasticsearchValues,
    jaegerV2ElasticsearchBackend,
    jaegerV2ElasticsearchValues,
    resolveElasticsearchStorage,
    rolloverInitJobSpec,
    sparkTruststoreTransform,
} from "./jaegerElasticsearch";
import { ArgumentProblem, childOptions, throwProblems } from "./options";
import { componentType, withTypeAliases } from "./typeTokens";

/** Image registry, repository or tag overrides (e.g. a mirror); each left out keeps the chart's. */
export interface ImageOverride {
    readonly registry?: string;
    readonly repository?: string;
    readonly tag?: string;
}

/** CPU and memory, in Kubernetes quantity syntax (`500m`, `512Mi`). */
export interface ResourceQuantities {
    readonly cpu: string;
    readonly memory: string;
}

/** Requests and limits of a container. */
export interface ResourceRequirements {
    readonly requests: ResourceQuantities;
    readonly limits: ResourceQuantities;
}

/** Requests and limits of the Jaeger pod: the reference deployment's. */
export const DEFAULT_JAEGER_RESOURCES: ResourceRequirements = {
    requests: { cpu: "100m", memory: "256Mi" },
    limits: { cpu: "500m", memory: "512Mi" },
};

/** Traces in Jaeger's memory (dev only: lost on restart); the oldest are evicted beyond `maxTraces`. */
export interface MemoryStorage {
    readonly type: "memory";
    /**
     * Most traces kept.
     * @default sized to the memory limit and the Jaeger line ({@link defaultMaxTraces}, lib/sizing.ts)
     */
    readonly maxTraces?: number;
}

/** Where Jaeger keeps traces. */
export type JaegerStorage = MemoryStorage | ElasticsearchStorage;

/** {@link JaegerStorage} with every default applied: what the value builders read. */
export type ResolvedJaegerStorage = Required<MemoryStorage> | ResolvedElasticsearchStorage;

/**
 * The storage Jaeger runs with: memory bounded by `maxTraces` (default sized to the memory limit of the chart
 * line), or Elasticsearch with its defaults ({@link resolveElasticsearchStorage}). Pure; the config layer calls it too.
 */
export function resolveJaegerStorage(storage: JaegerStorage | undefined, memoryLimit: string, line: JaegerChartLine): ResolvedJaegerStorage {
    if (storage?.type === "elasticsearch") {
        return resolveElasticsearchStorage(storage);
    }
    return { type: "memory", maxTraces: storage?.maxTraces ?? defaultMaxTraces(memoryLimit, line) };
}

/**
 * Jaeger's Monitor tab (service performance monitoring), Jaeger v2 only: the `spanmetrics` connector computes
 * request rate, error rate and latency per service and operation from the spans Jaeger receives, a Prometheus
 * exporter serves them on {@link SPAN_METRICS}.port for Prometheus to scrape, and the query reads them back from
 * that Prometheus for the Monitor tab (`/api/metrics/*`).
 * @see https://www.jaegertracing.io/docs/latest/architecture/spm/
 */
export interface JaegerMonitor {
    /** Prometheus's HTTP API, which scrapes the span metrics and which the query reads them from (e.g. `http://prometheus-operated.prometheus.svc:9090`). */
    readonly prometheusUrl: string;
    /**
     * How often the connector hands its metrics to the exporter (a Go duration).
     * @default "15s" (the connector's own default is 60s: the Monitor tab would lag a minute)
     */
    readonly flushInterval?: string;
}

/** The connector's flush interval by default: one Prometheus scrape interval of the stack's monitors. */
export const DEFAULT_SPAN_METRICS_FLUSH_INTERVAL = "15s";

/**
 * What is wrong with Jaeger's arguments, whatever the caller: rollover's init Job runs the chart's es-rollover
 * image at the chart's appVersion, known only for the charts in {@link JAEGER_APP_VERSIONS}; the Monitor tab needs
 * Jaeger v2 (the 3.x chart's Jaeger v1 all-in-one has no span-metrics connector). Pure; the config layer reports the
 * same problems under its keys.
 */
export function jaegerProblems(args: { readonly chartVersion: string; readonly storage?: JaegerStorage; readonly monitor?: JaegerMonitor }): ArgumentProblem[] {
    const problems: ArgumentProblem[] = [];
    const rollover = args.storage?.type === "elasticsearch" && args.storage.rollover?.enabled === true;
    if (rollover && JAEGER_APP_VERSIONS[args.chartVersion] === undefined) {
        problems.push({
            path: ["storage", "rollover", "enabled"],
            value: true,
            reason: `rollover needs the image tag of the chart's rollover init step, known for jaeger charts ${Object.keys(JAEGER_APP_VERSIONS).join(", ")}; got chart ${args.chartVersion}`,
        });
    }
    const unsupported = jaegerMonitorUnsupported(args.chartVersion);
    if (args.monitor !== undefined && unsupported !== undefined) {
        problems.push({ path: ["monitor"], value: args.monitor, reason: unsupported });
    }
    return problems;
}

/** Why a chart cannot have the Monitor tab (the 3.x line), or undefined. The config layer reports it under `jaeger.monitor.enabled`. */
export function jaegerMonitorUnsupported(chartVersion: string): string | undefined {
    return jaegerChartLine(chartVersion) === "v1"
        ? `the Monitor tab needs Jaeger v2 (a jaeger 4.x chart): jaeger ${chartVersion} runs the Jaeger v1 all-in-one, which has no span-metrics connector; use a jaeger 4.x chart, or leave the Monitor tab off`
        : undefined;
}

/** Arguments of {@link Jaeger}: one typed set for both chart lines (3.x Jaeger v1, 4.x Jaeger v2). */
export interface JaegerArgs {
    /** The `jaeger` chart; its major version picks the line (3 -> Jaeger v1, 4 -> Jaeger v2). */
    readonly chart: ChartSource;
    /**
     * Namespace; must exist.
     * @default "istio-system"
     */
    readonly namespace?: string;
    /**
     * Trace storage: in memory (bounded by `maxTraces`), or an existing Elasticsearch cluster (password from a Secret).
     * @default { type: "memory", maxTraces: defaultMaxTraces(resources.limits.memory, line) } (lib/sizing.ts)
     */
    readonly storage?: JaegerStorage;
    /**
     * Replicas of the Jaeger pod.
     * @default 1
     */
    readonly replicas?: number;
    /**
     * Requests and limits of the Jaeger container.
     * @default requests 100m/256Mi, limits 500m/512Mi (the reference deployment)
     */
    readonly resources?: ResourceRequirements;
    /**
     * Image registry, repository or tag overrides (e.g. a mirror).
     * @default the chart's image
     */
    readonly image?: ImageOverride;
    /**
     * Wait for the Jaeger pod to become ready.
     * @default true
     */
    readonly awaitReadiness?: boolean;
    /**
     * Jaeger's Monitor tab from span metrics ({@link JaegerMonitor}); Jaeger v2 only.
     * @default off
     */
    readonly monitor?: JaegerMonitor;
    /** Escape hatch: values merged last. */
    readonly values?: HelmValues;
}

/** Helm release name: the charts then name their objects `jaeger` / `jaeger-*`. */
export const JAEGER_RELEASE = "jaeger";

/** Labels of the single Jaeger pod, identical on both chart lines (see each chart's deployment template). */
export function jaegerPodSelector(release: string = JAEGER_RELEASE): Record<string, string> {
    return {
        [JAEGER_NAME_LABEL.key]: JAEGER_NAME_LABEL.value,
        "app.kubernetes.io/instance": release,
        [JAEGER_COMPONENT_LABEL.key]: JAEGER_COMPONENT_LABEL.value,
    };
}

function imageValues(image: ImageOverride): HelmValues {
    return Object.fromEntries(Object.entries(image).filter(([, v]) => v !== undefined));
}

function resourcesValues(r: ResourceRequirements): HelmValues {
    return { requests: { ...r.requests }, limits: { ...r.limits } };
}

/**
 * Values of the 3.x chart (Jaeger v1): the all-in-one pod only. Chart defaults would add a 3-node
 * Cassandra, a schema Job, an agent DaemonSet and collector/query Deployments, so all of those are off.
 * Memory storage is bounded with `MEMORY_MAX_TRACES` (flag `memory.max-traces`, `plugin/storage/memory/options.go@v1.53.0`;
 * unset means unbounded); Elasticsearch storage brings its jobs ({@link jaegerV1ElasticsearchValues}).
 * @internal A value builder: tests call it; programs use the component.
 */
export function jaegerV1Values(storage: ResolvedJaegerStorage, replicas: number, resources: ResourceRequirements, image: ImageOverride): HelmValues {
    const es = storage.type === "elasticsearch" ? jaegerV1ElasticsearchValues(storage) : undefined;
    const storageValues: HelmValues = storage.type === "memory" ? { type: "memory", memory: { extraEnv: [{ name: "MEMORY_MAX_TRACES", value: String(storage.maxTraces) }] } } : (es?.storage ?? {});
    return {
        provisionDataStore: { cassandra: false, elasticsearch: false, kafka: false },
        storage: storageValues,
        agent: { enabled: false },
        collector: { enabled: false },
        query: { enabled: false },
        allInOne: {
            enabled: true,
            replicas,
            resources: resourcesValues(resources),
            ...(Object.keys(imageValues(image)).length > 0 ? { image: imageValues(image) } : {}),
            ...(es?.allInOne ?? {}),
        },
        ...(es?.jobs ?? {}),
    };
}

/**
 * Jaeger v2 configuration (the chart's `userconfig`) for either storage: receivers otlp, jaeger and zipkin on
 * all interfaces, the query service and health check, the storage backend, and Jaeger's own metrics on
 * 0.0.0.0:8888. Without `service.telemetry` the OpenTelemetry default pull reader binds `localhost:8888`
 * (collector `service/telemetry/otelconftelemetry`), which the scrape the pod annotation advertises cannot reach.
 *
 * With the Monitor tab ({@link JaegerMonitor}) the traces pipeline also feeds the `spanmetrics` connector, whose
 * metrics pipeline ends in a Prometheus exporter on 0.0.0.0:{@link SPAN_METRICS}.port, and the query reads the metrics
 * from Prometheus (`jaeger_storage.metric_backends`, names normalized to `_total` and `_milliseconds` as the exporter
 * writes them). Upstream's example: jaegertracing/jaeger v1.75.0 (= v2.12.0) `cmd/jaeger/config-spm.yaml`.
 * @see https://www.jaegertracing.io/docs/latest/deployment/configuration/
 * @internal A value builder: tests call it; programs use the component.
 */
export function jaegerV2Config(storage: ResolvedJaegerStorage, monitor?: JaegerMonitor): HelmValues {
    const backend: HelmValues = storage.type === "elasticsearch" ? jaegerV2ElasticsearchBackend(storage) : { memory: { max_traces: storage.maxTraces } };
    const traces = { receivers: ["otlp", "jaeger", "zipkin"], processors: ["batch"], exporters: ["jaeger_storage_exporter", ...(monitor !== undefined ? ["spanmetrics"] : [])] };
    return {
        service: {
            extensions: ["jaeger_storage", "jaeger_query", "healthcheckv2"],
            pipelines: { traces, ...(monitor !== undefined ? { "metrics/spanmetrics": { receivers: ["spanmetrics"], exporters: ["prometheus"] } } : {}) },
            telemetry: { metrics: { readers: [{ pull: { exporter: { prometheus: { host: "0.0.0.0", port: JAEGER_METRICS_PORTS.v2 } } } }] } },
        },
        extensions: {
            healthcheckv2: { use_v2: true, http: { endpoint: `0.0.0.0:${JAEGER_PORTS.health}` } },
            jaeger_query: { storage: { traces: "primary_store", ...(monitor !== undefined ? { metrics: "metrics_store" } : {}) } },
            jaeger_storage: {
                backends: { primary_store: backend },
                ...(monitor !== undefined
                    ? {
                          metric_backends: {
                              metrics_store: {
                                  prometheus: { endpoint: monitor.prometheusUrl, metric_namespace: SPAN_METRICS.namespace.replace(/\./g, "_"), normalize_calls: true, normalize_duration: true },
                              },
                          },
                      }
                    : {}),
            },
        },
        receivers: {
            otlp: { protocols: { grpc: { endpoint: `0.0.0.0:${JAEGER_PORTS.otlpGrpc}` }, http: { endpoint: `0.0.0.0:${JAEGER_PORTS.otlpHttp}` } } },
            jaeger: { protocols: { grpc: { endpoint: `0.0.0.0:${JAEGER_PORTS.jaegerGrpc}` }, thrift_http: { endpoint: `0.0.0.0:${JAEGER_PORTS.jaegerThriftHttp}` } } },
            zipkin: { endpoint: `0.0.0.0:${JAEGER_PORTS.zipkin}` },
        },
        ...(monitor !== undefined ? { connectors: { spanmetrics: { namespace: SPAN_METRICS.namespace, metrics_flush_interval: monitor.flushInterval ?? DEFAULT_SPAN_METRICS_FLUSH_INTERVAL } } } : {}),
        processors: { batch: {} },
        exporters: {
            jaeger_storage_exporter: { trace_storage: "primary_store" },
            ...(monitor !== undefined ? { prometheus: { endpoint: `0.0.0.0:${SPAN_METRICS.port}` } } : {}),
        },
    };
}

/** Pod label carrying a hash of the userconfig: the chart has no checksum annotation, so a config change would not restart Jaeger. */
export const CONFIG_HASH_LABEL = "observability-stack/config-hash";

/**
 * First 16 hex digits of the SHA-256 of a value's JSON.
 * @internal A value builder: tests call it; programs use the component.
 */
export function configHash(value: unknown): string {
    return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 16);
}

/**
 * Values of the 4.x chart (Jaeger v2): one `jaeger` Deployment running {@link jaegerV2Config}, so memory is bounded
 * by `max_traces` (the built-in all-in-one config keeps 100000, and a `memory: {}` backend 1,000,000) and the
 * metrics port is reachable; Elasticsearch storage brings its jobs ({@link jaegerV2ElasticsearchValues}).
 * @internal A value builder: tests call it; programs use the component.
 */
export function jaegerV2Values(storage: ResolvedJaegerStorage, replicas: number, resources: ResourceRequirements, image: ImageOverride, monitor?: JaegerMonitor): HelmValues {
    const es = storage.type === "elasticsearch" ? jaegerV2ElasticsearchValues(storage) : undefined;
    const userconfig = jaegerV2Config(storage, monitor);
    return {
        jaeger: {
            replicas,
            resources: resourcesValues(resources),
            ...(Object.keys(imageValues(image)).length > 0 ? { image: imageValues(image) } : {}),
            podLabels: { [CONFIG_HASH_LABEL]: configHash(userconfig) },
            ...(es?.jaeger ?? {}),
        },
        ...(es !== undefined ? { storage: es.storage, ...es.jobs } : {}),
        userconfig,
    };
}

/**
 * Resource transform for the Jaeger chart's children. The 3.x chart renders `targetPort: 0` on its
 * headless Services; the API server stores the port number instead, so every `pulumi up` would show
 * an update. Writing the value the API server would store removes the perpetual diff without
 * changing behaviour.
 * @internal A value builder: tests call it; programs use the component.
 */
export function jaegerChildTransform(args: pulumi.ResourceTransformArgs): pulumi.ResourceTransformResult | undefined {
    const ports: { port: number; targetPort?: number | string }[] | undefined = args.props.spec?.ports;
    if (args.type !== "kubernetes:core/v1:Service" || !ports?.some((p) => p.targetPort === 0)) {
        return undefined;
    }
    const fixed = ports.map((p) => (p.targetPort === 0 ? { ...p, targetPort: p.port } : p));
    return { props: { ...args.props, spec: { ...args.props.spec, ports: fixed } }, opts: args.opts };
}

/**
 * Chart values for the line the chart version selects.
 * @internal A value builder: tests call it; programs use the component.
 */
export function jaegerValues(line: JaegerChartLine, storage: ResolvedJaegerStorage, replicas: number, resources: ResourceRequirements, image: ImageOverride, monitor?: JaegerMonitor): HelmValues {
    return line === "v1" ? jaegerV1Values(storage, replicas, resources, image) : jaegerV2Values(storage, replicas, resources, image, monitor);
}

/** Name of the program's rollover init Job (the charts' hook Job is `<release>-es-rollover-init`). */
export const ROLLOVER_INIT_JOB = `${JAEGER_RELEASE}-es-rollover-init`;

/** Pod labels of the rollover init Job, as the charts' hook template sets them. */
export const ROLLOVER_INIT_LABELS = { [JAEGER_NAME_LABEL.key]: JAEGER_NAME_LABEL.value, "app.kubernetes.io/instance": JAEGER_RELEASE, "app.kubernetes.io/component": "es-rollover-init" } as const;

/**
 * The rollover init Job's image: the chart's es-rollover image at the chart's appVersion (known: {@link jaegerProblems}).
 * @internal A value builder: tests call it; programs use the component.
 */
export function rolloverInitImage(chartVersion: string): string {
    return `jaegertracing/jaeger-es-rollover:${JAEGER_APP_VERSIONS[chartVersion] ?? "unknown"}`;
}

/**
 * Jaeger from its Helm chart, plus the two ClusterIP Services the mesh and Kiali use. The chart's
 * own Services are headless on the 3.x line (`clusterIP: None`), which Istio cannot route to reliably.
 */
export class Jaeger extends pulumi.ComponentResource {
    /** The chart line (`v1`: jaeger 3.x, Jaeger v1; `v2`: jaeger 4.x, Jaeger v2), from the chart version. */
    public readonly chartLine: JaegerChartLine;
    public readonly collectorServiceName: pulumi.Output<string>;
    public readonly queryServiceName: pulumi.Output<string>;
    /** Whether the Monitor tab is on: span metrics served on {@link SPAN_METRICS}.port for Prometheus. */
    public readonly monitor: boolean;
    /** Host the mesh's zipkin provider reports to (the collector Service's cluster-local name). */
    public readonly collectorHost: string;
    public readonly chart: k8s.helm.v4.Chart;
    /** What was asked of Helm, for the releases ConfigMap. */
    public readonly releases: ChartRelease[];
    public readonly collectorService: k8s.core.v1.Service;
    public readonly queryService: k8s.core.v1.Service;
    /** The Elasticsearch rollover init Job, when rollover is on. */
    public readonly rolloverInit?: k8s.batch.v1.Job;

    constructor(name: string, args: JaegerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("Jaeger"), name, {}, withTypeAliases("Jaeger", opts));
        throwProblems("Jaeger", jaegerProblems({ chartVersion: args.chart.version, storage: args.storage, monitor: args.monitor }));
        const namespace = args.namespace ?? SYSTEM_NAMESPACE;
        const replicas = args.replicas ?? 1;
        const resources = args.resources ?? DEFAULT_JAEGER_RESOURCES;
        const line = jaegerChartLine(args.chart.version);
        const storage = resolveJaegerStorage(args.storage, resources.limits.memory, line);
        const image = args.image ?? {};
        const awaitReadiness = args.awaitReadiness ?? true;

        // The charts' rollover init step is a Helm hook, which Chart v4 skips: the program runs it as its own Job,
        // and Jaeger (which then writes through the aliases the Job creates) waits for it.
        const es = storage.type === "elasticsearch" ? storage : undefined;
        this.rolloverInit =
            es?.rollover.enabled === true
                ? new k8s.batch.v1.Job(
                      `${name}-es-rollover-init`,
                      {
                          metadata: {
                              name: ROLLOVER_INIT_JOB,
                              namespace,
                              labels: { ...ROLLOVER_INIT_LABELS, "app.kubernetes.io/managed-by": "pulumi" },
                              annotations: awaitAnnotations(awaitReadiness),
                          },
                          spec: rolloverInitJobSpec(es, rolloverInitImage(args.chart.version), ROLLOVER_INIT_LABELS),
                      },
                      childOptions(this, opts),
                  )
                : undefined;

        const installed = installChart(
            `${name}-chart`,
            args.chart,
            {
                releaseName: JAEGER_RELEASE,
                namespace,
                skipAwait: !awaitReadiness,
                values: mergeValues(jaegerValues(line, storage, replicas, resources, image, args.monitor), args.values),
            },
            {
                ...childOptions(this, opts, this.rolloverInit !== undefined ? [this.rolloverInit] : []),
                transforms: [jaegerChildTransform, ...(es?.tls.caSecret !== undefined ? [sparkTruststoreTransform(es)] : [])],
            },
        );
        this.chart = installed.chart;
        this.releases = [installed.release];
        const service = (role: string, spec: typeof COLLECTOR_SERVICE | typeof QUERY_SERVICE) =>
            new k8s.core.v1.Service(
                `${name}-${role}`,
                {
                    metadata: {
                        name: spec.name,
                        namespace,
                        labels: { [JAEGER_NAME_LABEL.key]: JAEGER_NAME_LABEL.value, "app.kubernetes.io/managed-by": "pulumi" },
                        annotations: awaitAnnotations(awaitReadiness),
                    },
                    spec: {
                        type: "ClusterIP",
                        selector: jaegerPodSelector(),
                        ports: spec.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port, protocol: p.protocol })),
                    },
                },
                childOptions(this, opts, [this.chart]),
            );
        this.collectorService = service("collector", COLLECTOR_SERVICE);
        this.queryService = service("query", QUERY_SERVICE);

        this.chartLine = line;
        this.monitor = args.monitor !== undefined;
        this.collectorServiceName = this.collectorService.metadata.name;
        this.queryServiceName = this.queryService.metadata.name;
        this.collectorHost = serviceFqdn(COLLECTOR_SERVICE.name, namespace);
        this.registerOutputs({
            chartLine: this.chartLine,
            collectorServiceName: this.collectorServiceName,
            queryServiceName: this.queryServiceName,
            collectorHost: this.collectorHost,
        });
    }
}
