/**
 * Which charts a stack installs. Chart v4 resources reach analyzers with empty properties
 * (measured with the real engine), so the sources are: the program's releases ConfigMap (what was
 * asked of Helm, values included), Helm v3 Release/Chart resources (whose inputs are visible), and
 * the `helm.sh/chart` labels of the rendered objects (the resolved version only).
 */
import * as k8s from "@pulumi/kubernetes";
import { RELEASES_CONFIGMAP } from "../../lib/constants";
import { JsonObject, StackResource, TYPES, asList, asObject, at, nameOf, propsOfType, ref } from "./k8s";
import { BlindSpot, plain, readKnown } from "./known";

export interface InstalledChart {
    readonly chart: string;
    readonly version: string;
    readonly urn: string;
    /** Chart values when the request is visible (releases record, Helm Release/Chart inputs). */
    readonly values?: JsonObject;
}

const CHART_TYPES: readonly string[] = [TYPES.chartV4, TYPES.chartV3, TYPES.releaseV3];

/** The requested charts listed in a releases record's text (undefined when it is not a JSON list). */
function releasesOf(text: unknown): { chart: string; version: unknown; values: JsonObject }[] | undefined {
    if (typeof text !== "string") {
        return undefined;
    }
    try {
        const list: unknown = JSON.parse(text);
        return Array.isArray(list) ? list.map((r) => ({ chart: String(at(r, ["chart"])), version: at(r, ["version"]), values: asObject(at(r, ["values"])) ?? {} })) : undefined;
    } catch {
        return undefined;
    }
}

/** `helm.sh/chart: <name>-<version>` -> name and version. */
export function parseChartLabel(label: unknown): { chart: string; version: string } | undefined {
    const m = typeof label === "string" ? /^(.+)-(\d+\.\d+\.\d+[^-]*(?:-[0-9A-Za-z.]+)?)$/.exec(label) : null;
    return m === null ? undefined : { chart: m[1], version: m[2] };
}

/**
 * One entry per chart/version: what was requested (releases record, visible Helm inputs), then the
 * versions the rendered objects' `helm.sh/chart` labels show (Chart v4 children are visible).
 */
export function installedCharts(resources: readonly StackResource[]): InstalledChart[] {
    const out = new Map<string, InstalledChart>();
    for (const c of requestedChartsOfStack(resources, { what: "its version", readsRenderedObjects: true }).charts) {
        const version = String(c.version ?? "");
        out.set(`${c.chart}@${version}`, { chart: c.chart, version, urn: c.urn, values: c.values });
    }
    for (const r of resources) {
        const parsed = parseChartLabel(readKnown(r.urn, "labels", () => at(r.props, ["metadata", "labels", "helm.sh/chart"]), []));
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
    readonly values: JsonObject;
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
        const cm = propsOfType(k8s.core.v1.ConfigMap, r);
        if (cm !== undefined) {
            if (readKnown(r.urn, "name", () => nameOf(cm), []) !== RELEASES_CONFIGMAP.name) {
                continue;
            }
            const unknown: BlindSpot[] = [];
            const text = readKnown(r.urn, RELEASES_CONFIGMAP.key, () => cm.data?.[RELEASES_CONFIGMAP.key], unknown);
            const list = releasesOf(text);
            if (list === undefined) {
                const reason =
                    unknown.length > 0
                        ? `${RELEASES_CONFIGMAP.key} is unknown during preview`
                        : typeof text !== "string"
                          ? `it has no ${RELEASES_CONFIGMAP.key}`
                          : `${RELEASES_CONFIGMAP.key} is not a JSON list`;
                unreadable.push({ urn: r.urn, ref: ref(cm), reason });
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
        const seen = readKnown(r.urn, "chart", () => plain({ chart: r.props.chart, version: r.props.version, files: asList(r.props.valueYamlFiles).length }), unknown);
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
        if (r.type === TYPES.releaseV3 && readsValues && seen.files > 0) {
            blind.push({
                urn: r.urn,
                message: `Helm Release ${r.name} must pass its values inline (values, not valueYamlFiles) for the pack to check ${needs.what} of chart ${chart}; values in files are not visible to policy packs.`,
            });
            continue;
        }
        const values: JsonObject | undefined = readsValues ? readKnown(r.urn, "values", () => asObject(plain(r.props.values)) ?? {}, unknown) : {};
        if (values === undefined) {
            blind.push({ urn: r.urn, message: `${kind} ${r.name} must have values known at preview for the pack to check ${needs.what} of chart ${chart}: ${unknown[0]?.reason ?? "unknown"}.` });
            continue;
        }
        charts.push({ chart, version: seen.version, values, urn: r.urn });
    }
    if (opaque.length > 0 && readableRecords === 0) {
        const why = unreadable.length > 0 ? `the record ${unreadable.map((u) => `${u.ref} is unreadable (${u.reason})`).join(", ")}` : "the stack has no such record";
        for (const r of opaque) {
            blind.push({
                urn: r.urn,
                message: `Chart v4 resource ${r.name} must be described by the releases record (${recordLabel}) for the pack to check ${needs.what}: Chart v4 inputs reach policy packs empty, and ${why}.`,
            });
        }
    } else {
        for (const u of unreadable) {
            blind.push({ urn: u.urn, message: `Releases record ${u.ref} must be readable for the pack to check ${needs.what}: ${u.reason}.` });
        }
    }
    return { charts, blind };
}
