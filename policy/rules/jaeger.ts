/**
 * Jaeger: durable storage outside dev, no Cassandra beside an in-memory all-in-one, a bounded memory store,
 * and the dependencies job beside Elasticsearch storage.
 */
import * as k8s from "@pulumi/kubernetes";
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { Unwrap } from "@pulumi/pulumi";
import { JAEGER_COMPONENT_LABEL, JAEGER_NAME_LABEL } from "../../lib/constants";
import { requestedChartsOfStack } from "../lib/charts";
import { ConfigMapProps, PodTemplateProps, StackResource, asObject, at, containersOf, envValue, nameOf, namespaceOf, parseYaml, propsOfType, ref } from "../lib/k8s";
import { configOf, stackResources } from "../lib/policy";

type DeploymentProps = Unwrap<k8s.apps.v1.DeploymentArgs>;

/** True for the pod template of the single Jaeger pod both chart lines run. */
function isJaegerPod(template: PodTemplateProps | undefined): boolean {
    const labels = template?.metadata?.labels ?? {};
    return labels[JAEGER_NAME_LABEL.key] === JAEGER_NAME_LABEL.value && labels[JAEGER_COMPONENT_LABEL.key] === JAEGER_COMPONENT_LABEL.value;
}

/** How a Jaeger Deployment stores traces: v1 reads SPAN_STORAGE_TYPE; v2 without --config runs its built-in memory store. */
function jaegerStorageOf(deployment: DeploymentProps): string | undefined {
    const template = deployment.spec?.template;
    if (!isJaegerPod(template)) {
        return undefined;
    }
    for (const c of containersOf(template)) {
        const v1 = envValue(c, "SPAN_STORAGE_TYPE");
        if (v1 !== undefined) {
            return v1;
        }
        if (c.name === "jaeger") {
            return (c.args ?? []).includes("--config") ? "configured" : "memory";
        }
    }
    return undefined;
}

/** True for a Jaeger v1 all-in-one Deployment on memory storage (SPAN_STORAGE_TYPE=memory). */
function isMemoryAllInOne(deployment: DeploymentProps): boolean {
    return jaegerStorageOf(deployment) === "memory" && envValue(containersOf(deployment.spec?.template)[0] ?? { name: "" }, "SPAN_STORAGE_TYPE") !== undefined;
}

/** Backends of a Jaeger v2 `user-config` ConfigMap that keep traces in memory. */
function memoryBackends(cm: ConfigMapProps): string[] {
    if (nameOf(cm) !== "user-config") {
        return [];
    }
    const backends = asObject(at(parseYaml(cm.data?.["user-config.yaml"]), ["extensions", "jaeger_storage", "backends"])) ?? {};
    return Object.entries(backends)
        .filter(([, b]) => at(b, ["memory"]) !== undefined)
        .map(([name]) => name);
}

export const JAEGER_MEMORY = "jaeger-must-not-use-memory-storage";

/** Config of {@link jaegerMustNotUseMemoryStorage}. */
interface JaegerMemoryArgs {
    /** Allow in-memory trace storage (dev stacks only). @default false */
    allowInMemory: boolean;
}

export const jaegerMustNotUseMemoryStorage: ResourceValidationPolicy = {
    name: JAEGER_MEMORY,
    description: "Jaeger must store traces durably (not in memory) unless the stack's policy config allows in-memory storage.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Set jaeger.storage.type to elasticsearch with an existing cluster; only a dev stack's policy config sets allowInMemory.",
    url: "https://www.jaegertracing.io/docs/latest/deployment/#span-storage-backends",
    configSchema: { properties: { allowInMemory: { type: "boolean", default: false } } },
    // One validation for both types: @pulumi/policy 1.21.0 deserializes a resource's properties once per validation.
    validateResource: (args, reportViolation) => {
        const deployment = args.asType(k8s.apps.v1.Deployment);
        const cm = args.asType(k8s.core.v1.ConfigMap);
        if ((deployment === undefined && cm === undefined) || configOf<JaegerMemoryArgs>(args).allowInMemory) {
            return;
        }
        if (deployment !== undefined && jaegerStorageOf(deployment) === "memory") {
            reportViolation(`Jaeger Deployment ${ref(deployment)} must store traces durably; it keeps them in memory (lost on restart), expected elasticsearch storage.`);
        }
        for (const b of cm !== undefined ? memoryBackends(cm) : []) {
            reportViolation(`Jaeger config ${ref(cm)} must store traces durably; backend ${b} is memory, expected elasticsearch.`);
        }
    },
};

