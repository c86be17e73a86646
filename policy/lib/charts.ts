/**
 * Which charts a stack installs. Chart v4 resources reach analyzers with empty properties
 * (measured with the real engine), so the sources are: the program's releases ConfigMap (what was
 * asked of Helm, values included), Helm v3 Release/Chart resources (whose inputs are visible), and
 * the `helm.sh/chart` labels of the rendered objects (the resolved version only).
 */
import { RELEASES_CONFIGMAP } from "../../lib/constants";
import { Obj, StackResource, TYPES, nameOf, ref } from "./k8s";
import { BlindSpot, plain, readKnown } from "./known";

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

/** A requested chart with the resource it was seen on. */
export interface RequestedChart {
    readonly chart: string;
    readonly version: unknown;
    readonly values: Obj;
    readonly urn: string;
}

/** What the pack cannot see, as a violation message on a resource. */
export interface ChartBlindSpot {
    readonly urn: string;
    readonly message: string;
}

/** What a policy needs of the requested charts: a phrase for messages, and whether it reads values (of which charts). */
export interface ChartNeeds {
    /** e.g. "its requested version" */
    readonly what: string;
    /** Charts whose values the policy reads; Helm v3 Releases of these charts must show their values. */
    readonly valuesOf?: readonly string[];
    /** The policy also reads the objects a Chart v4 renders (visible with full props), so it needs no record for them. */
    readonly readsRenderedObjects?: boolean;
}

/**
 * Every requested chart of a stack and what the pack cannot see, so that a policy that needs them reports a
 * blind spot instead of passing: a Chart v4 resource (whose inputs reach analyzers empty) when no readable
 * releases record is in the stack, an unreadable record, and a Helm v3 Release whose values are not visible
 * (given as valueYamlFiles, or unknown during preview).
 */
export function requestedChartsOfStack(resources: readonly StackResource[], needs: ChartNeeds): { charts: RequestedChart[]; blind: ChartBlindSpot[] } {
    const charts: RequestedChart[] = [];
    const blind: ChartBlindSpot[] = [];
    const unreadable: { urn: string; ref: string; reason: string }[] = [];
    const opaque: StackResource[] = [];
    let readableRecords = 0;
    const recordLabel = `ConfigMap ${RELEASES_CONFIGMAP.name}, key ${RELEASES_CONFIGMAP.key}`;
    for (const r of resources) {
        if (r.type === TYPES.configMap) {
            if (readKnown(r.urn, "name", () => nameOf(r.props), []) !== RELEASES_CONFIGMAP.name) {
                continue;
            }
            const unknown: BlindSpot[] = [];
            const text = readKnown(r.urn, RELEASES_CONFIGMAP.key, () => r.props.data?.[RELEASES_CONFIGMAP.key], unknown);
            const list = releasesOf(r.type, { ...r.props, data: { [RELEASES_CONFIGMAP.key]: text } });
            if (list === undefined) {
                const reason = unknown.length > 0 ? `${RELEASES_CONFIGMAP.key} is unknown during preview` : typeof text !== "string" ? `it has no ${RELEASES_CONFIGMAP.key}` : `${RELEASES_CONFIGMAP.key} is not a JSON list`;
                unreadable.push({ urn: r.urn, ref: ref(r.props), reason });
                continue;
            }
            readableRecords++;
            charts.push(...list.map((c) => ({ ...c, urn: r.urn })));
            continue;
        }
        if (!CHART_TYPES.includes(r.type)) {
            continue;
        }
        const unknown: BlindSpot[] = [];
        const seen = readKnown(r.urn, "chart", () => plain({ chart: r.props.chart, version: r.props.version, files: r.props.valueYamlFiles }), unknown);
        const kind = r.type === TYPES.releaseV3 ? "Helm Release" : r.type === TYPES.chartV4 ? "Chart v4 resource" : "Chart resource";
        if (seen === undefined) {
            blind.push({ urn: r.urn, message: `${kind} ${r.name} must have its chart and version known at preview for the pack to check ${needs.what}: ${unknown[0]?.reason ?? "unknown"}.` });
            continue;
        }
        if (typeof seen.chart !== "string") {
            if (r.type === TYPES.chartV4 && needs.readsRenderedObjects !== true) {
                opaque.push(r);
            }
            continue;
        }
        const chart = seen.chart.split("/").pop() as string;
        const readsValues = (needs.valuesOf ?? []).includes(chart);
        const files = Array.isArray(seen.files) ? seen.files.length : seen.files !== undefined && seen.files !== null ? 1 : 0;
        if (r.type === TYPES.releaseV3 && readsValues && files > 0) {
            blind.push({ urn: r.urn, message: `Helm Release ${r.name} must pass its values inline (values, not valueYamlFiles) for the pack to check ${needs.what} of chart ${chart}; values in files are not visible to policy packs.` });
            continue;
        }
        const values: Obj | undefined = readsValues ? readKnown(r.urn, "values", () => plain(r.props.values ?? {}), unknown) : {};
        if (values === undefined) {
            blind.push({ urn: r.urn, message: `${kind} ${r.name} must have values known at preview for the pack to check ${needs.what} of chart ${chart}: ${unknown[0]?.reason ?? "unknown"}.` });
            continue;
        }
        charts.push({ chart, version: seen.version, values, urn: r.urn });
    }
    if (opaque.length > 0 && readableRecords === 0) {
        const why = unreadable.length > 0 ? `the record ${unreadable.map((u) => `${u.ref} is unreadable (${u.reason})`).join(", ")}` : "the stack has no such record";
        for (const r of opaque) {
            blind.push({ urn: r.urn, message: `Chart v4 resource ${r.name} must be described by the releases record (${recordLabel}) for the pack to check ${needs.what}: Chart v4 inputs reach policy packs empty, and ${why}.` });
        }
    } else {
        for (const u of unreadable) {
            blind.push({ urn: u.urn, message: `Releases record ${u.ref} must be readable for the pack to check ${needs.what}: ${u.reason}.` });
        }
    }
    return { charts, blind };
}
