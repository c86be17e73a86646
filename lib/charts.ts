/**
 * Chart coordinates: for every Helm chart the stack installs, its name, repository URL and pinned
 * version live here and nowhere else. Stack config may override each of them (for a mirror, or the
 * reference versions); these are the defaults, the current upstream releases (Nov 2026).
 * No imports, so the policy pack can read the same table.
 */

/** The charts the stack installs, keyed by the role they play. */
export type ChartRole = "istioBase" | "istiod" | "istioGateway" | "istioCni" | "ztunnel" | "jaeger" | "kiali";

/** The charts of Istio's control plane and ingress, one Istio release: they must share one version. */
export const ISTIO_CHART_ROLES = ["istioBase", "istiod", "istioGateway"] as const satisfies readonly ChartRole[];

/** The charts of the ambient data plane (installed with `mesh.dataPlane: ambient` only), of the same Istio release. */
export const AMBIENT_CHART_ROLES = ["istioCni", "ztunnel"] as const satisfies readonly ChartRole[];

/** Where a chart comes from: a Helm repository URL, the chart name in it and an exact version. */
export interface ChartSource {
    /** Helm repository URL: http(s) (e.g. a loopback mirror in tests) or an OCI registry (`oci://`). */
    readonly repo: string;
    /** Chart name inside the repository. */
    readonly chart: string;
    /** Exact chart version (no range). */
    readonly version: string;
}

const ISTIO_REPO = "https://istio-release.storage.googleapis.com/charts";
const JAEGER_REPO = "https://jaegertracing.github.io/helm-charts";
const KIALI_REPO = "https://kiali.org/helm-charts";

/** Current versions: Istio 1.30.3, jaeger 4.11.1 (Jaeger v2.19.0), kiali-server 2.29.0. */
export const DEFAULT_CHARTS: Readonly<Record<ChartRole, ChartSource>> = {
    istioBase: { repo: ISTIO_REPO, chart: "base", version: "1.30.3" },
    istiod: { repo: ISTIO_REPO, chart: "istiod", version: "1.30.3" },
    istioGateway: { repo: ISTIO_REPO, chart: "gateway", version: "1.30.3" },
    istioCni: { repo: ISTIO_REPO, chart: "cni", version: "1.30.3" },
    ztunnel: { repo: ISTIO_REPO, chart: "ztunnel", version: "1.30.3" },
    jaeger: { repo: JAEGER_REPO, chart: "jaeger", version: "4.11.1" },
    kiali: { repo: KIALI_REPO, chart: "kiali-server", version: "2.29.0" },
};

/** The versions the reference deployment ran (Istio 1.24.2 pairs with Kiali 2.1; it ran sidecars, so no cni or ztunnel). */
export const REFERENCE_VERSIONS: Readonly<Record<Exclude<ChartRole, (typeof AMBIENT_CHART_ROLES)[number]>, string>> = {
    istioBase: "1.24.2",
    istiod: "1.24.2",
    istioGateway: "1.24.2",
    jaeger: "3.4.1",
    kiali: "2.1.0",
};

/** An exact semantic version: `MAJOR.MINOR.PATCH` with an optional pre-release; no range, no `v`. */
export const EXACT_VERSION = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/** Major and minor of an exact version, or undefined when it is not one. */
export function parseVersion(version: string): { major: number; minor: number; patch: number } | undefined {
    const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
    if (!EXACT_VERSION.test(version) || !m) {
        return undefined;
    }
    return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

/**
 * The first Istio release whose zipkin provider takes `traceContextOption` (B3 with W3C propagation): istio.io/api
 * 1.28 added the field, and istiod sends it only to proxies of 1.28 or later (istio/istio 1.30.3
 * pilot/pkg/networking/core/tracing.go `zipkinConfig`). Istio 1.24 has no such field: istiod drops it unread.
 */
export const ZIPKIN_W3C_SINCE_ISTIO = { major: 1, minor: 28 } as const;

/** Whether an Istio (chart) version's zipkin provider can propagate W3C trace context beside B3; false for a version that is not exact. */
export function istioZipkinPropagatesW3c(version: string): boolean {
    return versionAtLeast(version, ZIPKIN_W3C_SINCE_ISTIO);
}

/**
 * The first Istio line the stack installs ambient mode on: the line of the cni and ztunnel charts it is proven with
 * (1.30.3), where istiod's `ambient` profile turns on waypoints and `ENABLE_INGRESS_WAYPOINT_ROUTING` (istio/istio
 * 1.30.3 pilot/pkg/features/ambient.go: on by default with ambient), so the ingress gateway's traffic reaches the waypoint.
 */
export const AMBIENT_SINCE_ISTIO = { major: 1, minor: 30 } as const;

/** The first kiali-server chart that reads waypoints' spans by the waypoint's name (`external_services.tracing.use_waypoint_name`, Kiali 2.22). */
export const KIALI_WAYPOINTS_SINCE = { major: 2, minor: 22 } as const;

/** Whether an exact version is at least `since` (major.minor); false for a version that is not exact. */
export function versionAtLeast(version: string, since: { readonly major: number; readonly minor: number }): boolean {
    const v = parseVersion(version);
    return v !== undefined && (v.major > since.major || (v.major === since.major && v.minor >= since.minor));
}

/** Jaeger chart lines: 3.x runs Jaeger v1 (end of life 2025-12-31), 4.x runs Jaeger v2. */
export type JaegerChartLine = "v1" | "v2";

/** The Jaeger line a chart version installs. */
export function jaegerChartLine(version: string): JaegerChartLine {
    const v = parseVersion(version);
    return v !== undefined && v.major >= 4 ? "v2" : "v1";
}

/**
 * Jaeger release each known jaeger chart version runs (its `appVersion`): the tag of the chart's maintenance
 * job images, which the program's own rollover init Job uses too (components/jaegerElasticsearch.ts).
 */
export const JAEGER_APP_VERSIONS: Readonly<Record<string, string>> = { "3.4.1": "1.53.0", "4.11.1": "2.19.0" };

/** Jaeger v1 reached end of life on this date (the 3.x chart line runs it). */
export const JAEGER_V1_END_OF_LIFE = "2025-12-31";