export const NO_CASSANDRA = "jaeger-memory-must-not-provision-cassandra";

/** The incubator/cassandra StatefulSet or jaeger 3.x's schema Job, with its kind. */
function cassandraObject(r: StackResource): { kind: string; ref: string } | undefined {
    const sts = propsOfType(k8s.apps.v1.StatefulSet, r);
    if (sts?.metadata?.labels?.app === "cassandra") {
        return { kind: "StatefulSet", ref: ref(sts) };
    }
    const job = propsOfType(k8s.batch.v1.Job, r);
    return job !== undefined && nameOf(job).endsWith("-cassandra-schema") ? { kind: "Job", ref: ref(job) } : undefined;
}

/** Jaeger 3.x all-in-one on memory storage with the chart's Cassandra default left on (the reference forgot it). */
export const jaegerMemoryMustNotProvisionCassandra: StackValidationPolicy = {
    name: NO_CASSANDRA,
    description: "A Jaeger 3.x install with all-in-one memory storage must set provisionDataStore.cassandra to false, or the chart adds a 3-node Cassandra and a schema Job nobody uses.",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: "Set provisionDataStore.cassandra: false and agent.enabled: false in the jaeger 3.x values (the Jaeger component does).",
    url: "https://github.com/jaegertracing/helm-charts/tree/main/charts/jaeger",
    validateStack: (args, reportViolation) => {
        const resources = stackResources(args);
        // Values come from the releases record and visible Helm Release/Chart inputs; a Helm v3 Release whose
        // values are not visible is reported. Chart v4 needs no record here: its rendered objects are checked below.
        const { charts, blind } = requestedChartsOfStack(resources, { what: "provisionDataStore.cassandra", valuesOf: ["jaeger"], readsRenderedObjects: true });
        for (const b of blind) {
            reportViolation(b.message, b.urn);
        }
        const judged = new Set<string>();
        for (const c of charts) {
            const v = c.values;
            if (c.chart !== "jaeger" || typeof c.version !== "string" || !c.version.startsWith("3.") || judged.has(c.version)) {
                continue;
            }
            judged.add(c.version);
            const cassandra = at(v, ["provisionDataStore", "cassandra"]);
            if (at(v, ["allInOne", "enabled"]) === true && at(v, ["storage", "type"]) === "memory" && cassandra !== false) {
                reportViolation(`Chart jaeger ${c.version} must set provisionDataStore.cassandra: false with all-in-one memory storage; it is ${JSON.stringify(cassandra ?? true)}.`, c.urn);
            }
        }
        const memoryAllInOne = resources.some((r) => {
            const d = propsOfType(k8s.apps.v1.Deployment, r);
            return d !== undefined && isMemoryAllInOne(d);
        });
        for (const r of memoryAllInOne ? resources : []) {
            const cassandra = cassandraObject(r);
            if (cassandra !== undefined) {
                reportViolation(
                    `Jaeger install must not provision Cassandra (${cassandra.kind} ${cassandra.ref}) beside all-in-one memory storage; expected provisionDataStore.cassandra: false.`,
                    r.urn,
                );
            }
        }
    },
};

export const JAEGER_BOUNDED = "jaeger-memory-storage-must-be-bounded";

