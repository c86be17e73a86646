import * as kx from "@pulumi/kubernetesx";
import * as pulumi from "@pulumi/pulumi";
import { AppTraceContext, appTracingEnvMap } from "../lib/appTracing";

/**
 * An app container with the stack's tracing environment added. A tracing variable the container
 * sets itself is rejected, so the values cannot drift from the collector the stack deploys.
 * For use with `@pulumi/kubernetesx` (`new kx.PodBuilder({ containers: [tracedContainer(...)] })`).
 * `traceContext` is what the mesh's proxies send, the stack's `traceContext` (`b3`, `b3+w3c` or `w3c`; a provider
 * name means what that provider sends by default): the propagators follow it (lib/appTracing.ts). @default "zipkin" (B3)
 */
export function tracedContainer(serviceName: string, container: kx.types.Container, traceContext: AppTraceContext = "zipkin"): kx.types.Container {
    const tracing = appTracingEnvMap(serviceName, undefined, traceContext);
    const own = container.env;
    if (own !== undefined && !Array.isArray(own) && typeof own === "object" && !("apply" in own) && !(own instanceof Promise)) {
        const clash = Object.keys(own).filter((k) => k in tracing);
        if (clash.length > 0) {
            throw new pulumi.InputPropertyError({
                propertyPath: "container.env",
                reason: `tracedContainer: env ${clash.join(", ")} is set by the tracing stack; remove it from the container`,
            });
        }
        return { ...container, env: { ...tracing, ...own } };
    }
    if (own !== undefined) {
        throw new pulumi.InputPropertyError({ propertyPath: "container.env", reason: "tracedContainer: pass env as a map (kx EnvMap) so the tracing variables can be merged" });
    }
    return { ...container, env: tracing };
}

/** A kubernetesx PodBuilder for one traced app container. */
export function tracedPod(serviceName: string, container: kx.types.Container, traceContext: AppTraceContext = "zipkin"): kx.PodBuilder {
    return new kx.PodBuilder({ containers: [tracedContainer(serviceName, container, traceContext)] });
}
