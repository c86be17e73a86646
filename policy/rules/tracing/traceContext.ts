/** How trace context travels with a request: through ext-authz to the authorization service, and into the apps' own spans. */
import * as k8s from "@pulumi/kubernetes";
import { ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { COLLECTOR_SERVICE, OTEL_PROPAGATORS_BY_PROVIDER, REQUIRED_EXT_AUTHZ_B3_HEADERS, REQUIRED_PROPAGATORS, TRACING_PROVIDERS, TracingProvider } from "../../../lib/constants";
import { StackResource, TYPES, asList, asObject, at, containersOf, customResourceOf, envValue, extensionProviders, meshConfigOf, propsOfType, ref, workloadOf } from "../../lib/k8s";
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
