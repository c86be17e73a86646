import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { JAEGER_NAME_LABEL, SPAN_METRICS, SYSTEM_NAMESPACE } from "../lib/constants";
import { JAEGER_RELEASE } from "./jaeger";
import { childOptions } from "./options";
import { componentType, withTypeAliases } from "./typeTokens";

/** Arguments of {@link PrometheusMonitors}. */
export interface PrometheusMonitorsArgs {
    /**
     * Namespace of the monitors (Istio's sample puts them in the control plane's namespace; they select pods in every namespace).
     * @default "istio-system"
     */
    readonly namespace?: string;
    /**
     * Labels added to both monitors, so that the Prometheus resource's `podMonitorSelector` and
     * `serviceMonitorSelector` pick them (e.g. `release: kube-prometheus-stack`).
     * @default {} (the sample's labels only)
     * @see https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.PrometheusSpec
     */
    readonly labels?: Readonly<Record<string, string>>;
    /**
     * Also scrape Jaeger v2's span metrics (the Monitor tab: {@link jaegerSpanMetricsServiceMonitorSpec}), in the namespace of Jaeger.
     * @default off
     */
    readonly jaegerSpanMetrics?: { readonly namespace?: string };
}

/** Names of the two monitors, as in Istio's sample. */
export const MONITOR_NAMES = { envoy: "envoy-stats-monitor", istiod: "istio-component-monitor", jaegerSpanMetrics: "jaeger-span-metrics" } as const;

/**
 * The PodMonitor of Istio's prometheus-operator sample (`samples/addons/extras/prometheus-operator.yaml`, tags
 * 1.24.2 and 1.30.3): every `istio-proxy` container (sidecars and the ingress gateway) that carries the
 * `prometheus.io/scrape` annotation, scraped on the port its `prometheus.io/port` annotation names (15020, the
 * agent's merged Envoy + agent + app endpoint the injector sets with `enablePrometheusMerge`) at `/stats/prometheus`.
 * The 1.30.3 text, whose one difference from 1.24.2 is `targetLabel: pod` (1.24.2: `pod_name`).
 * @internal A value builder: tests call it; programs use the component.
 */
export function envoyStatsPodMonitorSpec(): Record<string, unknown> {
    return {
        selector: { matchExpressions: [{ key: "istio-prometheus-ignore", operator: "DoesNotExist" }] },
        namespaceSelector: { any: true },
        jobLabel: "envoy-stats",
        podMetricsEndpoints: [
            {
                path: "/stats/prometheus",
                interval: "15s",
                relabelings: [
                    { action: "keep", sourceLabels: ["__meta_kubernetes_pod_container_name"], regex: "istio-proxy" },
                    { action: "keep", sourceLabels: ["__meta_kubernetes_pod_annotationpresent_prometheus_io_scrape"] },
                    {
                        action: "replace",
                        regex: "(\\d+);(([A-Fa-f0-9]{1,4}::?){1,7}[A-Fa-f0-9]{1,4})",
                        replacement: "[$2]:$1",
                        sourceLabels: ["__meta_kubernetes_pod_annotation_prometheus_io_port", "__meta_kubernetes_pod_ip"],
                        targetLabel: "__address__",
                    },
                    {
                        action: "replace",
                        regex: "(\\d+);((([0-9]+?)(\\.|$)){4})",
                        replacement: "$2:$1",
                        sourceLabels: ["__meta_kubernetes_pod_annotation_prometheus_io_port", "__meta_kubernetes_pod_ip"],
                        targetLabel: "__address__",
                    },
                    { action: "labeldrop", regex: "__meta_kubernetes_pod_label_(.+)" },
                    { sourceLabels: ["__meta_kubernetes_namespace"], action: "replace", targetLabel: "namespace" },
                    { sourceLabels: ["__meta_kubernetes_pod_name"], action: "replace", targetLabel: "pod" },
                ],
            },
        ],
    };
}

