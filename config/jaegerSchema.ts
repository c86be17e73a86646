/**
 * The `jaeger` key of the stack config schema: trace storage (in memory, or an existing Elasticsearch
 * cluster with its TLS, dependencies job, index cleaner and rollover), replicas, resources and image.
 */
import { z } from "zod";
import { DEFAULT_JAEGER_RESOURCES } from "../components/jaeger";
import { ELASTICSEARCH_DEFAULTS } from "../components/jaegerElasticsearch";
import * as f from "./fields";

const ES_ONLY = "only allowed with jaeger.storage.type elasticsearch";
const MEMORY_ONLY = "only allowed with jaeger.storage.type memory";
const secretKeyRef = f.section({
    name: f.required("the name of a Secret in istio-system holding the password"),
    key: f.required("the key of the password in that Secret"),
});
const image = f.section({ registry: f.nonEmpty().optional(), repository: f.nonEmpty().optional(), tag: f.nonEmpty().optional() }).prefault({});

const CRON = "expected a cron schedule such as 49 23 * * * (five fields, or @daily)";
const schedule = (d: string) => f.matching(f.CRON, CRON).default(d);

/** TLS to Elasticsearch: the CA from a Secret, or (explicitly) no verification at all. */
const esTls = f
    .section(
        {
            /** Secret in istio-system holding the PEM CA certificate that signed the Elasticsearch server certificate. */
            caSecret: f
                .section({
                    /** A DNS label: the 3.x chart names a volume after the Secret. */
                    name: f
                        .required("the name of a Secret in istio-system holding the CA certificate")
                        .refine((s) => s === "" || f.DNS_LABEL.test(s), { error: "expected a Secret name that is a DNS label (the jaeger 3.x chart names a volume after it)" }),
                    key: f.required("the key of the PEM CA certificate in that Secret"),
                })
                .optional(),
            /** Skip certificate verification (ES_TLS_SKIP_HOST_VERIFY / tls.insecure_skip_verify); only when set explicitly. */
            insecureSkipVerify: f.bool().default(ELASTICSEARCH_DEFAULTS.tls.insecureSkipVerify),
        },
        (t, report, valid) => {
            if (valid(["caSecret"], ["insecureSkipVerify"]) && t.caSecret !== undefined && t.insecureSkipVerify) {
                report(["insecureSkipVerify"], true, "set either caSecret or insecureSkipVerify, not both: with the CA the certificate can be verified");
            }
        },
    )
    .prefault({});

/** The Spark job that computes the service dependency graph from the span indices (jaegertracing/spark-dependencies). */
const dependencies = f
    .section({
        enabled: f.bool().default(ELASTICSEARCH_DEFAULTS.dependencies.enabled),
        /** The job processes the current day (UTC): run it shortly before midnight. */
        schedule: schedule(ELASTICSEARCH_DEFAULTS.dependencies.schedule),
        /** Image override; default components/jaegerElasticsearch.ts DEPENDENCIES_IMAGE. */
        image,
    })
    .prefault({});

/** The CronJob that deletes span indices older than `retentionDays` (jaeger-es-index-cleaner). */
const indexCleaner = f
    .section({
        enabled: f.bool().default(ELASTICSEARCH_DEFAULTS.indexCleaner.enabled),
        retentionDays: f.numberIn(1, 3650, "an integer").default(ELASTICSEARCH_DEFAULTS.indexCleaner.retentionDays),
        schedule: schedule(ELASTICSEARCH_DEFAULTS.indexCleaner.schedule),
    })
    .prefault({});

/** Index rollover (jaeger-es-rollover): write aliases and a CronJob that rolls them over; the init step is a Job of the program's own. */
const rollover = f
    .section({
        enabled: f.bool().default(ELASTICSEARCH_DEFAULTS.rollover.enabled),
        schedule: schedule(ELASTICSEARCH_DEFAULTS.rollover.schedule),
        /** Roll over once the write index is this old (CONDITIONS max_age). */
        maxAge: f.matching(/^[0-9]+[dhm]$/, "expected an Elasticsearch age such as 1d or 12h").default(ELASTICSEARCH_DEFAULTS.rollover.maxAge),
    })
    .prefault({});

/** A path other than `/` in a URL. */
export function urlPath(url: string): string | undefined {
    try {
        const p = new URL(url).pathname;
        return p === "" || p === "/" ? undefined : p;
    } catch {
        return undefined;
    }
}