/** A positive integer, as text or number (env values are text). */
function positiveInt(v: unknown): number | undefined {
    const n = typeof v === "string" && /^[0-9]+$/.test(v.trim()) ? Number(v) : typeof v === "number" ? v : NaN;
    return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** `--memory.max-traces=N` or `--memory.max-traces N` among a container's args. */
function maxTracesArg(args: readonly string[]): string | undefined {
    const i = args.findIndex((a) => a === "--memory.max-traces" || a.startsWith("--memory.max-traces="));
    return i < 0 ? undefined : args[i].includes("=") ? args[i].slice(args[i].indexOf("=") + 1) : args[i + 1];
}

/** What leaves a Jaeger v1 memory all-in-one unbounded (undefined when MEMORY_MAX_TRACES or the flag bounds it). */
function v1Unbounded(deployment: DeploymentProps): string | undefined {
    if (!isMemoryAllInOne(deployment)) {
        return undefined;
    }
    const c = containersOf(deployment.spec?.template).find((x) => envValue(x, "SPAN_STORAGE_TYPE") !== undefined);
    const flag = maxTracesArg(c?.args ?? []);
    const env = c === undefined ? undefined : envValue(c, "MEMORY_MAX_TRACES");
    // The flag beats the environment variable (viper).
    const [what, value] = flag !== undefined ? ["--memory.max-traces", flag] : ["MEMORY_MAX_TRACES", env];
    if (positiveInt(value) !== undefined) {
        return undefined;
    }
    return value === undefined ? "MEMORY_MAX_TRACES is unset (unbounded)" : `${what} is ${JSON.stringify(value)} (${value.trim() === "0" ? "unbounded" : "not a positive number"})`;
}

/** Memory backends of a Jaeger v2 `user-config` without a positive `max_traces`, with what is wrong. */
function v2Unbounded(cm: ConfigMapProps): { backend: string; why: string }[] {
    if (nameOf(cm) !== "user-config") {
        return [];
    }
    const backends = asObject(at(parseYaml(cm.data?.["user-config.yaml"]), ["extensions", "jaeger_storage", "backends"])) ?? {};
    return Object.entries(backends).flatMap(([backend, b]) => {
        const memory = at(b, ["memory"]);
        if (memory === undefined) {
            return [];
        }
        const max = at(memory, ["max_traces"]);
        if (positiveInt(max) !== undefined) {
            return [];
        }
        const why =
            max === undefined
                ? "max_traces is unset (Jaeger then keeps up to 1000000 traces, more than a pod's memory holds)"
                : `max_traces is ${JSON.stringify(max)} (${max === 0 ? "unbounded" : "not a positive number"})`;
        return [{ backend, why }];
    });
}

/**
 * Jaeger's in-memory store holds every trace unless bounded (v1 `memory.max-traces`, default 0 = unbounded,
 * `plugin/storage/memory/options.go@v1.53.0`; v2 `max_traces`): with 100 % sampling the pod grows until it is
 * OOM-killed and every trace is lost. Jaeger v2 without `--config` runs its built-in configuration, bounded at 100000.
 */
export const jaegerMemoryStorageMustBeBounded: ResourceValidationPolicy = {
    name: JAEGER_BOUNDED,
    description: "Jaeger's in-memory trace store must be bounded (MEMORY_MAX_TRACES in v1, max_traces in v2), or the pod grows until it is OOM-killed and loses every trace.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Set jaeger.storage.maxTraces (its default is sized to the memory limit); the Jaeger component renders MEMORY_MAX_TRACES (v1) or memory.max_traces (v2).",
    url: "https://www.jaegertracing.io/docs/latest/deployment/#memory",
    // One validation for both types: @pulumi/policy 1.21.0 deserializes a resource's properties once per validation.
    validateResource: (args, reportViolation) => {
        const deployment = args.asType(k8s.apps.v1.Deployment);
        const why = deployment !== undefined ? v1Unbounded(deployment) : undefined;
        if (why !== undefined) {
            reportViolation(
                `Jaeger Deployment ${ref(deployment)} must bound its in-memory trace store; ${why}: the pod grows until it is OOM-killed and loses every trace, expected MEMORY_MAX_TRACES sized to the memory limit.`,
            );
        }
        const cm = args.asType(k8s.core.v1.ConfigMap);
        for (const u of cm !== undefined ? v2Unbounded(cm) : []) {
            reportViolation(`Jaeger config ${ref(cm)} must bound memory backend ${u.backend}; ${u.why}, expected a positive max_traces sized to the memory limit.`);
        }
    },
};

export const JAEGER_DEPENDENCIES = "jaeger-elasticsearch-must-run-dependencies-job";

/** A Jaeger on Elasticsearch: where it is, the index prefix and alias mode it writes with. */
interface ElasticsearchJaeger {
    readonly what: string;
    readonly urn: string;
    readonly namespace: string;
    readonly prefix: string;
    readonly aliases: boolean;
}

/** Jaeger v1 Deployments on Elasticsearch and Jaeger v2 configs with an Elasticsearch backend. */
function elasticsearchJaegers(resources: readonly StackResource[]): ElasticsearchJaeger[] {
    return resources.flatMap((r): ElasticsearchJaeger[] => {
        const d = propsOfType(k8s.apps.v1.Deployment, r);
        if (d !== undefined && jaegerStorageOf(d) === "elasticsearch") {
            const c = containersOf(d.spec?.template).find((x) => envValue(x, "SPAN_STORAGE_TYPE") !== undefined) ?? { name: "" };
            return [{ what: `Jaeger Deployment ${ref(d)}`, urn: r.urn, namespace: namespaceOf(d), prefix: envValue(c, "ES_INDEX_PREFIX") ?? "", aliases: envValue(c, "ES_USE_ALIASES") === "true" }];
        }
        const cm = propsOfType(k8s.core.v1.ConfigMap, r);
        if (cm === undefined || nameOf(cm) !== "user-config") {
            return [];
        }
        const backends = asObject(at(parseYaml(cm.data?.["user-config.yaml"]), ["extensions", "jaeger_storage", "backends"])) ?? {};
        return Object.entries(backends).flatMap(([name, b]) => {
            const es = asObject(at(b, ["elasticsearch"]));
            return es === undefined
                ? []
                : [
                      {
                          what: `Jaeger config ${ref(cm)} (backend ${name})`,
                          urn: r.urn,
                          namespace: namespaceOf(cm),
                          prefix: String(at(es, ["indices", "index_prefix"]) ?? ""),
                          aliases: at(es, ["use_aliases"]) === true,
                      },
                  ];
        });
    });
}

/** The spark-dependencies CronJobs of the stack: namespace, and the prefix and alias mode they read with. */
function dependencyJobs(resources: readonly StackResource[]): { ref: string; namespace: string; prefix: string; aliases: boolean }[] {
    return resources.flatMap((r) => {
        const cron = propsOfType(k8s.batch.v1.CronJob, r);
        const c = containersOf(cron?.spec?.jobTemplate?.spec?.template).find((x) => (x.image ?? "").includes("spark-dependencies"));
        return cron === undefined || c === undefined
            ? []
            : [{ ref: ref(cron), namespace: namespaceOf(cron), prefix: envValue(c, "ES_INDEX_PREFIX") ?? "", aliases: envValue(c, "ES_USE_ALIASES") === "true" }];
    });
}

/**
 * With Elasticsearch, Jaeger computes no dependency graph itself: the separate spark-dependencies job writes it
 * (jaegertracing/spark-dependencies README: "needed for the production deployment"). Without it, or reading other
 * indices than Jaeger writes (prefix, aliases), the UI shows "No service dependencies found".
 */
export const jaegerElasticsearchMustRunDependenciesJob: StackValidationPolicy = {
    name: JAEGER_DEPENDENCIES,
    description: "A Jaeger that stores traces in Elasticsearch must be paired with the spark-dependencies job reading its indices, or its service graph shows no dependencies.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Keep jaeger.storage.dependencies.enabled true (the default): the Jaeger component renders the chart's spark CronJob with the same index prefix and alias mode.",
    url: "https://github.com/jaegertracing/spark-dependencies",
    validateStack: (args, reportViolation) => {
        const resources = stackResources(args);
        const jobs = dependencyJobs(resources);
        for (const j of elasticsearchJaegers(resources)) {
            const here = jobs.filter((x) => x.namespace === j.namespace);
            if (here.length === 0) {
                reportViolation(
                    `${j.what} must be paired with the Elasticsearch dependencies job (a spark-dependencies CronJob in ${j.namespace}); there is none, so the service graph shows "No service dependencies found", expected jaeger.storage.dependencies.enabled: true.`,
                    j.urn,
                );
                continue;
            }
            if (!here.some((x) => x.prefix === j.prefix && x.aliases === j.aliases)) {
                const show = (prefix: string, aliases: boolean) => `index prefix ${JSON.stringify(prefix)}${aliases ? " with aliases" : ""}`;
                reportViolation(
                    `${j.what} must be paired with a dependencies job that reads its indices (${show(j.prefix, j.aliases)}); ${here.map((x) => `CronJob ${x.ref} reads ${show(x.prefix, x.aliases)}`).join(", ")}, so the service graph shows "No service dependencies found".`,
                    j.urn,
                );
            }
        }
    },
};

export const jaegerPolicies = [jaegerMustNotUseMemoryStorage, jaegerMemoryMustNotProvisionCassandra, jaegerMemoryStorageMustBeBounded, jaegerElasticsearchMustRunDependenciesJob];