/**
 * The ServiceMonitor of the same sample: istiod's Service (label `istio: pilot`, port `http-monitoring` 15014,
 * istiod chart `templates/service.yaml` in both lines).
 * @internal A value builder: tests call it; programs use the component.
 */
export function istiodServiceMonitorSpec(): Record<string, unknown> {
    return {
        jobLabel: "istio",
        targetLabels: ["app"],
        selector: { matchExpressions: [{ key: "istio", operator: "In", values: ["pilot"] }] },
        namespaceSelector: { any: true },
        endpoints: [{ port: "http-monitoring", interval: "15s" }],
    };
}

/**
 * The ServiceMonitor of Jaeger v2's span metrics: the jaeger 4.x chart's own `jaeger` Service (labels
 * `app.kubernetes.io/name`, `instance`, `component: all-in-one`), port `span-metrics` ({@link SPAN_METRICS}.port, the
 * Prometheus exporter of the span-metrics pipeline), every 15 s, in Jaeger's namespace only.
 * @internal A value builder: tests call it; programs use the component.
 */
export function jaegerSpanMetricsServiceMonitorSpec(namespace: string): Record<string, unknown> {
    return {
        selector: { matchLabels: { [JAEGER_NAME_LABEL.key]: JAEGER_NAME_LABEL.value, "app.kubernetes.io/instance": JAEGER_RELEASE, "app.kubernetes.io/component": "all-in-one" } },
        namespaceSelector: { matchNames: [namespace] },
        endpoints: [{ port: SPAN_METRICS.servicePortName, interval: "15s" }],
    };
}

/**
 * What lets a prometheus-operator Prometheus find the mesh: Istio's PodMonitor for the Envoy stats of sidecars
 * and the gateway and its ServiceMonitor for istiod. Needs the operator's CRDs (group `monitoring.coreos.com`).
 * Without the operator, add the scrape jobs of docs/production.md "Prometheus without the operator" to Prometheus instead.
 * @see https://istio.io/latest/docs/ops/integrations/prometheus/
 */
export class PrometheusMonitors extends pulumi.ComponentResource {
    /** The two monitors, `namespace/name`. */
    public readonly monitorNames: readonly string[];

    constructor(name: string, args: PrometheusMonitorsArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("PrometheusMonitors"), name, {}, withTypeAliases("PrometheusMonitors", opts));
        const namespace = args.namespace ?? SYSTEM_NAMESPACE;
        const labels = args.labels ?? {};
        new k8s.apiextensions.CustomResource(
            `${name}-envoy-stats`,
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PodMonitor",
                metadata: { name: MONITOR_NAMES.envoy, namespace, labels: { monitoring: "istio-proxies", release: "istio", ...labels } },
                spec: envoyStatsPodMonitorSpec(),
            },
            childOptions(this, opts),
        );
        new k8s.apiextensions.CustomResource(
            `${name}-istiod`,
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "ServiceMonitor",
                metadata: { name: MONITOR_NAMES.istiod, namespace, labels: { monitoring: "istio-components", release: "istio", ...labels } },
                spec: istiodServiceMonitorSpec(),
            },
            childOptions(this, opts),
        );
        const names = [`${namespace}/${MONITOR_NAMES.envoy}`, `${namespace}/${MONITOR_NAMES.istiod}`];
        if (args.jaegerSpanMetrics !== undefined) {
            const jaegerNamespace = args.jaegerSpanMetrics.namespace ?? SYSTEM_NAMESPACE;
            new k8s.apiextensions.CustomResource(
                `${name}-jaeger-span-metrics`,
                {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind: "ServiceMonitor",
                    metadata: { name: MONITOR_NAMES.jaegerSpanMetrics, namespace, labels: { monitoring: "jaeger-span-metrics", ...labels } },
                    spec: jaegerSpanMetricsServiceMonitorSpec(jaegerNamespace),
                },
                childOptions(this, opts),
            );
            names.push(`${namespace}/${MONITOR_NAMES.jaegerSpanMetrics}`);
        }
        this.monitorNames = names;
        this.registerOutputs({ monitorNames: this.monitorNames });
    }
}
