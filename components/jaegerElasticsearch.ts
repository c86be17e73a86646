/**
 * Elasticsearch storage of the Jaeger component, production-complete on both chart lines: the
 * dependencies (Spark) job that computes the service graph, the index cleaner with a retention in days,
 * optional rollover (with the init step the charts run as a Helm hook, which Chart v4 skips), and TLS
 * (the CA from a Secret, or no verification only when asked). Pure value builders; `jaeger.ts` installs them.
 *
 * Where the charts fall short (read from the packages in ../shared/charts):
 * - jaeger 3.4.1 builds `scheme://host:port` for Jaeger and every job (`_helpers.tpl` `elasticsearch.client.url`):
 *   a URL path is rejected up front (config/schema.ts); its all-in-one template mounts no TLS Secret, so the CA
 *   is mounted with `allInOne.extraSecretMounts`; the cleaner does not pass the index prefix
 *   (`cmd/es-index-cleaner/app/flags.go@v1.53.0` reads `index-prefix`, not `ES_INDEX_PREFIX`).
 * - jaeger 4.11.1 gives its jobs the password only as a plaintext value (`_helpers.tpl` `elasticsearch.env`):
 *   each job gets `ES_PASSWORD` from the Secret through its `extraEnv`; with `tls.insecure` it sets
 *   `ES_TLS_SKIP_HOST_VERIFY` without `ES_TLS_ENABLED`, which the jobs reject, so TLS goes through `extraEnv`
 *   and `extraSecretMounts` instead of `storage.elasticsearch.tls`.
 * - Both run the rollover init step as a `pre-install` hook (`es-rollover-hook.yml`), which `helm.v4.Chart`
 *   never renders (pulumi/pulumi-kubernetes#3284): {@link rolloverInitJobSpec} is that Job, created by the program.
 * - Spark (Java) reads a CA only from a Java trust store (`JAVA_OPTS=-Djavax.net.ssl.trustStore=...`,
 *   jaegertracing/spark-dependencies README): {@link sparkTruststoreTransform} adds an init container that
 *   imports the PEM CA into a PKCS12 trust store with `keytool`.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { JaegerChartLine } from "../lib/charts";
import { HelmValues } from "./helm";
import type { ImageOverride } from "./jaeger";

/** A key of an existing Secret in Jaeger's namespace. */
export interface SecretKeyRef {
    readonly name: string;
    readonly key: string;
}

/** TLS to Elasticsearch: the CA from a Secret, or (explicitly) no verification at all; neither means the system roots. */
export interface ElasticsearchTls {
    /** Secret holding the PEM CA that signed the server certificate (mounted into Jaeger and every job). @default none: the system roots */
    readonly caSecret?: SecretKeyRef;
    /** Skip certificate verification (not with `caSecret`, not with the dependencies job). @default false */
    readonly insecureSkipVerify?: boolean;
}

/** The Spark job that computes the service dependency graph from the span indices (jaegertracing/spark-dependencies). */
export interface DependenciesJob {
    /** @default true */
    readonly enabled?: boolean;
    /** Cron schedule; the job processes the current day (UTC). @default "49 23 * * *" */
    readonly schedule?: string;
    /** Image overrides. @default {@link DEPENDENCIES_IMAGE} */
    readonly image?: ImageOverride;
}

/** The CronJob that deletes span indices older than `retentionDays` (jaeger-es-index-cleaner). */
export interface IndexCleanerJob {
    /** @default true */
    readonly enabled?: boolean;
    /** @default 7 */
    readonly retentionDays?: number;
    /** @default "55 23 * * *" */
    readonly schedule?: string;
}

/** Index rollover (jaeger-es-rollover): write and read aliases, the rollover CronJob, and an init Job of the program's own. */
export interface RolloverJob {
    /** @default false */
    readonly enabled?: boolean;
    /** @default "10 0 * * *" */
    readonly schedule?: string;
    /** Roll over once the write index is this old (CONDITIONS max_age). @default "1d" */
    readonly maxAge?: string;
}

