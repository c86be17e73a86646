import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_JAEGER_RESOURCES, ImageOverride, JaegerStorage, ResourceRequirements } from "../config";
import { ChartSource, JaegerChartLine, jaegerChartLine } from "../lib/charts";
import { COLLECTOR_SERVICE, JAEGER_COMPONENT_LABEL, JAEGER_NAME_LABEL, JAEGER_PORTS, QUERY_SERVICE, SYSTEM_NAMESPACE, serviceFqdn } from "../lib/constants";
import { ChartRelease, HelmValues, awaitAnnotations, installChart, mergeValues } from "./helm";
import { childOptions } from "./options";

/** Arguments of {@link Jaeger}: one typed set for both chart lines (3.x Jaeger v1, 4.x Jaeger v2). */
export interface JaegerArgs {
    /** Kubernetes provider every child uses. */
    readonly provider: k8s.Provider;
    /** The `jaeger` chart; its major version picks the line (3 -> Jaeger v1, 4 -> Jaeger v2). */
    readonly chart: ChartSource;
    /**
     * Namespace; must exist.
     * @default "istio-system"
     */
    readonly namespace?: string;
    /**
     * Trace storage: in memory, or an existing Elasticsearch cluster (password from a Secret).
     * @default { type: "memory" }
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

/** Host, port and scheme of an Elasticsearch URL (the 3.x chart takes them apart). */
function splitUrl(url: string): { scheme: string; host: string; port: number } {
    const u = new URL(url);
    const scheme = u.protocol.replace(":", "");
    return { scheme, host: u.hostname, port: u.port !== "" ? Number(u.port) : scheme === "https" ? 443 : 9200 };
}

/**
 * Values of the 3.x chart (Jaeger v1): the all-in-one pod only. Chart defaults would add a 3-node
 * Cassandra, a schema Job, an agent DaemonSet and collector/query Deployments, so all of those are off.
 */
export function jaegerV1Values(storage: JaegerStorage, replicas: number, resources: ResourceRequirements, image: ImageOverride): HelmValues {
    const storageValues: HelmValues =
        storage.type === "memory"
            ? { type: "memory" }
            : {
                  type: "elasticsearch",
                  elasticsearch: {
                      ...splitUrl(storage.url),
                      user: storage.username,
                      usePassword: true,
                      existingSecret: storage.passwordSecret.name,
                      existingSecretKey: storage.passwordSecret.key,
                      ...(storage.indexPrefix !== "" ? { indexPrefix: storage.indexPrefix } : {}),
                  },
              };
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
        },
    };
}

/**
 * Jaeger v2 configuration for Elasticsearch (the chart's `userconfig`); the password comes from the
 * `ES_PASSWORD` environment variable, filled from the Secret.
 * @see https://www.jaegertracing.io/docs/latest/deployment/configuration/
 */
export function jaegerV2ElasticsearchConfig(storage: Extract<JaegerStorage, { type: "elasticsearch" }>): HelmValues {
    const backend = {
        elasticsearch: {
            server_urls: [storage.url],
            ...(storage.indexPrefix !== "" ? { indices: { index_prefix: storage.indexPrefix } } : {}),
            auth: { basic: { username: storage.username, password: "${env:ES_PASSWORD}" } },
        },
    };
    return {
        service: {
            extensions: ["jaeger_storage", "jaeger_query", "healthcheckv2"],
            pipelines: { traces: { receivers: ["otlp", "jaeger", "zipkin"], processors: ["batch"], exporters: ["jaeger_storage_exporter"] } },
        },
        extensions: {
            healthcheckv2: { use_v2: true, http: { endpoint: "0.0.0.0:13133" } },
            jaeger_query: { storage: { traces: "primary_store" } },
            jaeger_storage: { backends: { primary_store: backend } },
        },
        receivers: {
            otlp: { protocols: { grpc: { endpoint: `0.0.0.0:${JAEGER_PORTS.otlpGrpc}` }, http: { endpoint: `0.0.0.0:${JAEGER_PORTS.otlpHttp}` } } },
            jaeger: { protocols: { grpc: { endpoint: "0.0.0.0:14250" }, thrift_http: { endpoint: "0.0.0.0:14268" } } },
            zipkin: { endpoint: `0.0.0.0:${JAEGER_PORTS.zipkin}` },
        },
        processors: { batch: {} },
        exporters: { jaeger_storage_exporter: { trace_storage: "primary_store" } },
    };
}

