/**
 * Where the mesh sends spans and how much it samples: the zipkin provider targets a Service that can carry
 * them, tracing is configured the supported way (Telemetry API), and sampling stays under the stack's ceiling.
 */
import * as k8s from "@pulumi/kubernetes";
import { ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { COLLECTOR_SERVICE } from "../../../lib/constants";
import { TYPES, asList, asObject, at, customResourceOf, extensionProviders, meshConfigOf, nameOf, namespaceOf, parseServiceHost, propsOfType, ref, selects, workloadOf } from "../../lib/k8s";
import { configOf, stackResources } from "../../lib/policy";

export const ZIPKIN_TARGET = "zipkin-target-must-be-clusterip-service-selecting-pods";

/** The zipkin provider's Service exists, is not headless, exposes the port and selects pods. */
export const zipkinTargetMustBeClusterIpService: StackValidationPolicy = {
    name: ZIPKIN_TARGET,
    description: "The zipkin tracing provider in the mesh config must target a ClusterIP Service of the stack that exposes the port and selects running pods.",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps: `Point the zipkin provider at ${COLLECTOR_SERVICE.name}.<namespace>.svc.cluster.local:9411, a ClusterIP Service whose selector matches the Jaeger pod; Istio cannot route to a headless Service reliably.`,
    url: "https://istio.io/latest/docs/tasks/observability/distributed-tracing/zipkin/",
    validateStack: (args, reportViolation) => {
        const resources = stackResources(args);
        const services = resources.flatMap((r) => {
            const svc = propsOfType(k8s.core.v1.Service, r);
            return svc === undefined ? [] : [{ svc, urn: r.urn }];
        });
        const pods = resources.flatMap((r) => {
            const w = workloadOf(r);
            return w === undefined ? [] : [{ namespace: namespaceOf(w), labels: w.template?.metadata?.labels ?? {} }];
        });
        for (const r of resources) {
            const cm = propsOfType(k8s.core.v1.ConfigMap, r);
            const mesh = cm === undefined ? undefined : meshConfigOf(cm);
            if (cm === undefined || mesh === undefined) {
                continue;
            }
            for (const p of extensionProviders(mesh)) {
                const zipkin = asObject(p.zipkin);
                if (zipkin === undefined) {
                    continue;
                }
                const host = String(zipkin.service ?? "");
                const port = Number(zipkin.port);
                const target = parseServiceHost(host);
                const found = services.find(({ svc }) => nameOf(svc) === target.name && namespaceOf(svc) === (target.namespace ?? namespaceOf(cm)));
                if (found === undefined) {
                    reportViolation(`Zipkin provider ${p.name} must target a Service defined in the stack; ${host} is not one (expected ${COLLECTOR_SERVICE.name} in the Jaeger namespace).`, r.urn);
                    continue;
                }
                const { svc, urn } = found;
                const spec = svc.spec ?? {};
                if (spec.clusterIP === "None") {
                    reportViolation(
                        `Service ${ref(svc)} must not be headless (clusterIP: None) to be the target of zipkin provider ${p.name}; expected a ClusterIP Service such as ${COLLECTOR_SERVICE.name}.`,
                        urn,
                    );
                }
                if (!(spec.ports ?? []).some((sp) => Number(sp.port) === port)) {
                    reportViolation(`Service ${ref(svc)} must expose port ${port} for zipkin provider ${p.name}.`, urn);
                }
                if (!pods.some((pod) => pod.namespace === namespaceOf(svc) && selects(spec.selector, pod.labels))) {
                    reportViolation(
                        `Service ${ref(svc)} must select the pods of a workload in the stack for zipkin provider ${p.name}; its selector ${JSON.stringify(spec.selector ?? {})} matches none.`,
                        urn,
                    );
                }
            }
        }
    },
};

export const NO_LEGACY_TRACING = "mesh-config-must-not-use-deprecated-tracing";

/** No `defaultConfig.tracing` / `enableTracing` without providers: the Telemetry API is the supported path. */
export const meshConfigMustNotUseDeprecatedTracing: ResourceValidationPolicy = {
    name: NO_LEGACY_TRACING,
    description: "The mesh config must configure tracing through extensionProviders and the Telemetry API, not the deprecated defaultConfig.tracing block.",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: "Remove meshConfig.defaultConfig.tracing and global.proxy.tracer; define a zipkin extensionProvider and select it in a Telemetry resource.",
    url: "https://istio.io/latest/docs/tasks/observability/distributed-tracing/mesh-and-proxy-config/",
    validateResource: validateResourceOfType(k8s.core.v1.ConfigMap, (cm, _args, reportViolation) => {
        const mesh = meshConfigOf(cm);
        if (mesh !== undefined && at(mesh, ["defaultConfig", "tracing"]) !== undefined) {
            reportViolation(`Mesh config ${ref(cm)} must not set defaultConfig.tracing (deprecated; Istio >= 1.22 ignores it for the Telemetry API); expected no defaultConfig.tracing block.`);
        }
    }),
};

export const SAMPLING_CEILING = "telemetry-sampling-must-not-exceed-ceiling";

/** Config of {@link telemetrySamplingMustNotExceedCeiling}. */
interface TelemetrySamplingArgs {
    /** Highest allowed `randomSamplingPercentage`. @default 10 */
    maxSamplingPercentage: number;
}

/** Telemetry sampling is at most the stack's ceiling (100 only where the stack's policy config allows it). */
export const telemetrySamplingMustNotExceedCeiling: ResourceValidationPolicy = {
    name: SAMPLING_CEILING,
    description: "Telemetry tracing sampling must not exceed the stack's ceiling (maxSamplingPercentage in the policy config).",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: "Lower tracing.samplingPercentage in the stack config, or raise maxSamplingPercentage in this stack's policy config if the load is acceptable.",
    url: "https://istio.io/latest/docs/reference/config/telemetry/#Tracing",
    configSchema: { properties: { maxSamplingPercentage: { type: "number", minimum: 0, maximum: 100, default: 10 } } },
    validateResource: (args, reportViolation) => {
        const telemetry = customResourceOf(TYPES.telemetry, args);
        if (telemetry === undefined) {
            return;
        }
        const { maxSamplingPercentage } = configOf<TelemetrySamplingArgs>(args);
        for (const t of asList(telemetry.spec?.tracing)) {
            const pct = at(t, ["randomSamplingPercentage"]);
            if (typeof pct === "number" && pct > maxSamplingPercentage) {
                reportViolation(`Telemetry ${ref(telemetry)} must sample at most ${maxSamplingPercentage}% of requests; randomSamplingPercentage is ${pct}.`);
            }
        }
    },
};