/**
 * Trace storage on an existing Elasticsearch cluster, with the jobs production needs.
 * @see https://www.jaegertracing.io/docs/latest/deployment/elasticsearch/
 */
export interface ElasticsearchStorage {
    readonly type: "elasticsearch";
    /** URL of the cluster, e.g. `https://es.logging.svc:9200`; no port means the scheme's (80/443). */
    readonly url: string;
    readonly username: string;
    /** The password of `username`. */
    readonly passwordSecret: SecretKeyRef;
    /** Index prefix. @default "" (Jaeger's own) */
    readonly indexPrefix?: string;
    /** @default no CA, verification on */
    readonly tls?: ElasticsearchTls;
    /** @default enabled, nightly */
    readonly dependencies?: DependenciesJob;
    /** @default enabled, 7 days */
    readonly indexCleaner?: IndexCleanerJob;
    /** @default off */
    readonly rollover?: RolloverJob;
}

/** The defaults of {@link ElasticsearchStorage}, applied by {@link resolveElasticsearchStorage} (the config schema takes them from here). */
export const ELASTICSEARCH_DEFAULTS = {
    indexPrefix: "",
    tls: { insecureSkipVerify: false },
    dependencies: { enabled: true, schedule: "49 23 * * *" },
    indexCleaner: { enabled: true, retentionDays: 7, schedule: "55 23 * * *" },
    rollover: { enabled: false, schedule: "10 0 * * *", maxAge: "1d" },
} as const;

/** {@link ElasticsearchStorage} with every default applied: what the value builders below read. */
export interface ResolvedElasticsearchStorage {
    readonly type: "elasticsearch";
    readonly url: string;
    readonly username: string;
    readonly passwordSecret: SecretKeyRef;
    readonly indexPrefix: string;
    readonly tls: { readonly caSecret?: SecretKeyRef; readonly insecureSkipVerify: boolean };
    readonly dependencies: { readonly enabled: boolean; readonly schedule: string; readonly image: ImageOverride };
    readonly indexCleaner: Required<IndexCleanerJob>;
    readonly rollover: Required<RolloverJob>;
}

/** Applies {@link ELASTICSEARCH_DEFAULTS}. Pure. */
export function resolveElasticsearchStorage(es: ElasticsearchStorage): ResolvedElasticsearchStorage {
    const d = ELASTICSEARCH_DEFAULTS;
    return {
        type: "elasticsearch",
        url: es.url,
        username: es.username,
        passwordSecret: es.passwordSecret,
        indexPrefix: es.indexPrefix ?? d.indexPrefix,
        tls: { caSecret: es.tls?.caSecret, insecureSkipVerify: es.tls?.insecureSkipVerify ?? d.tls.insecureSkipVerify },
        dependencies: { enabled: es.dependencies?.enabled ?? d.dependencies.enabled, schedule: es.dependencies?.schedule ?? d.dependencies.schedule, image: es.dependencies?.image ?? {} },
        indexCleaner: {
            enabled: es.indexCleaner?.enabled ?? d.indexCleaner.enabled,
            retentionDays: es.indexCleaner?.retentionDays ?? d.indexCleaner.retentionDays,
            schedule: es.indexCleaner?.schedule ?? d.indexCleaner.schedule,
        },
        rollover: { enabled: es.rollover?.enabled ?? d.rollover.enabled, schedule: es.rollover?.schedule ?? d.rollover.schedule, maxAge: es.rollover?.maxAge ?? d.rollover.maxAge },
    };
}

/** An environment variable as the charts' `extraEnv` lists take it. */
export interface EnvEntry {
    readonly name: string;
    readonly value?: string;
    readonly valueFrom?: { readonly secretKeyRef: { readonly name: string; readonly key: string } };
}

