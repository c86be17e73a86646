/**
 * Istio gateway charts up to at least 1.25.x ship a values.schema.json whose root says
 * `additionalProperties: false` next to a `$ref`, so the JSON-schema library of Helm >= 3.18.5
 * rejects the chart's own default values ("additional properties '_internal_defaults_do_not_set'
 * not allowed"; istio/istio#57354). The Kubernetes provider embeds Helm 3.18.6 and has no
 * skip-schema-validation input, so such a chart cannot be rendered as published.
 *
 * {@link renderableChart} fetches the chart from its repository (digest checked against index.yaml),
 * and only when its schema rejects its own defaults returns a local copy without the schema file;
 * everything else of the chart is unchanged. Charts with a sound schema are returned as they came.
 */
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { ChartSource } from "./charts";

/** A chart as Helm should load it: from its repository, or from a local directory. */
export interface RenderableChart {
    readonly source: ChartSource;
    /** Local chart directory to render instead of the repository (schema removed), if any. */
    readonly localPath?: string;
    /** Why the local copy is used, for the release record. */
    readonly note?: string;
}

type Json = Record<string, any>;

/** True when the schema's root forbids keys that the chart's default values have. */
export function schemaRejectsDefaults(schema: Json, defaults: Json): boolean {
    if (schema.additionalProperties !== false) {
        return false;
    }
    const allowed = Object.keys(schema.properties ?? {});
    return Object.keys(defaults).some((k) => !allowed.includes(k));
}

async function download(url: string): Promise<Buffer> {
    const res = await fetch(url);
    if (!res.ok) {
        throw new Error(`fetching ${url}: HTTP ${res.status}`);
    }
    return Buffer.from(await res.arrayBuffer());
}

/**
 * The chart as it can be rendered. Network access to the chart repository is needed (as for Helm itself).
 * @param cacheDir where verified archives are unpacked, keyed by chart, version and digest
 */
export async function renderableChart(source: ChartSource, cacheDir: string = path.join(os.tmpdir(), "observability-stack-charts")): Promise<RenderableChart> {
    const base = source.repo.replace(/\/+$/, "");
    const index = yaml.load((await download(`${base}/index.yaml`)).toString("utf8")) as { entries?: Record<string, { version: string; urls: string[]; digest?: string }[]> };
    const entry = index.entries?.[source.chart]?.find((e) => e.version === source.version);
    if (entry === undefined) {
        throw new Error(`chart ${source.chart} ${source.version} is not in ${base}/index.yaml`);
    }
    const url = new URL(entry.urls[0], `${base}/`).toString();
    const digest = entry.digest ?? "";
    const dir = path.join(cacheDir, `${source.chart}-${source.version}-${digest.slice(0, 12)}`);
    const chartDir = path.join(dir, source.chart);
    if (!fs.existsSync(path.join(chartDir, "Chart.yaml"))) {
        const archive = await download(url);
        const actual = createHash("sha256").update(archive).digest("hex");
        if (digest !== "" && actual !== digest) {
            throw new Error(`chart ${source.chart} ${source.version} from ${url}: sha256 ${actual} does not match the index digest ${digest}`);
        }
        const tmp = `${dir}.tmp-${process.pid}`;
        fs.rmSync(tmp, { recursive: true, force: true });
        fs.mkdirSync(tmp, { recursive: true });
        fs.writeFileSync(path.join(tmp, "chart.tgz"), archive);
        execFileSync("tar", ["-xzf", "chart.tgz"], { cwd: tmp });
        fs.rmSync(path.join(tmp, "chart.tgz"));
        fs.rmSync(dir, { recursive: true, force: true });
        fs.renameSync(tmp, dir);
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
    const local = path.join(dir, "without-schema", source.chart);
    if (!fs.existsSync(path.join(local, "Chart.yaml"))) {
        fs.cpSync(chartDir, local, { recursive: true });
        fs.rmSync(path.join(local, "values.schema.json"));
    }
    return { source, localPath: local, note: "values.schema.json removed: it rejects the chart's own defaults under Helm >= 3.18.5 (istio/istio#57354)" };
}
