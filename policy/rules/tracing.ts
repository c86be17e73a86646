/**
 * Tracing plumbing: where the mesh sends spans, how much it samples, what the access log carries,
 * what ext-authz forwards and how apps propagate context.
 */
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
    B3_PROPAGATORS,
    COLLECTOR_SERVICE,
    REQUIRED_EXT_AUTHZ_B3_HEADERS,
    STALE_TRACE_ID_OPERATOR,
    TRACE_ID_OPERATOR,
} from "../../lib/constants";
import {
    Obj,
    TYPES,
    WORKLOAD_TYPES,
    containersOf,
    envValue,
    extensionProviders,
    meshConfigOf,
    nameOf,
    namespaceOf,
    parseServiceHost,
    podTemplate,
    ref,
    selects,
    strings,
} from "../lib/k8s";
import { configOf, stackResources } from "../lib/policy";

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
        const services = resources.filter((r) => r.type === TYPES.service);
        const pods = resources.flatMap((r) => {
            const t = podTemplate(r.type, r.props);
            return t === undefined ? [] : [{ namespace: namespaceOf(r.props), labels: t.metadata?.labels ?? {} }];
        });
        for (const r of resources) {
            const mesh = meshConfigOf(r.type, r.props);
            if (mesh === undefined) {
                continue;
            }
            for (const p of extensionProviders(mesh)) {
                if (p.zipkin === undefined) {
                    continue;
                }
                const host = String(p.zipkin.service ?? "");
                const port = Number(p.zipkin.port);
                const target = parseServiceHost(host);
                const svc = services.find((s) => nameOf(s.props) === target.name && namespaceOf(s.props) === (target.namespace ?? namespaceOf(r.props)));
                if (svc === undefined) {
                    reportViolation(
                        `Zipkin provider ${p.name} must target a Service defined in the stack; ${host} is not one (expected ${COLLECTOR_SERVICE.name} in the Jaeger namespace).`,
                        r.urn,
                    );
                    continue;
                }
                const spec: Obj = svc.props.spec ?? {};
                if (spec.clusterIP === "None") {
                    reportViolation(
                        `Service ${ref(svc.props)} must not be headless (clusterIP: None) to be the target of zipkin provider ${p.name}; expected a ClusterIP Service such as ${COLLECTOR_SERVICE.name}.`,
                        svc.urn,
                    );
                }
                if (!(spec.ports ?? []).some((sp: Obj) => Number(sp.port) === port)) {
                    reportViolation(`Service ${ref(svc.props)} must expose port ${port} for zipkin provider ${p.name}.`, svc.urn);
                }
                if (!pods.some((pod) => pod.namespace === namespaceOf(svc.props) && selects(spec.selector, pod.labels))) {
                    reportViolation(
                        `Service ${ref(svc.props)} must select the pods of a workload in the stack for zipkin provider ${p.name}; its selector ${JSON.stringify(spec.selector ?? {})} matches none.`,
                        svc.urn,
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
    validateResource: (args, reportViolation) => {
        const mesh = meshConfigOf(args.type, args.props);
        if (mesh?.defaultConfig?.tracing !== undefined) {
            reportViolation(`Mesh config ${ref(args.props)} must not set defaultConfig.tracing (deprecated; Istio >= 1.22 ignores it for the Telemetry API); expected no defaultConfig.tracing block.`);
        }
    },
};

export const ACCESS_LOG_TRACE_ID = "access-log-must-use-trace-id";

/** Access-log formats carry `%TRACE_ID%`, never `%REQ(X-B3-TRACEID)%` (empty when the client sent no header). */
export const accessLogMustUseTraceId: ResourceValidationPolicy = {
    name: ACCESS_LOG_TRACE_ID,
    description: "Access-log formats must log the trace id with %TRACE_ID%, which Envoy always sets, not %REQ(X-B3-TRACEID)%.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: `Replace ${STALE_TRACE_ID_OPERATOR} with ${TRACE_ID_OPERATOR} in the access-log format; with enforcement level "remediate" the pack rewrites it.`,
    url: "https://www.envoyproxy.io/docs/envoy/latest/configuration/observability/access_log/usage#command-operators",
    // Unambiguous and harmless: %TRACE_ID% carries the same id whenever the header is present, and an id when it is not.
    remediateResource: (args) => {
        const fix = (o: Obj): Obj => JSON.parse(JSON.stringify(o).split(STALE_TRACE_ID_OPERATOR).join(TRACE_ID_OPERATOR));
        if (TYPES.envoyFilter.includes(args.type as never) && JSON.stringify(args.props).includes(STALE_TRACE_ID_OPERATOR)) {
            return fix(args.props);
        }
        if (meshConfigOf(args.type, args.props) !== undefined && args.props.data.mesh.includes(STALE_TRACE_ID_OPERATOR)) {
            return { ...args.props, data: { ...args.props.data, mesh: args.props.data.mesh.split(STALE_TRACE_ID_OPERATOR).join(TRACE_ID_OPERATOR) } };
        }
        return undefined;
    },
    validateResource: (args, reportViolation) => {
        const where: { label: string; value: unknown; requireTraceId: boolean }[] = [];
        const mesh = meshConfigOf(args.type, args.props);
        if (mesh !== undefined) {
            for (const p of extensionProviders(mesh)) {
                if (p.envoyFileAccessLog?.logFormat !== undefined) {
                    where.push({ label: `access-log provider ${p.name}`, value: p.envoyFileAccessLog.logFormat, requireTraceId: true });
                }
            }
            if (typeof mesh.accessLogFormat === "string" && mesh.accessLogFormat !== "") {
                where.push({ label: "meshConfig.accessLogFormat", value: mesh.accessLogFormat, requireTraceId: true });
            }
        }
        if (TYPES.envoyFilter.includes(args.type as never)) {
            const formats = strings(args.props.spec).filter((s) => /json_format|text_format|log_format/.test(s.path));
            where.push({ label: `EnvoyFilter ${ref(args.props)}`, value: formats.map((s) => s.value), requireTraceId: formats.length > 0 });
        }
        for (const w of where) {
            const values = strings(w.value).map((s) => s.value);
            if (values.some((v) => v.includes(STALE_TRACE_ID_OPERATOR))) {
                reportViolation(`${cap(w.label)} must log the trace id with ${TRACE_ID_OPERATOR}, not ${STALE_TRACE_ID_OPERATOR} (empty when the client sent no B3 header).`);
            } else if (w.requireTraceId && !values.some((v) => v.includes(TRACE_ID_OPERATOR))) {
                reportViolation(`${cap(w.label)} must carry the trace id; expected a field with ${TRACE_ID_OPERATOR}.`);
            }
        }
    },
};

function cap(s: string): string {
    return s.charAt(0).toUpperCase() + s.slice(1);
}

export const EXT_AUTHZ_B3 = "ext-authz-must-forward-b3-headers";

/** HTTP ext-authz lists the B3 ids; gRPC ext-authz has no list (it sends every header). */
export const extAuthzMustForwardB3Headers: ResourceValidationPolicy = {
    name: EXT_AUTHZ_B3,
    description: "An HTTP ext-authz provider must forward the B3 trace headers, and a gRPC ext-authz provider must not carry a header list it does not have.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: `HTTP: add ${REQUIRED_EXT_AUTHZ_B3_HEADERS.join(", ")} to includeRequestHeadersInCheck. gRPC: remove includeHeadersInCheck (gRPC ext_authz already sends every request header).`,
    url: "https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-ExtensionProvider-EnvoyExternalAuthorizationHttpProvider",
    validateResource: (args, reportViolation) => {
        const mesh = meshConfigOf(args.type, args.props);
        for (const p of mesh === undefined ? [] : extensionProviders(mesh)) {
            if (p.envoyExtAuthzHttp !== undefined) {
                const http: Obj = p.envoyExtAuthzHttp;
                const listed = [...(http.includeRequestHeadersInCheck ?? []), ...(http.includeHeadersInCheck ?? [])].map((h: string) => String(h).toLowerCase());
                const missing = REQUIRED_EXT_AUTHZ_B3_HEADERS.filter((h) => !listed.includes(h));
                if (missing.length > 0) {
                    reportViolation(`HTTP ext-authz provider ${p.name} must forward ${REQUIRED_EXT_AUTHZ_B3_HEADERS.join(" and ")} in includeRequestHeadersInCheck; missing: ${missing.join(", ")}.`);
                }
            }
            if (p.envoyExtAuthzGrpc !== undefined) {
                const extra = ["includeHeadersInCheck", "includeRequestHeadersInCheck"].filter((k) => p.envoyExtAuthzGrpc[k] !== undefined);
                if (extra.length > 0) {
                    reportViolation(`gRPC ext-authz provider ${p.name} must not set ${extra.join(", ")} (not a field of the gRPC provider; gRPC ext_authz sends every request header); expected no header list.`);
                }
            }
        }
    },
};

export const SAMPLING_CEILING = "telemetry-sampling-must-not-exceed-ceiling";

/** Config of {@link telemetrySamplingMustNotExceedCeiling}. */
export interface TelemetrySamplingArgs {
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
        if (!TYPES.telemetry.includes(args.type as never)) {
            return;
        }
        const { maxSamplingPercentage } = configOf<TelemetrySamplingArgs>(args);
        for (const t of args.props.spec?.tracing ?? []) {
            const pct = t.randomSamplingPercentage;
            if (typeof pct === "number" && pct > maxSamplingPercentage) {
                reportViolation(`Telemetry ${ref(args.props)} must sample at most ${maxSamplingPercentage}% of requests; randomSamplingPercentage is ${pct}.`);
            }
        }
    },
};

export const OTEL_B3 = "otlp-exporters-must-propagate-b3";

/** Apps that export to the collector propagate B3, the ids the gateway and sidecar put on the request. */
export const otlpExportersMustPropagateB3: ResourceValidationPolicy = {
    name: OTEL_B3,
    description: "Workloads that export OTLP to the stack's collector must list b3 or b3multi in OTEL_PROPAGATORS, or their spans start new traces.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Set OTEL_PROPAGATORS=b3,tracecontext,baggage (the stack output appTracingEnvironment), or b3multi to read the x-b3-* headers.",
    url: "https://opentelemetry.io/docs/languages/sdk-configuration/general/#otel_propagators",
    validateResource: (args, reportViolation) => {
        if (!WORKLOAD_TYPES.includes(args.type) && args.type !== TYPES.pod) {
            return;
        }
        for (const c of containersOf(podTemplate(args.type, args.props))) {
            const endpoint = envValue(c, "OTEL_EXPORTER_OTLP_ENDPOINT") ?? envValue(c, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
            if (endpoint === undefined || !endpoint.includes(COLLECTOR_SERVICE.name)) {
                continue;
            }
            const propagators = (envValue(c, "OTEL_PROPAGATORS") ?? "tracecontext,baggage").split(",").map((s) => s.trim());
            if (!propagators.some((p) => B3_PROPAGATORS.includes(p))) {
                reportViolation(
                    `Container ${c.name} of ${ref(args.props)} must list b3 or b3multi in OTEL_PROPAGATORS to join the mesh's traces; it has ${propagators.join(",")}, expected b3,tracecontext,baggage.`,
                );
            }
        }
    },
};

export const tracingPolicies = [
    zipkinTargetMustBeClusterIpService,
    meshConfigMustNotUseDeprecatedTracing,
    accessLogMustUseTraceId,
    extAuthzMustForwardB3Headers,
    telemetrySamplingMustNotExceedCeiling,
    otlpExportersMustPropagateB3,
];