const storage = z
    .discriminatedUnion(
        "type",
        [
            f.section({
                type: z.literal("memory").default("memory"),
                /** Most traces kept in memory; the oldest are evicted. Default: sized to jaeger.resources.limits.memory and the Jaeger line (lib/sizing.ts). */
                maxTraces: f.numberIn(1, 10_000_000, "an integer").optional(),
                url: f.absent(ES_ONLY),
                username: f.absent(ES_ONLY),
                passwordSecret: f.absent(ES_ONLY),
                indexPrefix: f.absent(ES_ONLY),
                tls: f.absent(ES_ONLY),
                dependencies: f.absent(ES_ONLY),
                indexCleaner: f.absent(ES_ONLY),
                rollover: f.absent(ES_ONLY),
            }),
            f.section(
                {
                    type: z.literal("elasticsearch"),
                    maxTraces: f.absent(MEMORY_ONLY),
                    /** URL of an existing Elasticsearch cluster, e.g. `https://es.logging.svc:9200`. */
                    url: f.requiredHttpUrl("the URL of an existing Elasticsearch cluster"),
                    username: f.required("the Elasticsearch user name"),
                    /** Secret holding the password of `username` (absent: its name and key are reported missing). */
                    passwordSecret: secretKeyRef.prefault(() => ({}) as z.input<typeof secretKeyRef>),
                    /** Index prefix; empty for Jaeger's default. */
                    indexPrefix: f.nonEmpty().default(ELASTICSEARCH_DEFAULTS.indexPrefix),
                    tls: esTls,
                    dependencies,
                    indexCleaner,
                    rollover,
                },
                (es, report, valid) => {
                    const http = valid(["url"]) && new URL(es.url).protocol === "http:";
                    if (http && valid(["tls", "caSecret"]) && es.tls.caSecret !== undefined) {
                        report(["tls", "caSecret"], f.AS_WRITTEN, "only allowed with an https:// url");
                    }
                    if (http && valid(["tls", "insecureSkipVerify"]) && es.tls.insecureSkipVerify) {
                        report(["tls", "insecureSkipVerify"], true, "only allowed with an https:// url");
                    }
                    if (valid(["tls", "insecureSkipVerify"], ["dependencies", "enabled"]) && es.tls.insecureSkipVerify && es.dependencies.enabled) {
                        report(
                            ["tls", "insecureSkipVerify"],
                            true,
                            "the dependencies job (Spark, Java) cannot skip certificate verification: give the CA in tls.caSecret, or set dependencies.enabled false",
                        );
                    }
                    const path = valid(["url"]) ? urlPath(es.url) : undefined;
                    if (path !== undefined && valid(["dependencies", "enabled"]) && es.dependencies.enabled) {
                        report(
                            ["url"],
                            es.url,
                            "a URL path is not supported with the dependencies job: Spark's Elasticsearch connector takes host:port from ES_NODES and reads a path prefix only from es.nodes.path.prefix, which the job does not set; serve Elasticsearch at the root of a host, or set dependencies.enabled false",
                        );
                    }
                },
            ),
        ],
        { error: f.unionError(["memory", "elasticsearch"]) },
    )
    .prefault({});

const QUANTITY = "expected a Kubernetes quantity such as 500m or 512Mi";
function quantities(d: { cpu: string; memory: string }) {
    return f.section({ cpu: f.matching(f.QUANTITY, QUANTITY).default(d.cpu), memory: f.matching(f.QUANTITY, QUANTITY).default(d.memory) }).prefault({});
}
const resources = f.section({ requests: quantities(DEFAULT_JAEGER_RESOURCES.requests), limits: quantities(DEFAULT_JAEGER_RESOURCES.limits) }).prefault({});

/** Jaeger's Monitor tab from span metrics, read back from `kiali.prometheusUrl`'s Prometheus (Jaeger v2 only). Default: on in production with a jaeger 4.x chart. */
const monitor = f.section({ enabled: f.bool().optional() }).prefault({});

export const jaeger = f
    .section({ storage, replicas: f.numberIn(1, 10, "an integer").default(1), resources, image, monitor }, (j, report, valid) => {
        if (valid(["storage", "type"], ["replicas"]) && j.storage.type === "memory" && j.replicas !== 1) {
            report(["replicas"], f.AS_WRITTEN, "in-memory storage needs exactly 1 replica (each replica would hold a part of the traces)");
        }
    })
    .prefault({});
