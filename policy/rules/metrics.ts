/** Mesh metrics: what Kiali's graph and health read from Prometheus (`istio_requests_total` and friends). */
import * as k8s from "@pulumi/kubernetes";
import { StackValidationPolicy } from "@pulumi/policy";
import { PROVIDER_NAMES } from "../../lib/constants";
import { requestedChartsOfStack } from "../lib/charts";
import { CustomResourceProps, JsonObject, TYPES, asList, asObject, at, customResourceOf, extensionProviders, kialiConfigOf, meshConfigOf, namespaceOf, propsOfType, ref } from "../lib/k8s";
import { stackResources } from "../lib/policy";

export const MESH_METRICS = "kiali-graph-must-have-mesh-metrics";

/** A Telemetry that applies to the whole mesh: in the root namespace, without a workload selector or target reference. */
function isRootTelemetry(t: CustomResourceProps, rootNamespace: string): boolean {
    const spec = t.spec ?? {};
    return namespaceOf(t) === rootNamespace && spec.selector === undefined && spec.targetRef === undefined && asList(spec.targetRefs).length === 0;
}

/** True when an override turns off every metric of its entry (`disabled` without a match, or matching ALL_METRICS in both modes). */
function disablesAll(override: unknown): boolean {
    if (at(override, ["disabled"]) !== true) {
        return false;
    }
    const match = asObject(at(override, ["match"]));
    const metric = match?.metric ?? "ALL_METRICS";
    const mode = match?.mode ?? "CLIENT_AND_SERVER";
    return match?.customMetric === undefined && metric === "ALL_METRICS" && mode === "CLIENT_AND_SERVER";
}

/** Whether a provider name is a Prometheus provider: istiod's built-in `prometheus`, or an extension provider of kind `prometheus`. */
function isPrometheusProvider(name: string, mesh: JsonObject): boolean {
    const own = extensionProviders(mesh).find((p) => p.name === name);
    return own !== undefined ? own.prometheus !== undefined : name === PROVIDER_NAMES.metrics;
}

/**
 * What the mesh's sidecars report metrics to, as istiod decides it (`pilot/pkg/model/telemetry.go` `mergeMetrics`,
 * 1.24.2 and 1.30.3): the providers a root Telemetry's `metrics` selects, or else `defaultProviders.metrics`.
 * Undefined means on; a string says what leaves metrics off.
 */
function metricsOff(mesh: JsonObject, rootTelemetries: readonly CustomResourceProps[]): string | undefined {
    const entries = rootTelemetries.flatMap((t) => asList(t.spec?.metrics).map((m) => ({ t, m })));
    const selecting = entries.filter(({ m }) => asList(at(m, ["providers"])).length > 0);
    if (selecting.length > 0) {
        const on = selecting.filter(({ m }) => !asList(at(m, ["overrides"])).some(disablesAll));
        const names = on.flatMap(({ m }) => asList(at(m, ["providers"])).map((p) => String(at(p, ["name"]) ?? "")));
        if (names.some((n) => isPrometheusProvider(n, mesh))) {
            return undefined;
        }
        const refs = [...new Set(selecting.map(({ t }) => `Telemetry ${ref(t)}`))].join(", ");
        return on.length === 0 ? `${refs} disables all metrics` : `${refs} selects metrics providers ${names.join(", ")} (no Prometheus provider)`;
    }
    const defaults = asList(at(mesh, ["defaultProviders", "metrics"])).map(String);
    const disabled = entries.some(({ m }) => asList(at(m, ["overrides"])).some(disablesAll));
    if (defaults.some((n) => isPrometheusProvider(n, mesh)) && !disabled) {
        return undefined;
    }
    const telemetry =
        rootTelemetries.length === 0
            ? "no Telemetry applies to the whole mesh"
            : `${rootTelemetries.map((t) => `Telemetry ${ref(t)}`).join(", ")} ${disabled ? "disables all metrics" : "selects no metrics provider"}`;
    const fromDefaults = defaults.length === 0 ? "defaultProviders.metrics is empty" : `defaultProviders.metrics lists ${defaults.join(", ")} (no Prometheus provider)`;
    return disabled && defaults.some((n) => isPrometheusProvider(n, mesh)) ? telemetry : `${fromDefaults} and ${telemetry}`;
}

/**
 * Kiali draws its graph and health from the mesh's Prometheus metrics. Setting `meshConfig.defaultProviders` makes the
 * istiod chart drop its default `metrics: [prometheus]` (istiod `templates/_helpers.tpl` `default-prometheus`,
 * `configmap.yaml`; istio/istio#53332, #51384), and a Telemetry can turn metrics off: then sidecars emit no
 * `istio_requests_total` and Kiali's graph stays empty.
 */
export const kialiGraphMustHaveMeshMetrics: StackValidationPolicy = {
    name: MESH_METRICS,
    description: "A stack that installs Kiali must keep the mesh's Prometheus metrics on (defaultProviders.metrics or a mesh-wide Telemetry), or Kiali's graph and health stay empty.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: `Keep defaultProviders.metrics: [${PROVIDER_NAMES.metrics}] beside defaultProviders.tracing in meshConfig (the IstioMesh component does), or select the ${PROVIDER_NAMES.metrics} provider in the root Telemetry's metrics.`,
    url: "https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-DefaultProviders",
    validateStack: (args, reportViolation) => {
        const resources = stackResources(args);
        const kialiConfig = resources.some((r) => {
            const cm = propsOfType(k8s.core.v1.ConfigMap, r);
            return cm !== undefined && kialiConfigOf(cm) !== undefined;
        });
        const kialiChart = requestedChartsOfStack(resources, { what: "whether Kiali is installed", readsRenderedObjects: true }).charts.some((c) => c.chart === "kiali-server");
        if (!kialiConfig && !kialiChart) {
            return;
        }
        const telemetries = resources.flatMap((r) => {
            const t = customResourceOf(TYPES.telemetry, r);
            return t === undefined ? [] : [t];
        });
        for (const r of resources) {
            const cm = propsOfType(k8s.core.v1.ConfigMap, r);
            const mesh = cm === undefined ? undefined : meshConfigOf(cm);
            if (cm === undefined || mesh === undefined) {
                continue;
            }
            const root = typeof mesh.rootNamespace === "string" && mesh.rootNamespace !== "" ? mesh.rootNamespace : namespaceOf(cm);
            const off = metricsOff(
                mesh,
                telemetries.filter((t) => isRootTelemetry(t, root)),
            );
            if (off !== undefined) {
                reportViolation(
                    `Mesh config ${ref(cm)} must keep Prometheus metrics on while Kiali is installed (Kiali's graph and health read istio_requests_total); ${off}, expected defaultProviders.metrics: [${PROVIDER_NAMES.metrics}] or a mesh-wide Telemetry selecting ${PROVIDER_NAMES.metrics}.`,
                    r.urn,
                );
            }
        }
    },
};

export const metricsPolicies = [kialiGraphMustHaveMeshMetrics];
