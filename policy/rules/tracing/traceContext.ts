/** How trace context travels with a request: through ext-authz to the authorization service, and into the apps' own spans. */
import * as k8s from "@pulumi/kubernetes";
import { ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { ZIPKIN_W3C_SINCE_ISTIO, istioZipkinPropagatesW3c } from "../../../lib/charts";
import {
    COLLECTOR_SERVICE,
    MeshTraceContext,
    OTEL_PROPAGATORS_BY_CONTEXT,
    PROVIDER_TRACE_CONTEXT,
    REQUIRED_EXT_AUTHZ_B3_HEADERS,
    REQUIRED_PROPAGATORS,
    TRACING_PROVIDERS,
    TracingProvider,
    ZIPKIN_B3_WITH_W3C,
} from "../../../lib/constants";
import { parseChartLabel } from "../../lib/charts";
import { JsonObject, StackResource, TYPES, asList, asObject, at, containersOf, customResourceOf, envValue, extensionProviders, meshConfigOf, propsOfType, ref, workloadOf } from "../../lib/k8s";
import { stackResources } from "../../lib/policy";

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
                    reportViolation(
                        `gRPC ext-authz provider ${p.name} must not set ${extra.join(", ")} (not a field of the gRPC provider; gRPC ext_authz sends every request header); expected no header list.`,
                    );
                }
            }
        }
    }),
};

export const OTEL_PROPAGATION = "otlp-exporters-must-propagate-mesh-trace-context";

/** A tracing provider a mesh of the stack uses: its kind, its name, and the trace context its proxies send. */
interface MeshTracingProvider {
    readonly kind: TracingProvider;
    readonly name?: string;
    readonly context: MeshTraceContext;
    /** Why a zipkin provider that asks for W3C propagation sends B3 only (its istiod is older than Istio 1.28). */
    readonly ignored?: string;
}

/** Istio's enum as istiod decodes it (protojson: the JSON name or the proto name, the value's name or its number). */
function asksForW3c(zipkin: JsonObject): boolean {
    const option = zipkin.traceContextOption ?? zipkin.trace_context_option;
    return option === ZIPKIN_B3_WITH_W3C || option === 1;
}

/**
 * What a zipkin provider's proxies send: B3, or B3 and W3C with `traceContextOption: USE_B3_WITH_W3C_PROPAGATION`
 * where the mesh config's istiod (its `helm.sh/chart` label) is Istio 1.28 or later or not labelled; an older istiod
 * has no such field and drops it unread (istio/istio 1.24.2 pkg/util/protomarshal/protomarshal.go `ApplyJSON`).
 */
function zipkinContext(zipkin: JsonObject, istiod: { chart: string; version: string } | undefined): Pick<MeshTracingProvider, "context" | "ignored"> {
    if (!asksForW3c(zipkin)) {
        return { context: "b3" };
    }
    if (istiod?.chart === "istiod" && !istioZipkinPropagatesW3c(istiod.version)) {
        return {
            context: "b3",
            ignored: `its traceContextOption ${ZIPKIN_B3_WITH_W3C} needs Istio ${ZIPKIN_W3C_SINCE_ISTIO.major}.${ZIPKIN_W3C_SINCE_ISTIO.minor} or later, and the istiod chart is ${istiod.version}`,
        };
    }
    return { context: "b3+w3c" };
}

/**
 * The zipkin and opentelemetry providers the stack's meshes trace with: those named in a mesh config's
 * `defaultProviders.tracing` or selected by a Telemetry resource of the stack. Without a mesh config
 * in the stack, the program's default: zipkin with B3.
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
        const istiod = parseChartLabel(cm?.metadata?.labels?.["helm.sh/chart"]);
        const defaults = asList(at(mesh, ["defaultProviders", "tracing"])).map(String);
        for (const p of extensionProviders(mesh)) {
            const kind = TRACING_PROVIDERS.find((k) => asObject(p[k]) !== undefined);
            if (kind !== undefined && (defaults.includes(p.name) || selected.has(p.name))) {
                const zipkin = asObject(p.zipkin);
                const context = zipkin === undefined ? { context: PROVIDER_TRACE_CONTEXT[kind] } : zipkinContext(zipkin, istiod);
                found.set(`${kind}/${p.name}/${context.context}`, { kind, name: p.name, ...context });
            }
        }
    }
    return meshes === 0 && found.size === 0 ? [{ kind: "zipkin", context: "b3" }] : [...found.values()];
}

/** What the proxies send, for the message. */
const SENDS: Readonly<Record<MeshTraceContext, string>> = { b3: "B3 headers", "b3+w3c": "B3 headers and W3C traceparent", w3c: "W3C traceparent" };

/** `a`, `a or b`, `a, b or c` */
function either(names: readonly string[]): string {
    return names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;
}

/**
 * Apps that export to the collector read the trace context the mesh's proxies put on the request:
 * B3 (`b3` or `b3multi`) with the zipkin provider, W3C trace context (`tracecontext`) with the opentelemetry one,
 * and either with a zipkin provider that propagates both (`traceContextOption: USE_B3_WITH_W3C_PROPAGATION`, Istio >= 1.28).
 */
export const otlpExportersMustPropagateMeshTraceContext: StackValidationPolicy = {
    name: OTEL_PROPAGATION,
    description:
        "Workloads that export OTLP to the stack's collector must list in OTEL_PROPAGATORS a propagator that reads the trace context the mesh's tracing provider sends (b3 or b3multi for zipkin, tracecontext for opentelemetry, either for zipkin with W3C propagation), or their spans start new traces.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: `Use the stack output appTracingEnvironment: OTEL_PROPAGATORS=${OTEL_PROPAGATORS_BY_CONTEXT.b3.join(",")} with tracing.provider zipkin and propagation b3, ${OTEL_PROPAGATORS_BY_CONTEXT["b3+w3c"].join(",")} with zipkin and b3+w3c, ${OTEL_PROPAGATORS_BY_CONTEXT.w3c.join(",")} with opentelemetry.`,
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
                    const required = REQUIRED_PROPAGATORS[p.context];
                    if (!propagators.some((x) => required.includes(x))) {
                        const provider = p.name === undefined ? `the default ${p.kind} provider` : `${p.kind} provider ${p.name}`;
                        reportViolation(
                            `Container ${c.name} of ${ref({ metadata: w?.metadata })} must list ${either(required)} in OTEL_PROPAGATORS to join the mesh's traces (${provider} sends ${SENDS[p.context]}${p.ignored === undefined ? "" : `: ${p.ignored}`}); it has ${propagators.join(",")}, expected ${OTEL_PROPAGATORS_BY_CONTEXT[p.context].join(",")}.`,
                            r.urn,
                        );
                    }
                }
            }
        }
    },
};