/** Where the Elasticsearch CA certificate is mounted in every pod that talks to Elasticsearch. */
export const ES_CA = { volume: "es-tls-ca", path: "/es-tls/ca.crt" } as const;

/** The PKCS12 trust store the Spark job reads (built from {@link ES_CA} by an init container). */
export const ES_TRUSTSTORE = { volume: "es-truststore", dir: "/es-truststore", path: "/es-truststore/ca.p12", password: "changeit" } as const;

/**
 * The dependencies job's image: spark-dependencies release v0.7.2 (2026-01-05), variant `elasticsearch8` (Elasticsearch
 * 7.17+ and 8.x). The charts default to `jaegertracing/spark-dependencies:latest`, an unpinned tag; releases publish
 * `ghcr.io/jaegertracing/spark-dependencies/spark-dependencies:<release>-<variant>` (`.github/workflows/ci-cd.yml`,
 * "Compute Tags"; variants elasticsearch7, elasticsearch8, elasticsearch9, opensearch in its README).
 * Override with `jaeger.storage.dependencies.image`.
 */
export const DEPENDENCIES_IMAGE = { registry: "ghcr.io", repository: "jaegertracing/spark-dependencies/spark-dependencies", tag: "v0.7.2-elasticsearch8" } as const;

/** Label of the chart's Spark CronJob pods (`app.kubernetes.io/component`, both chart lines). */
export const SPARK_COMPONENT = "spark";

/**
 * Host, port and scheme of an Elasticsearch URL (the 3.x chart takes them apart); no port means the scheme's (80/443).
 * @internal A value builder: tests call it; programs use the component.
 */
export function splitUrl(url: string): { scheme: string; host: string; port: number } {
    const u = new URL(url);
    const scheme = u.protocol.replace(":", "");
    return { scheme, host: u.hostname, port: u.port !== "" ? Number(u.port) : scheme === "https" ? 443 : 80 };
}

/**
 * The password from the user's Secret.
 * @internal A value builder: tests call it; programs use the component.
 */
export function passwordEnv(es: { readonly passwordSecret: SecretKeyRef }): EnvEntry {
    return { name: "ES_PASSWORD", valueFrom: { secretKeyRef: { name: es.passwordSecret.name, key: es.passwordSecret.key } } };
}

/**
 * TLS settings of Jaeger's Go tools (all-in-one v1, es-index-cleaner, es-rollover: viper `es.tls.*`, env `ES_TLS_*`).
 * @internal A value builder: tests call it; programs use the component.
 */
export function tlsEnv(es: ResolvedElasticsearchStorage): EnvEntry[] {
    if (es.tls.caSecret !== undefined) {
        return [
            { name: "ES_TLS_ENABLED", value: "true" },
            { name: "ES_TLS_CA", value: ES_CA.path },
        ];
    }
    return es.tls.insecureSkipVerify
        ? [
              { name: "ES_TLS_ENABLED", value: "true" },
              { name: "ES_TLS_SKIP_HOST_VERIFY", value: "true" },
          ]
        : [];
}

/**
 * The CA Secret as a chart `extraSecretMounts` entry (one file, read-only); none without a CA.
 * @internal A value builder: tests call it; programs use the component.
 */
export function caSecretMounts(es: ResolvedElasticsearchStorage): HelmValues[] {
    const ca = es.tls.caSecret;
    return ca === undefined ? [] : [{ name: ES_CA.volume, secretName: ca.name, mountPath: ES_CA.path, subPath: ca.key, readOnly: true }];
}

/** `--index-prefix` (the cleaner and rollover tools read the flag, not `ES_INDEX_PREFIX`) and `--rollover` for the cleaner. */
function jobFlags(es: ResolvedElasticsearchStorage, rolloverFlag: boolean): HelmValues {
    return { ...(es.indexPrefix !== "" ? { "index-prefix": es.indexPrefix } : {}), ...(rolloverFlag && es.rollover.enabled ? { rollover: true } : {}) };
}

