import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ChartSource } from "../lib/charts";

/** Helm values: plain data only (no Outputs), so that Chart v4 can render at preview time. */
export type HelmValues = Readonly<Record<string, unknown>>;

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

/** How a chart is rendered when lib/chartSchema.ts had something to say: a local copy, and the note for the releases record. */
export interface ChartRendering {
    readonly localPath?: string;
    readonly note?: string;
}

/** What the stack asked Helm for: one entry of the releases ConfigMap (see RELEASES_CONFIGMAP). */
export interface ChartRelease {
    readonly release: string;
    readonly namespace: string;
    readonly repo: string;
    readonly chart: string;
    readonly version: string;
    readonly values: HelmValues;
    /** What lib/chartSchema.ts did: a local copy rendered instead, or why its check was skipped. */
    readonly note?: string;
}

const SECRET_KEY = /(signing_key|password|token|secret)$/i;

/**
 * Values with secrets replaced by `<redacted>` (a key that names a secret and holds a literal).
 * References stay readable: `secret:<name>:<key>` and `${env:...}` carry no secret.
 */
export function redactSecrets(values: unknown, key = ""): unknown {
    if (Array.isArray(values)) {
        return values.map((v) => redactSecrets(v));
    }
    if (typeof values === "object" && values !== null) {
        return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, redactSecrets(v, k)]));
    }
    if (typeof values === "string" && values !== "" && SECRET_KEY.test(key) && !values.startsWith("secret:") && !values.startsWith("${env:")) {
        return "<redacted>";
    }
    return values;
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
 * one {@link ChartSource}; `values` must be known at preview time. Returns the chart and the
 * record of what was asked for.
 */
export function installChart(
    name: string,
    source: ChartSource,
    args: { releaseName: string; namespace: string; values: HelmValues; skipAwait: boolean; rendering?: ChartRendering; note?: string },
    opts: pulumi.ComponentResourceOptions,
): { chart: k8s.helm.v4.Chart; release: ChartRelease } {
    assertPlainValues(source.chart, args.values);
    const release: ChartRelease = {
        release: args.releaseName,
        namespace: args.namespace,
        ...source,
        values: redactSecrets(args.values) as HelmValues,
        ...(args.rendering?.note !== undefined || args.note !== undefined ? { note: [args.rendering?.note, args.note].filter((n) => n !== undefined).join("; ") } : {}),
    };
    const from =
        args.rendering?.localPath !== undefined
            ? { chart: args.rendering.localPath }
            : source.repo.startsWith("oci://")
              ? { chart: `${source.repo.replace(/\/+$/, "")}/${source.chart}`, version: source.version }
              : { chart: source.chart, version: source.version, repositoryOpts: { repo: source.repo } };
    const chart = new k8s.helm.v4.Chart(
        name,
        {
            name: args.releaseName,
            namespace: args.namespace,
            ...from,
            values: args.values as Record<string, unknown>,
            skipAwait: args.skipAwait,
        },
        opts,
    );
    return { chart, release };
}

/** Annotation that tells the Kubernetes provider not to wait for readiness (no nodes in the local stack). */
export function awaitAnnotations(awaitReadiness: boolean): Record<string, string> {
    return awaitReadiness ? {} : { "pulumi.com/skipAwait": "true" };
}
