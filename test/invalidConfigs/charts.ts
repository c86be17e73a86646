/** Invalid configs: the Helm charts (`charts.*`). */
import { Case, DEV } from "./shared";

export const CHART_CASES: readonly Case[] = [
    // charts
    { mistake: "a list for charts", raw: { ...DEV, charts: [] }, first: "charts: got []; expected an object" },
    {
        mistake: "an unknown chart role",
        raw: { ...DEV, charts: { prometheus: {} } },
        first: "charts.prometheus: got {}; unknown key; allowed keys of charts: istioBase, istiod, istioGateway, istioCni, ztunnel, jaeger, kiali",
    },
    {
        mistake: "an unknown key in a chart",
        raw: { ...DEV, charts: { jaeger: { url: "https://example.com" } } },
        first: 'charts.jaeger.url: got "https://example.com"; unknown key; allowed keys of charts.jaeger: repo, chart, version, values',
    },
    {
        mistake: "a version range",
        raw: { ...DEV, charts: { jaeger: { version: "^4.0.0" } } },
        first: 'charts.jaeger.version: got "^4.0.0"; expected an exact chart version such as 1.30.3 (no range, no empty value)',
    },
    {
        mistake: "a number as chart version",
        raw: { ...DEV, charts: { kiali: { version: 2 } } },
        first: "charts.kiali.version: got 2; expected an exact chart version such as 1.30.3 (no range, no empty value)",
    },
    {
        mistake: "a repository without scheme",
        raw: { ...DEV, charts: { istiod: { repo: "oci//bad" } } },
        first: 'charts.istiod.repo: got "oci//bad"; expected an http:// or https:// Helm repository URL, or an oci:// registry',
    },
    {
        mistake: "an ftp repository",
        raw: { ...DEV, charts: { jaeger: { repo: "ftp://mirror.example.com/charts" } } },
        first: 'charts.jaeger.repo: got "ftp://mirror.example.com/charts"; expected an http:// or https:// Helm repository URL, or an oci:// registry',
    },
    { mistake: "an empty chart name", raw: { ...DEV, charts: { jaeger: { chart: "" } } }, first: 'charts.jaeger.chart: got ""; expected a non-empty string' },
    {
        mistake: "Istio charts of two versions",
        raw: { ...DEV, charts: { istiod: { version: "1.24.2" } } },
        first: 'charts.istioBase/istiod/istioGateway.version: got ["1.30.3","1.24.2","1.30.3"]; the three Istio charts must share one version',
    },
    { mistake: "a null chart", raw: { ...DEV, charts: { istioBase: null } }, first: "charts.istioBase: got null; expected an object" },
];