/**
 * Image values of the chart's Spark job: {@link DEPENDENCIES_IMAGE} with the configured overrides.
 * @internal A value builder: tests call it; programs use the component.
 */
export function dependenciesImage(es: ResolvedElasticsearchStorage): { registry: string; repository: string; tag: string } {
    const o = es.dependencies.image;
    return { registry: o.registry ?? DEPENDENCIES_IMAGE.registry, repository: o.repository ?? DEPENDENCIES_IMAGE.repository, tag: o.tag ?? DEPENDENCIES_IMAGE.tag };
}

/**
 * What the Spark job needs beyond the chart's env: the password, the prefix and the alias mode Jaeger writes with.
 * On v1 the chart's `storage.env` already gives it all (`elasticsearch.env`, `storage.elasticsearch.extraEnv`
 * included): adding a name twice would make duplicate env entries, which server-side apply rejects.
 * On v2 it gives only ES_USERNAME, ES_SERVER_URLS and ES_NODES.
 */
function sparkEnv(es: ResolvedElasticsearchStorage, line: JaegerChartLine): EnvEntry[] {
    if (line === "v1") {
        return [];
    }
    return [
        passwordEnv(es),
        ...(es.indexPrefix !== "" ? [{ name: "ES_INDEX_PREFIX", value: es.indexPrefix }] : []),
        { name: "ES_NODES_WAN_ONLY", value: "true" },
        ...(es.rollover.enabled ? [{ name: "ES_USE_ALIASES", value: "true" }] : []),
    ];
}

/** Maintenance jobs of the chart (`spark`, `esIndexCleaner`, `esRollover`), the same keys on both lines. */
function jobValues(es: ResolvedElasticsearchStorage, line: JaegerChartLine): HelmValues {
    // v1 jobs get user, password, TLS and prefix from the chart's elasticsearch.env; v2 jobs need them in extraEnv.
    const goToolEnv = line === "v2" ? [passwordEnv(es), ...tlsEnv(es)] : [];
    const mounts = line === "v2" ? caSecretMounts(es) : [];
    return {
        spark: {
            enabled: es.dependencies.enabled,
            schedule: es.dependencies.schedule,
            image: dependenciesImage(es),
            extraEnv: sparkEnv(es, line),
        },
        esIndexCleaner: {
            enabled: es.indexCleaner.enabled,
            numberOfDays: es.indexCleaner.retentionDays,
            schedule: es.indexCleaner.schedule,
            cmdlineParams: jobFlags(es, true),
            extraEnv: goToolEnv,
            extraSecretMounts: mounts,
        },
        esRollover: {
            enabled: es.rollover.enabled,
            schedule: es.rollover.schedule,
            cmdlineParams: jobFlags(es, false),
            extraEnv: [{ name: "CONDITIONS", value: JSON.stringify({ max_age: es.rollover.maxAge }) }, ...goToolEnv],
            extraSecretMounts: mounts,
        },
    };
}

/**
 * jaeger 3.x values for Elasticsearch: the all-in-one reads `ES_*` from the chart's `storage.env`, every job
 * reuses `storage.elasticsearch` (`elasticsearch.env`), and the CA is mounted into the all-in-one by us.
 * @internal A value builder: tests call it; programs use the component.
 */
