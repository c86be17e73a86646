/**
 * Tracing plumbing: where the mesh sends spans, how much it samples, what the access log carries,
 * what ext-authz forwards and how apps propagate context.
 */
import * as k8s from "@pulumi/kubernetes";
import { ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import {
    COLLECTOR_SERVICE,
    OTEL_PROPAGATORS_BY_PROVIDER,
    REQUIRED_EXT_AUTHZ_B3_HEADERS,
    REQUIRED_PROPAGATORS,
    STALE_TRACE_ID_OPERATOR,
    TRACE_ID_OPERATOR,
    TRACING_PROVIDERS,
    TracingProvider,
} from "../../lib/constants";
import {
    ConfigMapProps,
    CustomResourceProps,
    StackResource,
    TYPES,
    asList,
    asObject,
    at,
    containersOf,
    customResourceOf,
    envValue,
    extensionProviders,
    meshConfigOf,
    nameOf,
    namespaceOf,
    parseServiceHost,
    propsOfType,
    ref,
    selects,
    strings,
    workloadOf,
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
                    reportViolation(
                        `Zipkin provider ${p.name} must target a Service defined in the stack; ${host} is not one (expected ${COLLECTOR_SERVICE.name} in the Jaeger namespace).`,
                        r.urn,
                    );
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
        const replace = (text: string) => text.split(STALE_TRACE_ID_OPERATOR).join(TRACE_ID_OPERATOR);
        const filter = customResourceOf(TYPES.envoyFilter, args);
        if (filter !== undefined && JSON.stringify(filter).includes(STALE_TRACE_ID_OPERATOR)) {
            return JSON.parse(replace(JSON.stringify(filter))) as Record<string, unknown>;
        }
        const cm = args.asType(k8s.core.v1.ConfigMap);
        const mesh = cm?.data?.mesh;
        if (cm !== undefined && meshConfigOf(cm) !== undefined && typeof mesh === "string" && mesh.includes(STALE_TRACE_ID_OPERATOR)) {
            return { ...cm, data: { ...cm.data, mesh: replace(mesh) } };
        }
        return undefined;
    },
    validateResource: [
        validateResourceOfType(k8s.core.v1.ConfigMap, (cm, _args, reportViolation) => checkAccessLogFormats(meshAccessLogFormats(cm), reportViolation)),
        (args, reportViolation) => {
            const filter = customResourceOf(TYPES.envoyFilter, args);
            if (filter !== undefined) {
                checkAccessLogFormats(envoyFilterFormats(filter), reportViolation);
            }
        },
    ],
};

interface AccessLogFormat {
    readonly label: string;
    readonly value: unknown;
    readonly requireTraceId: boolean;
}

/** Access-log formats of a mesh config: the file access-log providers and `accessLogFormat`. */
function meshAccessLogFormats(cm: ConfigMapProps): AccessLogFormat[] {
    const mesh = meshConfigOf(cm);
    if (mesh === undefined) {
        return [];
    }
    const where: AccessLogFormat[] = [];
    for (const p of extensionProviders(mesh)) {
        const logFormat = at(p, ["envoyFileAccessLog", "logFormat"]);
        if (logFormat !== undefined) {
            where.push({ label: `access-log provider ${p.name}`, value: logFormat, requireTraceId: true });
        }
    }
    if (typeof mesh.accessLogFormat === "string" && mesh.accessLogFormat !== "") {
        where.push({ label: "meshConfig.accessLogFormat", value: mesh.accessLogFormat, requireTraceId: true });
    }
    return where;
}

/** The access-log formats an EnvoyFilter patches in (json_format, text_format, log_format). */
function envoyFilterFormats(filter: CustomResourceProps): AccessLogFormat[] {
    const formats = strings(filter.spec).filter((s) => /json_format|text_format|log_format/.test(s.path));
    return [{ label: `EnvoyFilter ${ref(filter)}`, value: formats.map((s) => s.value), requireTraceId: formats.length > 0 }];
}

