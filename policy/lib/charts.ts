/**
 * Which charts a stack installs. Chart v4 resources reach analyzers with empty properties
 * (measured with the real engine), so the sources are: the program's releases ConfigMap (what was
 * asked of Helm, values included), Helm v3 Release/Chart resources (whose inputs are visible), and
 * the `helm.sh/chart` labels of the rendered objects (the resolved version only).
 */
import { RELEASES_CONFIGMAP } from "../../lib/constants";
import { Obj, StackResource, TYPES, nameOf } from "./k8s";

export interface InstalledChart {
    readonly chart: string;
    readonly version: string;
    readonly urn: string;
    /** Chart values when the Chart resource itself is visible (Chart v4 / v3 inputs). */
    readonly values?: Obj;
}

export const CHART_TYPES: readonly string[] = [TYPES.chartV4, TYPES.chartV3, TYPES.releaseV3];

/** The requested charts of a releases ConfigMap (undefined for any other object). */
export function releasesOf(type: string, props: Obj): { chart: string; version: unknown; values: Obj }[] | undefined {
    if (type !== TYPES.configMap || nameOf(props) !== RELEASES_CONFIGMAP.name || typeof props.data?.[RELEASES_CONFIGMAP.key] !== "string") {
        return undefined;
    }
    try {
        const list = JSON.parse(props.data[RELEASES_CONFIGMAP.key]);
        return Array.isArray(list) ? list.map((r: Obj) => ({ chart: String(r.chart), version: r.version, values: r.values ?? {} })) : undefined;
    } catch {
        return undefined;
    }
}

/** Requested charts of one resource: a Helm Release/Chart with visible inputs, or a releases ConfigMap. */
export function requestedCharts(type: string, props: Obj): { chart: string; version: unknown; values: Obj }[] {
    if (CHART_TYPES.includes(type) && typeof props.chart === "string") {
        return [{ chart: props.chart.split("/").pop() as string, version: props.version, values: props.values ?? {} }];
    }
    return releasesOf(type, props) ?? [];
}

/** `helm.sh/chart: <name>-<version>` -> name and version. */
export function parseChartLabel(label: unknown): { chart: string; version: string } | undefined {
    const m = typeof label === "string" ? /^(.+)-(\d+\.\d+\.\d+[^-]*(?:-[0-9A-Za-z.]+)?)$/.exec(label) : null;
    return m === null ? undefined : { chart: m[1], version: m[2] };
}

/** One entry per chart/version: Chart resources first (they carry values), then rendered children. */
export function installedCharts(resources: readonly StackResource[]): InstalledChart[] {
    const out = new Map<string, InstalledChart>();
    for (const r of resources) {
        for (const c of requestedCharts(r.type, r.props)) {
            const version = String(c.version ?? "");
            out.set(`${c.chart}@${version}`, { chart: c.chart, version, urn: r.urn, values: c.values });
        }
    }
    for (const r of resources) {
        const parsed = parseChartLabel(r.props?.metadata?.labels?.["helm.sh/chart"]);
        if (parsed !== undefined && !out.has(`${parsed.chart}@${parsed.version}`)) {
            out.set(`${parsed.chart}@${parsed.version}`, { ...parsed, urn: r.urn });
        }
    }
    return [...out.values()];
}
