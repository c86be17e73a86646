import * as pulumi from "@pulumi/pulumi";

/**
 * Every component's type token, in one module (`observability:index`, as pulumi-eks spells its components
 * `eks:index:<Type>`), with the tokens it had before. Until commit a1d4ad7 the components lived in six modules
 * (`:istio`, `:tracing`, `:network`, `:mesh`, `:metrics`, `:ui`). A resource's URN holds its type and its parents'
 * types, so a new token alone would make the engine delete every object of an existing stack and create it again;
 * the old token as an alias makes it the same resource, and the engine derives the children's aliases from the
 * parent's (e2e/typeAliases.e2e.ts: `up` of a stack created by the program at a1d4ad7 changes nothing).
 * @see https://www.pulumi.com/docs/iac/concepts/options/aliases/
 */
export const COMPONENT_TYPES = {
    ObservabilityStack: { type: "observability:index:ObservabilityStack", previous: [] },
    ExternalServices: { type: "observability:index:ExternalServices", previous: ["observability:istio:ExternalServices"] },
    IstioMesh: { type: "observability:index:IstioMesh", previous: ["observability:istio:IstioMesh"] },
    Jaeger: { type: "observability:index:Jaeger", previous: ["observability:tracing:Jaeger"] },
    JaegerIngressPolicies: { type: "observability:index:JaegerIngressPolicies", previous: ["observability:network:JaegerIngressPolicies"] },
    Kiali: { type: "observability:index:Kiali", previous: ["observability:mesh:Kiali"] },
    MeshTelemetry: { type: "observability:index:MeshTelemetry", previous: ["observability:istio:MeshTelemetry"] },
    PrometheusMonitors: { type: "observability:index:PrometheusMonitors", previous: ["observability:metrics:PrometheusMonitors"] },
    TracingNetworkPolicies: { type: "observability:index:TracingNetworkPolicies", previous: ["observability:network:TracingNetworkPolicies"] },
    UiExposure: { type: "observability:index:UiExposure", previous: ["observability:ui:UiExposure"] },
    Waypoints: { type: "observability:index:Waypoints", previous: [] },
} as const satisfies Record<string, { readonly type: `observability:index:${string}`; readonly previous: readonly string[] }>;

/** A component of this package, by its class name. */
export type ComponentName = keyof typeof COMPONENT_TYPES;

/** The component's type token, for `super(...)`. */
export function componentType(component: ComponentName): string {
    return COMPONENT_TYPES[component].type;
}

/** The caller's options with the component's previous type tokens added to the caller's own `aliases`. */
export function withTypeAliases(component: ComponentName, opts: pulumi.ComponentResourceOptions | undefined): pulumi.ComponentResourceOptions {
    const previous: readonly string[] = COMPONENT_TYPES[component].previous;
    if (previous.length === 0) {
        return { ...opts };
    }
    return { ...opts, aliases: [...(opts?.aliases ?? []), ...previous.map((type) => ({ type }))] };
}