export function jaegerV1ElasticsearchValues(es: ResolvedElasticsearchStorage): { storage: HelmValues; allInOne: HelmValues; jobs: HelmValues } {
    const ca = es.tls.caSecret;
    // With a CA the chart sets ES_TLS_ENABLED/ES_TLS_CA and mounts the Secret into the cleaner and rollover pods itself.
    const tls = ca !== undefined ? { tls: { enabled: true, secretName: ca.name, mountPath: ES_CA.path, subPath: ca.key, ca: ES_CA.path } } : {};
    const extraEnv = [...(ca === undefined ? tlsEnv(es) : []), ...(es.rollover.enabled ? [{ name: "ES_USE_ALIASES", value: "true" }] : [])];
    return {
        storage: {
            type: "elasticsearch",
            elasticsearch: {
                ...splitUrl(es.url),
                user: es.username,
                usePassword: true,
                existingSecret: es.passwordSecret.name,
                existingSecretKey: es.passwordSecret.key,
                ...(es.indexPrefix !== "" ? { indexPrefix: es.indexPrefix } : {}),
                // The URL is the only node: es-hadoop (Spark) must not discover and dial node addresses directly.
                nodesWanOnly: true,
                ...tls,
                ...(extraEnv.length > 0 ? { extraEnv } : {}),
            },
        },
        allInOne: caSecretMounts(es).length > 0 ? { extraSecretMounts: caSecretMounts(es) } : {},
        jobs: jobValues(es, "v1"),
    };
}

/**
 * The Jaeger v2 storage backend for Elasticsearch: the whole URL (path included), the password from
 * `ES_PASSWORD`, TLS from the mounted CA or (explicitly) without verification, aliases with rollover.
 * @see https://www.jaegertracing.io/docs/latest/deployment/configuration/
 * @internal A value builder: tests call it; programs use the component.
 */
export function jaegerV2ElasticsearchBackend(es: ResolvedElasticsearchStorage): HelmValues {
    const tls = es.tls.caSecret !== undefined ? { tls: { ca_file: ES_CA.path } } : es.tls.insecureSkipVerify ? { tls: { insecure_skip_verify: true } } : {};
    return {
        elasticsearch: {
            server_urls: [es.url],
            ...(es.indexPrefix !== "" ? { indices: { index_prefix: es.indexPrefix } } : {}),
            ...(es.rollover.enabled ? { use_aliases: true } : {}),
            auth: { basic: { username: es.username, password: "${env:ES_PASSWORD}" } },
            ...tls,
        },
    };
}

/**
 * jaeger 4.x values for Elasticsearch besides the `userconfig`: the Jaeger pod's env and CA mount, and the jobs,
 * which read `storage.elasticsearch` (URL kept whole, user) plus what {@link jobValues} adds.
 * @internal A value builder: tests call it; programs use the component.
 */
export function jaegerV2ElasticsearchValues(es: ResolvedElasticsearchStorage): { jaeger: HelmValues; storage: HelmValues; jobs: HelmValues } {
    const ca = es.tls.caSecret;
    return {
        jaeger: {
            extraEnv: [passwordEnv(es)],
            ...(ca !== undefined
                ? {
                      extraVolumes: [{ name: ES_CA.volume, secret: { secretName: ca.name, items: [{ key: ca.key, path: "ca.crt" }] } }],
                      extraVolumeMounts: [{ name: ES_CA.volume, mountPath: ES_CA.path, subPath: "ca.crt", readOnly: true }],
                  }
                : {}),
        },
        storage: { type: "elasticsearch", elasticsearch: { url: es.url, user: es.username } },
        jobs: jobValues(es, "v2"),
    };
}

/**
 * The spec of the rollover init Job (the charts' `es-rollover-hook.yml`, which Chart v4 skips): creates the
 * write and read aliases and first indices before Jaeger writes through them. Secure by default: non-root,
 * read-only root file system, no privilege escalation, no capabilities, no service account token, requests and limits.
 * @internal A value builder: tests call it; programs use the component.
 */
