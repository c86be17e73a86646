/**
 * Istio gateway charts from 1.19 to at least 1.25 ship a values.schema.json whose root says
 * `additionalProperties: false` next to a `$ref`, so the JSON-schema library of Helm >= 3.18.5 rejects
 * the chart's own default values ("additional properties '_internal_defaults_do_not_set' not allowed";
 * istio/istio#57354 reports 1.19 through 1.25.3, and 1.24.2 fails here). The Kubernetes provider embeds
 * Helm 3.18.6 and has no skip-schema-validation input, so such a chart cannot be rendered as published.
 *
 * {@link renderableChart} touches the network only for those versions ({@link needsSchemaCheck}):
 * it fetches the chart once (digest checked against the repository's index.yaml), keeps it in a cache
 * outside the clone keyed by repository, chart and version with its digest (verified on every use),
 * and, when the schema rejects the chart's own defaults, returns a copy without the schema file.
 * Every other chart is rendered by Helm from its repository as published: a preview of current
 * versions makes no request besides Helm's own chart pulls. OCI and authenticated repositories are
 * not fetched here: the check is skipped and the releases record says so.
 */
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { ChartSource, parseVersion } from "./charts";

/** A chart as Helm should load it: from its repository, or from a local directory. */
export interface RenderableChart {
    readonly source: ChartSource;
    /** Local chart directory to render instead of the repository (schema removed), if any. */
    readonly localPath?: string;
    /** What the check did (a local copy, or why it was skipped), for the releases record. */
    readonly note?: string;
}

type Json = Record<string, unknown>;

/** The gateway chart versions whose schema is known to reject their own defaults (istio/istio#57354). */
export function needsSchemaCheck(source: ChartSource): boolean {
    const v = parseVersion(source.version);
    return source.chart === "gateway" && v?.major === 1 && v.minor >= 19 && v.minor <= 25;
}

/** True when the schema's root forbids keys that the chart's default values have. */
export function schemaRejectsDefaults(schema: Json, defaults: Json): boolean {
    if (schema.additionalProperties !== false) {
        return false;
    }
    const allowed = Object.keys(schema.properties ?? {});
    return Object.keys(defaults).some((k) => !allowed.includes(k));
}

/** Where checked charts are kept: outside the clone, shared by every checkout on the machine. */
export function defaultChartCache(): string {
    return path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "observability-stack", "charts");
}

/** The repository answered 401 or 403. */
export class Unauthorized extends Error {}

async function download(url: string): Promise<Buffer> {
    const res = await fetch(url);
    if (res.status === 401 || res.status === 403) {
        throw new Unauthorized(`HTTP ${res.status}`);
    }
    if (!res.ok) {
        throw new Error(`fetching ${url}: HTTP ${res.status}`);
    }
    return Buffer.from(await res.arrayBuffer());
}

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

/**
 * The verified chart directory from the cache, fetching it into the cache first when it is missing.
 * The cache holds the archive and the digest the repository's index.yaml gave it; a cached archive
 * whose content no longer matches that digest is fetched again.
 */
export async function cachedChart(source: ChartSource, cacheDir: string): Promise<string> {
    const base = source.repo.replace(/\/+$/, "");
    const dir = path.join(cacheDir, sha256(Buffer.from(base)).slice(0, 12), `${source.chart}-${source.version}`);
    const archive = path.join(dir, "chart.tgz");
    const digestFile = path.join(dir, "digest");
    const chartDir = path.join(dir, source.chart);
    if (fs.existsSync(digestFile) && fs.existsSync(archive) && sha256(fs.readFileSync(archive)) === fs.readFileSync(digestFile, "utf8").trim() && fs.existsSync(path.join(chartDir, "Chart.yaml"))) {
        return chartDir;
    }
    const index = yaml.load((await download(`${base}/index.yaml`)).toString("utf8")) as { entries?: Record<string, { version: string; urls: string[]; digest?: string }[]> };
    const entry = index.entries?.[source.chart]?.find((e) => e.version === source.version);
    if (entry === undefined) {
        throw new Error(`chart ${source.chart} ${source.version} is not in ${base}/index.yaml`);
    }
    const url = new URL(entry.urls[0], `${base}/`).toString();
    const data = await download(url);
    const actual = sha256(data);
    if (entry.digest === undefined || actual !== entry.digest) {
        throw new Error(`chart ${source.chart} ${source.version} from ${url}: sha256 ${actual} does not match the index digest ${entry.digest ?? "(none)"}`);
    }
    const tmp = `${dir}.tmp-${process.pid}`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true });
    fs.writeFileSync(path.join(tmp, "chart.tgz"), data);
    fs.writeFileSync(path.join(tmp, "digest"), actual);
    execFileSync("tar", ["-xzf", "chart.tgz"], { cwd: tmp });
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
    return chartDir;
}

/**
 * The chart as it can be rendered (see the module comment).
 * @param cacheDir where checked charts are kept, by repository, chart, version and digest
 */
export async function renderableChart(source: ChartSource, cacheDir: string = defaultChartCache()): Promise<RenderableChart> {
    if (!needsSchemaCheck(source)) {
        return { source };
    }
    if (!/^https?:\/\//.test(source.repo)) {
        return { source, note: `schema check skipped: ${source.repo} is not an HTTP chart repository; Helm >= 3.18.5 may reject this chart's own defaults (istio/istio#57354)` };
    }
    let chartDir: string;
    try {
        chartDir = await cachedChart(source, cacheDir);
    } catch (e) {
        if (e instanceof Unauthorized) {
            return { source, note: `schema check skipped: ${source.repo} needs credentials (${e.message}); Helm >= 3.18.5 may reject this chart's own defaults (istio/istio#57354)` };
        }
        throw e;
    }
    const schemaFile = path.join(chartDir, "values.schema.json");
    if (!fs.existsSync(schemaFile)) {
        return { source };
    }
    const schema = JSON.parse(fs.readFileSync(schemaFile, "utf8")) as Json;
    const defaults = (yaml.load(fs.readFileSync(path.join(chartDir, "values.yaml"), "utf8")) ?? {}) as Json;
    if (!schemaRejectsDefaults(schema, defaults)) {
        return { source };
    }
    const local = path.join(path.dirname(chartDir), "without-schema", source.chart);
    if (!fs.existsSync(path.join(local, "Chart.yaml"))) {
        fs.cpSync(chartDir, local, { recursive: true });
        fs.rmSync(path.join(local, "values.schema.json"));
    }
    return { source, localPath: local, note: "values.schema.json removed: it rejects the chart's own defaults under Helm >= 3.18.5 (istio/istio#57354)" };
}
