/** Jaeger: durable storage outside dev, and no Cassandra beside an in-memory all-in-one. */
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { JAEGER_COMPONENT_LABEL, JAEGER_NAME_LABEL } from "../../lib/constants";
import { requestedChartsOfStack } from "../lib/charts";
import { Obj, StackResource, TYPES, containersOf, envValue, nameOf, parseYaml, podTemplate, ref } from "../lib/k8s";
import { configOf, stackResources } from "../lib/policy";

/** True for the pod template of the single Jaeger pod both chart lines run. */
function isJaegerPod(template: Obj | undefined): boolean {
    const labels = template?.metadata?.labels ?? {};
    return labels[JAEGER_NAME_LABEL.key] === JAEGER_NAME_LABEL.value && labels[JAEGER_COMPONENT_LABEL.key] === JAEGER_COMPONENT_LABEL.value;
}

/** How a Jaeger Deployment stores traces: v1 reads SPAN_STORAGE_TYPE; v2 without --config runs its built-in memory store. */
export function jaegerStorageOf(type: string, props: Obj): string | undefined {
    if (type !== TYPES.deployment) {
        return undefined;
    }
    const template = podTemplate(type, props);
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

/** Backends of a Jaeger v2 `user-config` ConfigMap that keep traces in memory. */
function memoryBackends(type: string, props: Obj): string[] {
    if (type !== TYPES.configMap || nameOf(props) !== "user-config") {
        return [];
    }
    const cfg = parseYaml(props.data?.["user-config.yaml"]);
    const backends: Obj = cfg?.extensions?.jaeger_storage?.backends ?? {};
    return Object.entries(backends)
        .filter(([, b]) => (b as Obj)?.memory !== undefined)
        .map(([name]) => name);
}

export const JAEGER_MEMORY = "jaeger-must-not-use-memory-storage";

/** Config of {@link jaegerMustNotUseMemoryStorage}. */
export interface JaegerMemoryArgs {
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
    validateResource: (args, reportViolation) => {
        if (configOf<JaegerMemoryArgs>(args).allowInMemory) {
            return;
        }
        if (jaegerStorageOf(args.type, args.props) === "memory") {
            reportViolation(`Jaeger Deployment ${ref(args.props)} must store traces durably; it keeps them in memory (lost on restart), expected elasticsearch storage.`);
        }
        for (const b of memoryBackends(args.type, args.props)) {
            reportViolation(`Jaeger config ${ref(args.props)} must store traces durably; backend ${b} is memory, expected elasticsearch.`);
        }
    },
};

export const NO_CASSANDRA = "jaeger-memory-must-not-provision-cassandra";

function isCassandra(r: StackResource): boolean {
    return (r.type === TYPES.statefulSet && r.props.metadata?.labels?.app === "cassandra") || (r.type === TYPES.job && nameOf(r.props).endsWith("-cassandra-schema"));
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
            if (v.allInOne?.enabled === true && v.storage?.type === "memory" && v.provisionDataStore?.cassandra !== false) {
                reportViolation(`Chart jaeger ${c.version} must set provisionDataStore.cassandra: false with all-in-one memory storage; it is ${JSON.stringify(v.provisionDataStore?.cassandra ?? true)}.`, c.urn);
            }
        }
        const memoryAllInOne = resources.find((r) => jaegerStorageOf(r.type, r.props) === "memory" && envValue(containersOf(podTemplate(r.type, r.props))[0] ?? {}, "SPAN_STORAGE_TYPE") !== undefined);
        if (memoryAllInOne !== undefined) {
            for (const r of resources.filter(isCassandra)) {
                reportViolation(`Jaeger install must not provision Cassandra (${r.type.split(":").pop()} ${ref(r.props)}) beside all-in-one memory storage; expected provisionDataStore.cassandra: false.`, r.urn);
            }
        }
    },
};

export const jaegerPolicies = [jaegerMustNotUseMemoryStorage, jaegerMemoryMustNotProvisionCassandra];
