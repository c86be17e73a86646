/** Which charts a stack installs, read from Chart resources and from the labels of what they render. */
import { Obj, StackResource, TYPES } from "./k8s";

export interface InstalledChart {
    readonly chart: string;
    readonly version: string;
    readonly urn: string;
    /** Chart values when the Chart resource itself is visible (Chart v4 / v3 inputs). */
    readonly values?: Obj;
}

export const CHART_TYPES: readonly string[] = [TYPES.chartV4, TYPES.chartV3, TYPES.releaseV3];

/** `helm.sh/chart: <name>-<version>` -> name and version. */
export function parseChartLabel(label: unknown): { chart: string; version: string } | undefined {
    const m = typeof label === "string" ? /^(.+)-(\d+\.\d+\.\d+[^-]*(?:-[0-9A-Za-z.]+)?)$/.exec(label) : null;
    return m === null ? undefined : { chart: m[1], version: m[2] };
}

/** One entry per chart/version: Chart resources first (they carry values), then rendered children. */
export function installedCharts(resources: readonly StackResource[]): InstalledChart[] {
    const out = new Map<string, InstalledChart>();
    for (const r of resources) {
        if (CHART_TYPES.includes(r.type) && typeof r.props.chart === "string") {
            const chart = r.props.chart.split("/").pop() as string;
            const version = String(r.props.version ?? "");
            out.set(`${chart}@${version}`, { chart, version, urn: r.urn, values: r.props.values ?? {} });
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