/**
 * Values of the 4.x chart (Jaeger v2): one `jaeger` Deployment. With an empty `userconfig` it runs
 * the built-in all-in-one configuration: memory store, receivers otlp, jaeger and zipkin.
 */
export function jaegerV2Values(storage: JaegerStorage, replicas: number, resources: ResourceRequirements, image: ImageOverride): HelmValues {
    return {
        jaeger: {
            replicas,
            resources: resourcesValues(resources),
            ...(Object.keys(imageValues(image)).length > 0 ? { image: imageValues(image) } : {}),
            ...(storage.type === "elasticsearch"
                ? { extraEnv: [{ name: "ES_PASSWORD", valueFrom: { secretKeyRef: { name: storage.passwordSecret.name, key: storage.passwordSecret.key } } }] }
                : {}),
        },
        ...(storage.type === "elasticsearch" ? { userconfig: jaegerV2ElasticsearchConfig(storage) } : {}),
    };
}

/**
 * Resource transform for the Jaeger chart's children. The 3.x chart renders `targetPort: 0` on its
 * headless Services; the API server stores the port number instead, so every `pulumi up` would show
 * an update. Writing the value the API server would store removes the perpetual diff without
 * changing behaviour.
 */
export function jaegerChildTransform(args: pulumi.ResourceTransformArgs): pulumi.ResourceTransformResult | undefined {
    const ports: { port: number; targetPort?: number | string }[] | undefined = args.props.spec?.ports;
    if (args.type !== "kubernetes:core/v1:Service" || ports === undefined || !ports.some((p) => p.targetPort === 0)) {
        return undefined;
    }
    const fixed = ports.map((p) => (p.targetPort === 0 ? { ...p, targetPort: p.port } : p));
    return { props: { ...args.props, spec: { ...args.props.spec, ports: fixed } }, opts: args.opts };
}

/** Chart values for the line the chart version selects. */
export function jaegerValues(line: JaegerChartLine, storage: JaegerStorage, replicas: number, resources: ResourceRequirements, image: ImageOverride): HelmValues {
    return line === "v1" ? jaegerV1Values(storage, replicas, resources, image) : jaegerV2Values(storage, replicas, resources, image);
}

/**
 * Jaeger from its Helm chart, plus the two ClusterIP Services the mesh and Kiali use. The chart's
 * own Services are headless on the 3.x line (`clusterIP: None`), which Istio cannot route to reliably.
 */
export class Jaeger extends pulumi.ComponentResource {
    public readonly chartLine: pulumi.Output<JaegerChartLine>;
    public readonly collectorServiceName: pulumi.Output<string>;
    public readonly queryServiceName: pulumi.Output<string>;
    /** Host the mesh's zipkin provider reports to. */
    public readonly collectorHost: pulumi.Output<string>;
    public readonly chart: k8s.helm.v4.Chart;
    /** What was asked of Helm, for the releases ConfigMap. */
    public readonly releases: ChartRelease[];
    public readonly collectorService: k8s.core.v1.Service;
    public readonly queryService: k8s.core.v1.Service;

    constructor(name: string, args: JaegerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("observability:tracing:Jaeger", name, {}, opts);
        const namespace = args.namespace ?? SYSTEM_NAMESPACE;
        const storage = args.storage ?? { type: "memory" };
        const replicas = args.replicas ?? 1;
        const resources = args.resources ?? DEFAULT_JAEGER_RESOURCES;
        const image = args.image ?? {};
        const awaitReadiness = args.awaitReadiness ?? true;
        const line = jaegerChartLine(args.chart.version);
        

        const installed = installChart(
            `${name}-chart`,
            args.chart,
            {
                releaseName: JAEGER_RELEASE,
                namespace,
                skipAwait: !awaitReadiness,
                values: mergeValues(jaegerValues(line, storage, replicas, resources, image), args.values),
            },
            { ...childOptions(this, args.provider, opts), transforms: [jaegerChildTransform] },
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
                childOptions(this, args.provider, opts, [this.chart]),
            );
        this.collectorService = service("collector", COLLECTOR_SERVICE);
        this.queryService = service("query", QUERY_SERVICE);

        this.chartLine = pulumi.output(line);
        this.collectorServiceName = this.collectorService.metadata.name;
        this.queryServiceName = this.queryService.metadata.name;
        this.collectorHost = pulumi.output(serviceFqdn(COLLECTOR_SERVICE.name, namespace));
        this.registerOutputs({
            chartLine: this.chartLine,
            collectorServiceName: this.collectorServiceName,
            queryServiceName: this.queryServiceName,
            collectorHost: this.collectorHost,
        });
    }
}
