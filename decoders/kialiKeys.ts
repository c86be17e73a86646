/**
 * The keys a kiali-server chart's `config.yaml` may hold. Kiali decodes its config with gopkg.in/yaml.v2
 * `yaml.Unmarshal`, which is not strict (kiali/kiali config/config.go: v2.1.0 lines 1058-1062, v2.29.0
 * 1682-1684): an unknown or misspelled key is ignored silently. The chart copies all of its values into
 * `config.yaml` (`templates/configmap.yaml`: `omit .Values "kiali_route_url"`), so a key the chart does not
 * know passes through unchecked too.
 *
 * The check: every key of the rendered `config.yaml` must be
 * 1. a key of the chart's own defaults (`kiali-server/values.yaml` of that chart version, read from the
 *    package in ../shared/charts); below a default that is an empty map or a list the content is free
 *    (labels, annotations, selectors, lists of objects) and not checked;
 * 2. or a key the chart's templates set or read themselves ({@link CHART_TEMPLATE_KEYS});
 * 3. or a Kiali server key the program sets that the chart passes through without a default
 *    ({@link KIALI_SERVER_KEYS}), each cited at its yaml tag in kiali/kiali `config/config.go` at the
 *    release tag of that chart version.
 * values.yaml alone would reject valid keys such as `external_services.tracing.internal_url`: it holds only
 * what the chart itself uses (2.1.0 values.yaml lines 10-11). kiali/kiali is not served by the Go module
 * proxy and nothing from GitHub is committed here: the citations are file and line, the list is ours.
 */
import { execFileSync } from "child_process";
import * as path from "path";
import * as yaml from "js-yaml";
import { PROJECT_DIR } from "../e2e/tools";

export type KialiChartVersion = "2.1.0" | "2.29.0";

/** A key path (dot-separated) with where each chart version's source defines it; it applies to the versions cited. */
export interface CitedKey {
    readonly path: string;
    readonly cite: Readonly<Partial<Record<KialiChartVersion, string>>>;
}

/** Keys the charts' templates set in, or read from, the config although values.yaml has no default for them. */
const CHART_TEMPLATE_KEYS: readonly CitedKey[] = [
    {
        path: "deployment.namespace",
        cite: { "2.1.0": 'templates/configmap.yaml:18 (set $cm.deployment "namespace")', "2.29.0": 'templates/configmap.yaml:23 (set $cm.deployment "namespace")' },
    },
    {
        path: "deployment.ingress.enabled",
        cite: { "2.1.0": 'templates/_helpers.tpl:116-118 (hasKey .Values.deployment.ingress "enabled")', "2.29.0": 'templates/_helpers.tpl:119-121 (hasKey .Values.deployment.ingress "enabled")' },
    },
    { path: "deployment.tls_config.source", cite: { "2.29.0": 'templates/configmap.yaml:30 (set $cm.deployment.tls_config "source")' } },
];

/** Kiali server keys the program sets (components/kiali.ts) that the charts pass through without a default. */
export const KIALI_SERVER_KEYS: readonly CitedKey[] = [
    { path: "external_services.prometheus.url", cite: { "2.1.0": "config/config.go:218 PrometheusConfig.URL", "2.29.0": "config/config.go:375 PrometheusConfig.URL" } },
    { path: "external_services.grafana.enabled", cite: { "2.1.0": "config/config.go:235 GrafanaConfig.Enabled", "2.29.0": "config/config.go:393 GrafanaConfig.Enabled" } },
    { path: "external_services.grafana.external_url", cite: { "2.1.0": "config/config.go:236 GrafanaConfig.ExternalURL", "2.29.0": "config/config.go:394 GrafanaConfig.ExternalURL" } },
    { path: "external_services.grafana.internal_url", cite: { "2.1.0": "config/config.go:238 GrafanaConfig.InternalURL", "2.29.0": "config/config.go:396 GrafanaConfig.InternalURL" } },
    { path: "external_services.tracing.enabled", cite: { "2.1.0": "config/config.go:267 TracingConfig.Enabled", "2.29.0": "config/config.go:451 TracingConfig.Enabled" } },
    { path: "external_services.tracing.external_url", cite: { "2.1.0": "config/config.go:268 TracingConfig.ExternalURL", "2.29.0": "config/config.go:452 TracingConfig.ExternalURL" } },
    { path: "external_services.tracing.internal_url", cite: { "2.1.0": "config/config.go:271 TracingConfig.InternalURL", "2.29.0": "config/config.go:455 TracingConfig.InternalURL" } },
    { path: "external_services.tracing.provider", cite: { "2.1.0": "config/config.go:273 TracingConfig.Provider", "2.29.0": "config/config.go:457 TracingConfig.Provider" } },
    { path: "external_services.tracing.use_grpc", cite: { "2.1.0": "config/config.go:278 TracingConfig.UseGRPC", "2.29.0": "config/config.go:462 TracingConfig.UseGRPC" } },
    // Ambient mode only; new in Kiali 2.22 (v2.21.0's config.go has no such key).
    { path: "external_services.tracing.use_waypoint_name", cite: { "2.29.0": "config/config.go:463 TracingConfig.UseWaypointName" } },
];

type Json = Record<string, unknown>;

function isMap(v: unknown): v is Json {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The chart's defaults: `kiali-server/values.yaml` from the chart package the tests render. */
export function chartDefaults(version: KialiChartVersion, chartsDir = path.join(PROJECT_DIR, "..", "shared", "charts")): Json {
    const text = execFileSync("tar", ["-xzOf", path.join(chartsDir, `kiali-server-${version}.tgz`), "kiali-server/values.yaml"], { encoding: "utf8" });
    return yaml.load(text) as Json;
}

/** Every key path of a config document, leaves and maps alike, with the value at it. */
function paths(doc: Json, prefix: string[] = []): { path: string[]; value: unknown }[] {
    return Object.entries(doc).flatMap(([k, v]) => [{ path: [...prefix, k], value: v }, ...(isMap(v) ? paths(v, [...prefix, k]) : [])]);
}

/**
 * The keys of a rendered Kiali `config.yaml` outside the chart's schema for that version (see the module
 * comment), sorted; each is reported once, at its outermost unknown key.
 */
export function unknownKialiKeys(config: Json, version: KialiChartVersion, defaults: Json = chartDefaults(version)): string[] {
    const listed = new Set([...CHART_TEMPLATE_KEYS, ...KIALI_SERVER_KEYS].filter((k) => k.cite[version] !== undefined).map((k) => k.path));
    const unknown: string[] = [];
    for (const { path: p } of paths(config)) {
        const key = p.join(".");
        if (unknown.some((u) => key.startsWith(`${u}.`))) {
            continue;
        }
        // Listed keys (and what is below them, or above them on the way to them) are known.
        if ([...listed].some((l) => l === key || key.startsWith(`${l}.`) || l.startsWith(`${key}.`))) {
            continue;
        }
        let node: unknown = defaults;
        let known = true;
        for (const step of p) {
            if (!isMap(node)) {
                break; // below a list or a scalar default: free content
            }
            if (Object.keys(node).length === 0 && node !== defaults) {
                break; // below an empty map default: free content
            }
            if (!(step in node)) {
                known = false;
                break;
            }
            node = node[step];
        }
        if (!known) {
            unknown.push(key);
        }
    }
    return unknown.sort();
}