function checkAccessLogFormats(where: readonly AccessLogFormat[], reportViolation: (message: string) => void): void {
    for (const w of where) {
        const values = strings(w.value).map((s) => s.value);
        if (values.some((v) => v.includes(STALE_TRACE_ID_OPERATOR))) {
            reportViolation(`${cap(w.label)} must log the trace id with ${TRACE_ID_OPERATOR}, not ${STALE_TRACE_ID_OPERATOR} (empty when the client sent no B3 header).`);
        } else if (w.requireTraceId && !values.some((v) => v.includes(TRACE_ID_OPERATOR))) {
            reportViolation(`${cap(w.label)} must carry the trace id; expected a field with ${TRACE_ID_OPERATOR}.`);
        }
    }
}

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
    validateResource: validateResourceOfType(k8s.core.v1.ConfigMap, (cm, _args, reportViolation) => {
        const mesh = meshConfigOf(cm);
        for (const p of mesh === undefined ? [] : extensionProviders(mesh)) {
            const http = asObject(p.envoyExtAuthzHttp);
            if (http !== undefined) {
                const listed = [...asList(http.includeRequestHeadersInCheck), ...asList(http.includeHeadersInCheck)].map((h) => String(h).toLowerCase());
                const missing = REQUIRED_EXT_AUTHZ_B3_HEADERS.filter((h) => !listed.includes(h));
                if (missing.length > 0) {
                    reportViolation(`HTTP ext-authz provider ${p.name} must forward ${REQUIRED_EXT_AUTHZ_B3_HEADERS.join(" and ")} in includeRequestHeadersInCheck; missing: ${missing.join(", ")}.`);
                }
            }
            const grpc = asObject(p.envoyExtAuthzGrpc);
            if (grpc !== undefined) {
                const extra = ["includeHeadersInCheck", "includeRequestHeadersInCheck"].filter((k) => grpc[k] !== undefined);
                if (extra.length > 0) {
                    reportViolation(`gRPC ext-authz provider ${p.name} must not set ${extra.join(", ")} (not a field of the gRPC provider; gRPC ext_authz sends every request header); expected no header list.`);
                }
            }
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

export const OTEL_PROPAGATION = "otlp-exporters-must-propagate-mesh-trace-context";

/** A tracing provider a mesh of the stack uses: its kind (what its proxies put on requests) and its name. */
interface MeshTracingProvider {
    readonly kind: TracingProvider;
    readonly name?: string;
}

/**
 * The zipkin and opentelemetry providers the stack's meshes trace with: those named in a mesh config's
 * `defaultProviders.tracing` or selected by a Telemetry resource of the stack. Without a mesh config
 * in the stack, the program's default: zipkin.
 */
function meshTracingProviders(resources: readonly StackResource[]): MeshTracingProvider[] {
    const selected = new Set(
        resources.flatMap((r) => {
            const telemetry = customResourceOf(TYPES.telemetry, r);
            return asList(telemetry?.spec?.tracing).flatMap((t) => asList(at(t, ["providers"])).map((p) => String(at(p, ["name"]))));
        }),
    );
    const found = new Map<string, MeshTracingProvider>();
    let meshes = 0;
    for (const r of resources) {
        const cm = propsOfType(k8s.core.v1.ConfigMap, r);
        const mesh = cm === undefined ? undefined : meshConfigOf(cm);
        if (mesh === undefined) {
            continue;
        }
        meshes += 1;
        const defaults = asList(at(mesh, ["defaultProviders", "tracing"])).map(String);
        for (const p of extensionProviders(mesh)) {
            const kind = TRACING_PROVIDERS.find((k) => asObject(p[k]) !== undefined);
            if (kind !== undefined && (defaults.includes(p.name) || selected.has(p.name))) {
                found.set(`${kind}/${p.name}`, { kind, name: p.name });
            }
        }
    }
    return meshes === 0 && found.size === 0 ? [{ kind: "zipkin" }] : [...found.values()];
}

/** What each provider's proxies send, for the message. */
const SENDS: Readonly<Record<TracingProvider, string>> = { zipkin: "B3 headers", opentelemetry: "W3C traceparent" };

/**
 * Apps that export to the collector read the trace context the mesh's proxies put on the request:
 * B3 (`b3` or `b3multi`) with the zipkin provider, W3C trace context (`tracecontext`) with the opentelemetry one.
 */
export const otlpExportersMustPropagateMeshTraceContext: StackValidationPolicy = {
    name: OTEL_PROPAGATION,
    description:
        "Workloads that export OTLP to the stack's collector must list in OTEL_PROPAGATORS a propagator that reads the trace context the mesh's tracing provider sends (b3 or b3multi for zipkin, tracecontext for opentelemetry), or their spans start new traces.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: `Use the stack output appTracingEnvironment: OTEL_PROPAGATORS=${OTEL_PROPAGATORS_BY_PROVIDER.zipkin.join(",")} with tracing.provider zipkin, ${OTEL_PROPAGATORS_BY_PROVIDER.opentelemetry.join(",")} with opentelemetry.`,
    url: "https://opentelemetry.io/docs/languages/sdk-configuration/general/#otel_propagators",
    validateStack: (args, reportViolation) => {
        const resources = stackResources(args);
        const providers = meshTracingProviders(resources);
        for (const r of resources) {
            const w = workloadOf(r);
            for (const c of containersOf(w?.template)) {
                const endpoint = envValue(c, "OTEL_EXPORTER_OTLP_ENDPOINT") ?? envValue(c, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
                if (!endpoint?.includes(COLLECTOR_SERVICE.name)) {
                    continue;
                }
                // The OpenTelemetry SDKs' default when the variable is unset.
                const propagators = (envValue(c, "OTEL_PROPAGATORS") ?? "tracecontext,baggage").split(",").map((p) => p.trim());
                for (const p of providers) {
                    const required = REQUIRED_PROPAGATORS[p.kind];
                    if (!propagators.some((x) => required.includes(x))) {
                        const provider = p.name === undefined ? `the default ${p.kind} provider` : `${p.kind} provider ${p.name}`;
                        reportViolation(
                            `Container ${c.name} of ${ref({ metadata: w?.metadata })} must list ${required.join(" or ")} in OTEL_PROPAGATORS to join the mesh's traces (${provider} sends ${SENDS[p.kind]}); it has ${propagators.join(",")}, expected ${OTEL_PROPAGATORS_BY_PROVIDER[p.kind].join(",")}.`,
                            r.urn,
                        );
                    }
                }
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
    otlpExportersMustPropagateMeshTraceContext,
];
