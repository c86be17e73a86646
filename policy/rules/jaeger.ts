/** Jaeger: durable storage outside dev, and no Cassandra beside an in-memory all-in-one. */
import * as k8s from "@pulumi/kubernetes";
import { ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import type { Unwrap } from "@pulumi/pulumi";
import { JAEGER_COMPONENT_LABEL, JAEGER_NAME_LABEL } from "../../lib/constants";
import { requestedChartsOfStack } from "../lib/charts";
import { ConfigMapProps, PodTemplateProps, StackResource, asObject, at, containersOf, envValue, nameOf, parseYaml, propsOfType, ref } from "../lib/k8s";
import { configOf, stackResources } from "../lib/policy";

type DeploymentProps = Unwrap<k8s.apps.v1.DeploymentArgs>;

/** True for the pod template of the single Jaeger pod both chart lines run. */
function isJaegerPod(template: PodTemplateProps | undefined): boolean {
    const labels = template?.metadata?.labels ?? {};
    return labels[JAEGER_NAME_LABEL.key] === JAEGER_NAME_LABEL.value && labels[JAEGER_COMPONENT_LABEL.key] === JAEGER_COMPONENT_LABEL.value;
}

/** How a Jaeger Deployment stores traces: v1 reads SPAN_STORAGE_TYPE; v2 without --config runs its built-in memory store. */
export function jaegerStorageOf(deployment: DeploymentProps): string | undefined {
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
    validateResource: [
        validateResourceOfType(k8s.apps.v1.Deployment, (deployment, args, reportViolation) => {
            if (!configOf<JaegerMemoryArgs>(args).allowInMemory && jaegerStorageOf(deployment) === "memory") {
                reportViolation(`Jaeger Deployment ${ref(deployment)} must store traces durably; it keeps them in memory (lost on restart), expected elasticsearch storage.`);
            }
        }),
        validateResourceOfType(k8s.core.v1.ConfigMap, (cm, args, reportViolation) => {
            for (const b of configOf<JaegerMemoryArgs>(args).allowInMemory ? [] : memoryBackends(cm)) {
                reportViolation(`Jaeger config ${ref(cm)} must store traces durably; backend ${b} is memory, expected elasticsearch.`);
            }
        }),
    ],
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
                reportViolation(`Jaeger install must not provision Cassandra (${cassandra.kind} ${cassandra.ref}) beside all-in-one memory storage; expected provisionDataStore.cassandra: false.`, r.urn);
            }
        }
    },
};

export const jaegerPolicies = [jaegerMustNotUseMemoryStorage, jaegerMemoryMustNotProvisionCassandra];