export function rolloverInitJobSpec(es: ResolvedElasticsearchStorage, image: string, podLabels: Readonly<Record<string, string>>): k8s.types.input.batch.v1.JobSpec {
    const ca = es.tls.caSecret;
    return {
        backoffLimit: 6,
        template: {
            metadata: { labels: { ...podLabels } },
            spec: {
                restartPolicy: "OnFailure",
                automountServiceAccountToken: false,
                securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } },
                containers: [
                    {
                        name: "es-rollover-init",
                        image,
                        args: ["init", es.url, ...(es.indexPrefix !== "" ? [`--index-prefix=${es.indexPrefix}`] : [])],
                        env: [{ name: "ES_USERNAME", value: es.username }, passwordEnv(es), ...tlsEnv(es)],
                        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                        resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
                        ...(ca !== undefined ? { volumeMounts: [{ name: ES_CA.volume, mountPath: ES_CA.path, subPath: ca.key, readOnly: true }] } : {}),
                    },
                ],
                ...(ca !== undefined ? { volumes: [{ name: ES_CA.volume, secret: { secretName: ca.name } }] } : {}),
            },
        },
    };
}

/**
 * Resource transform for the chart's Spark CronJob when Elasticsearch has a private CA: an init container
 * (the job's own image, a Temurin JRE with `keytool`) imports the PEM CA into a PKCS12 trust store on an
 * emptyDir, and `JAVA_OPTS` points the JVM at it (spark-dependencies passes `javax.net.ssl.trustStore` on to
 * es-hadoop's `es.net.ssl.truststore.location`, ElasticsearchDependenciesJob.java). The store holds a public
 * certificate only; its password guards nothing and is fixed.
 * @internal A value builder: tests call it; programs use the component.
 */
export function sparkTruststoreTransform(es: ResolvedElasticsearchStorage): (args: pulumi.ResourceTransformArgs) => pulumi.ResourceTransformResult | undefined {
    return (args) => {
        const ca = es.tls.caSecret;
        const pod = args.props.spec?.jobTemplate?.spec?.template;
        if (ca === undefined || args.type !== "kubernetes:batch/v1:CronJob" || pod?.metadata?.labels?.["app.kubernetes.io/component"] !== SPARK_COMPONENT) {
            return undefined;
        }
        const [main, ...rest] = pod.spec.containers;
        const init = {
            name: ES_TRUSTSTORE.volume,
            image: main.image,
            command: [
                "keytool",
                "-J-XX:-UsePerfData",
                "-importcert",
                "-noprompt",
                "-alias",
                "elasticsearch-ca",
                "-file",
                ES_CA.path,
                "-keystore",
                ES_TRUSTSTORE.path,
                "-storetype",
                "PKCS12",
                "-storepass",
                ES_TRUSTSTORE.password,
            ],
            volumeMounts: [
                { name: ES_CA.volume, mountPath: ES_CA.path, subPath: ca.key, readOnly: true },
                { name: ES_TRUSTSTORE.volume, mountPath: ES_TRUSTSTORE.dir },
            ],
            securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
            resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
        };
        const javaOpts = `-Djavax.net.ssl.trustStore=${ES_TRUSTSTORE.path} -Djavax.net.ssl.trustStorePassword=${ES_TRUSTSTORE.password} -Djavax.net.ssl.trustStoreType=PKCS12`;
        const spark = {
            ...main,
            env: [...(main.env ?? []), { name: "JAVA_OPTS", value: javaOpts }],
            volumeMounts: [...(main.volumeMounts ?? []), { name: ES_TRUSTSTORE.volume, mountPath: ES_TRUSTSTORE.dir, readOnly: true }],
        };
        const spec = {
            ...pod.spec,
            initContainers: [...(pod.spec.initContainers ?? []), init],
            containers: [spark, ...rest],
            volumes: [...(pod.spec.volumes ?? []), { name: ES_CA.volume, secret: { secretName: ca.name } }, { name: ES_TRUSTSTORE.volume, emptyDir: {} }],
        };
        const jobTemplate = { ...args.props.spec.jobTemplate, spec: { ...args.props.spec.jobTemplate.spec, template: { ...pod, spec } } };
        return { props: { ...args.props, spec: { ...args.props.spec, jobTemplate } }, opts: args.opts };
    };
}
