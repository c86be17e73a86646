import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ChartSource } from "../lib/charts";

/** Helm values: plain data only (no Outputs), so that Chart v4 can render at preview time. */
export type HelmValues = { readonly [key: string]: unknown };

/**
 * Deep merge for Helm values: objects merge key by key, everything else (lists included) is
 * replaced by the override, like Helm's own `-f` layering. Returns a new object.
 */
export function mergeValues(base: HelmValues, override: HelmValues | undefined): HelmValues {
    if (override === undefined) {
        return base;
    }
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(override)) {
        const b = out[k];
        out[k] = isPlainObject(b) && isPlainObject(v) ? mergeValues(b, v) : v;
    }
    return out;
}

function isPlainObject(v: unknown): v is HelmValues {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Throws when `values` holds an Output or a Promise anywhere: Chart v4 registers no children in
 * preview when an input is unknown, so a pull-request preview would show (and check) nothing.
 */
export function assertPlainValues(chart: string, values: unknown, path = "values"): void {
    if (pulumi.Output.isInstance(values) || values instanceof Promise) {
        throw new pulumi.InputPropertyError({
            propertyPath: path,
            reason: `chart ${chart}: ${path} must be plain data known at preview time, not an Output or a Promise`,
        });
    }
    if (typeof values === "object" && values !== null) {
        for (const [k, v] of Object.entries(values)) {
            assertPlainValues(chart, v, Array.isArray(values) ? `${path}[${k}]` : `${path}.${k}`);
        }
    }
}

/**
 * Installs a chart through `k8s.helm.v4.Chart`, so every rendered object is a Pulumi resource:
 * previews list them and the policy pack sees them. Chart name, repository and version come from
 * one {@link ChartSource}; `values` must be known at preview time.
 */
export function installChart(
    name: string,
    source: ChartSource,
    args: { releaseName: string; namespace: string; values: HelmValues; skipAwait: boolean },
    opts: pulumi.ComponentResourceOptions,
): k8s.helm.v4.Chart {
    assertPlainValues(source.chart, args.values);
    return new k8s.helm.v4.Chart(
        name,
        {
            name: args.releaseName,
            namespace: args.namespace,
            chart: source.chart,
            version: source.version,
            repositoryOpts: { repo: source.repo },
            values: args.values as Record<string, unknown>,
            skipAwait: args.skipAwait,
        },
        opts,
    );
}

/** Annotation that tells the Kubernetes provider not to wait for readiness (no nodes in the local stack). */
export function awaitAnnotations(awaitReadiness: boolean): Record<string, string> {
    return awaitReadiness ? {} : { "pulumi.com/skipAwait": "true" };
}
