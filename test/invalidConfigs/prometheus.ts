/** Invalid configs: the Prometheus integration (`prometheus.*`). */
import { Case, DEV } from "./shared";

export const PROMETHEUS_CASES: readonly Case[] = [
    // prometheus
    { mistake: "a word for prometheus.operator", raw: { ...DEV, prometheus: { operator: "yes" } }, first: 'prometheus.operator: got "yes"; expected true or false' },
    {
        mistake: "monitor labels as a list",
        raw: { ...DEV, prometheus: { monitorLabels: ["release=prometheus"] } },
        first: 'prometheus.monitorLabels: got ["release=prometheus"]; expected a map of string to string',
    },
    {
        mistake: "a Prometheus URL under prometheus",
        raw: { ...DEV, prometheus: { url: "http://prometheus:9090" } },
        first: 'prometheus.url: got "http://prometheus:9090"; unknown key; allowed keys of prometheus: operator, monitorLabels',
    },
];
