import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { JaegerChartLine } from "../lib/charts";
import { AMBIENT_LABELS, DataPlane, INJECTION_LABEL, JAEGER_EGRESS_PORTS, JAEGER_METRICS_PORTS, JAEGER_PORTS, SPAN_METRICS, SYSTEM_NAMESPACE } from "../lib/constants";
import { jaegerPodSelector } from "./jaeger";
import { KIALI_POD_LABELS } from "./kiali";
import { PolicySpec, inNamespaces, tcp } from "./networkPolicies";
import { childOptions } from "./options";
import { componentType, withTypeAliases } from "./typeTokens";

/** Arguments of {@link JaegerIngressPolicies}. */
export interface JaegerIngressPoliciesArgs {
    /** Jaeger line, for the port its own metrics are served on. */
    readonly line: JaegerChartLine;
    /** App namespaces: their pods (apps, and sidecars or waypoints) send spans. */
    readonly appNamespaces: readonly string[];
    /**
     * Namespaces whose ingress controller serves the Jaeger UI; none when the UI is not exposed.
     * @default []
     */
    readonly ingressControllerNamespaces?: readonly string[];
    /**
     * Namespaces of the Prometheus that scrapes Jaeger's own metrics (where the pod's
     * `prometheus.io/port` annotation points); none when empty.
     * @default []
     */
    readonly metricsNamespaces?: readonly string[];
    /**
     * Jaeger serves span metrics for the Monitor tab ({@link SPAN_METRICS}.port): Prometheus may scrape that port too.
     * @default false
     */
    readonly spanMetrics?: boolean;
    /**
     * Ambient mode: the mesh's namespaces are the ones enrolled (`istio.io/dataplane-mode: ambient`), whose waypoints
     * send the proxy spans, besides those with sidecar injection on.
     * @default "sidecar"
     */
    readonly dataPlane?: DataPlane;
    /**
     * Namespace of Jaeger, the ingress gateway, istiod and Kiali.
     * @default "istio-system"
     */
    readonly namespace?: string;
}

/**
 * The ingress rules of the Jaeger pods: the collector ports (Zipkin, OTLP gRPC and HTTP) from the mesh
 * only — the app namespaces, any namespace with sidecar injection on (in ambient mode also any enrolled namespace:
 * its waypoint reports the proxy spans from there), and the system namespace (the
 * ingress gateway and istiod run there); the
 * query ports from Kiali and the ingress controllers that serve the UI; the metrics port from Prometheus.
 * Once one Ingress policy selects the pods, everything else is denied.
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-ingress-traffic
 * @internal A value builder: tests call it; programs use the component.
 */
export function jaegerIngressSpecs(args: {
    namespace: string;
    line: JaegerChartLine;
    appNamespaces: readonly string[];
    ingressControllerNamespaces: readonly string[];
    metricsNamespaces: readonly string[];
    spanMetrics?: boolean;
    dataPlane?: DataPlane;
}): Record<string, PolicySpec> {
    const podSelector = { matchLabels: jaegerPodSelector() };
    const specs: Record<string, PolicySpec> = {
        "jaeger-collector-from-mesh": {
            podSelector,
            policyTypes: ["Ingress"],
            ingress: [
                {
                    from: [
                        inNamespaces([args.namespace, ...args.appNamespaces]),
                        { namespaceSelector: { matchLabels: { ...INJECTION_LABEL } } },
                        ...(args.dataPlane === "ambient" ? [{ namespaceSelector: { matchLabels: { [AMBIENT_LABELS.dataplaneMode]: "ambient" } } }] : []),
                    ],
                    ports: tcp(JAEGER_EGRESS_PORTS),
                },
            ],
        },
        "jaeger-query-from-ui-clients": {
            podSelector,
            policyTypes: ["Ingress"],
            ingress: [
                {
                    from: [{ podSelector: { matchLabels: { ...KIALI_POD_LABELS } } }, ...(args.ingressControllerNamespaces.length > 0 ? [inNamespaces(args.ingressControllerNamespaces)] : [])],
                    ports: tcp([JAEGER_PORTS.queryHttp, JAEGER_PORTS.queryGrpc]),
                },
            ],
        },
    };
    if (args.metricsNamespaces.length > 0) {
        specs["jaeger-metrics-from-prometheus"] = {
            podSelector,
            policyTypes: ["Ingress"],
            ingress: [{ from: [inNamespaces(args.metricsNamespaces)], ports: tcp([JAEGER_METRICS_PORTS[args.line], ...(args.spanMetrics === true ? [SPAN_METRICS.port] : [])]) }],
        };
    }
    return specs;
}

/** NetworkPolicies that close the Jaeger pods to everything but the mesh, the UI clients and Prometheus. */
export class JaegerIngressPolicies extends pulumi.ComponentResource {
    public readonly policyNames: string[];

    constructor(name: string, args: JaegerIngressPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("JaegerIngressPolicies"), name, {}, withTypeAliases("JaegerIngressPolicies", opts));
        const namespace = args.namespace ?? SYSTEM_NAMESPACE;
        const specs = jaegerIngressSpecs({
            namespace,
            line: args.line,
            appNamespaces: args.appNamespaces,
            ingressControllerNamespaces: args.ingressControllerNamespaces ?? [],
            metricsNamespaces: args.metricsNamespaces ?? [],
            spanMetrics: args.spanMetrics ?? false,
            dataPlane: args.dataPlane,
        });
        for (const [policy, spec] of Object.entries(specs)) {
            new k8s.networking.v1.NetworkPolicy(`${name}-${policy}`, { metadata: { name: policy, namespace }, spec }, childOptions(this, opts));
        }
        this.policyNames = Object.keys(specs).map((p) => `${namespace}/${p}`);
        this.registerOutputs({ policyNames: this.policyNames });
    }
}
