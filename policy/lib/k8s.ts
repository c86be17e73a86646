/**
 * Readers for the Kubernetes objects the policies inspect, in the shapes the Pulumi Kubernetes
 * provider passes to analyzers: our own resources and the objects Chart v4 renders from the
 * upstream charts (Istio's mesh ConfigMap, Kiali's ConfigMap, Jaeger's Deployments and Services).
 */
import type { Resource, Unwrap } from "@pulumi/pulumi";
import * as yaml from "js-yaml";

export type Obj = Record<string, any>;

/** The minimum a policy needs of a resource: its Pulumi type, its inputs and its URN. */
export interface StackResource {
    readonly type: string;
    readonly props: Obj;
    readonly urn: string;
    /** The Pulumi resource name (the last URN segment). */
    readonly name: string;
}

export const TYPES = {
    configMap: "kubernetes:core/v1:ConfigMap",
    service: "kubernetes:core/v1:Service",
    deployment: "kubernetes:apps/v1:Deployment",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    daemonSet: "kubernetes:apps/v1:DaemonSet",
    replicaSet: "kubernetes:apps/v1:ReplicaSet",
    pod: "kubernetes:core/v1:Pod",
    job: "kubernetes:batch/v1:Job",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    envoyFilter: ["kubernetes:networking.istio.io/v1alpha3:EnvoyFilter"],
    serviceEntry: ["kubernetes:networking.istio.io/v1:ServiceEntry", "kubernetes:networking.istio.io/v1beta1:ServiceEntry", "kubernetes:networking.istio.io/v1alpha3:ServiceEntry"],
    telemetry: ["kubernetes:telemetry.istio.io/v1:Telemetry", "kubernetes:telemetry.istio.io/v1alpha1:Telemetry"],
    chartV4: "kubernetes:helm.sh/v4:Chart",
    releaseV3: "kubernetes:helm.sh/v3:Release",
    chartV3: "kubernetes:helm.sh/v3:Chart",
} as const;

export const WORKLOAD_TYPES: readonly string[] = [TYPES.deployment, TYPES.statefulSet, TYPES.daemonSet, TYPES.replicaSet, TYPES.job];

export function nameOf(o: Obj): string {
    return o?.metadata?.name ?? "";
}

export function namespaceOf(o: Obj): string {
    return o?.metadata?.namespace ?? "default";
}

/** `namespace/name` of an object, for messages. */
export function ref(o: Obj): string {
    return `${namespaceOf(o)}/${nameOf(o)}`;
}

/** Parses YAML text; undefined when it does not parse (other policies are not the place to report that). */
export function parseYaml(text: unknown): Obj | undefined {
    if (typeof text !== "string") {
        return undefined;
    }
    try {
        const v = yaml.load(text);
        return typeof v === "object" && v !== null ? (v as Obj) : undefined;
    } catch {
        return undefined;
    }
}

/** The mesh config of an istiod mesh ConfigMap (`istio` / `istio-<rev>` with a `mesh` document). */
export function meshConfigOf(type: string, props: Obj): Obj | undefined {
    if (type !== TYPES.configMap || !/^istio(-.+)?$/.test(nameOf(props)) || typeof props.data?.mesh !== "string") {
        return undefined;
    }
    return parseYaml(props.data.mesh);
}

/** The Kiali server config of a kiali-server ConfigMap (a `config.yaml` document with `external_services`). */
export function kialiConfigOf(type: string, props: Obj): Obj | undefined {
    if (type !== TYPES.configMap || typeof props.data?.["config.yaml"] !== "string") {
        return undefined;
    }
    const c = parseYaml(props.data["config.yaml"]);
    return c !== undefined && (c.external_services !== undefined || c.login_token !== undefined || c.auth !== undefined) && c.server !== undefined ? c : undefined;
}

export interface ExtensionProvider {
    readonly name: string;
    readonly [kind: string]: any;
}

export function extensionProviders(mesh: Obj): ExtensionProvider[] {
    return Array.isArray(mesh.extensionProviders) ? mesh.extensionProviders : [];
}

/** Pod template (or Pod) of a workload object. */
export function podTemplate(type: string, props: Obj): Obj | undefined {
    if (type === TYPES.pod) {
        return props;
    }
    if (WORKLOAD_TYPES.includes(type)) {
        return props.spec?.template;
    }
    return undefined;
}

export function containersOf(template: Obj | undefined): Obj[] {
    const spec = template?.spec ?? {};
    return [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
}

/** Literal env value of a container (undefined when unset or from a source). */
export function envValue(container: Obj, name: string): string | undefined {
    const e = (container.env ?? []).find((x: Obj) => x?.name === name);
    return typeof e?.value === "string" ? e.value : undefined;
}

/** True when every key/value of `selector` is among `labels`. */
export function selects(selector: Obj | undefined, labels: Obj | undefined): boolean {
    const entries = Object.entries(selector ?? {});
    return entries.length > 0 && entries.every(([k, v]) => labels?.[k] === v);
}

/** Splits `name.namespace.svc.cluster.local` (or `name.namespace[.svc]`) into name and namespace. */
export function parseServiceHost(host: string): { name: string; namespace?: string } {
    const parts = host.split(".");
    return { name: parts[0], namespace: parts.length > 1 ? parts[1] : undefined };
}

/** Every string inside a value, with its path (for scanning access-log formats wherever they are). */
export function strings(v: unknown, path = ""): { path: string; value: string }[] {
    if (typeof v === "string") {
        return [{ path, value: v }];
    }
    if (Array.isArray(v)) {
        return v.flatMap((x, i) => strings(x, `${path}[${i}]`));
    }
    if (typeof v === "object" && v !== null) {
        return Object.entries(v).flatMap(([k, x]) => strings(x, path === "" ? k : `${path}.${k}`));
    }
    return [];
}

/** A Pulumi resource class (what `validateResourceOfType` takes), e.g. `k8s.networking.v1.NetworkPolicy`. */
export type ResourceClass<TArgs> = new (name: string, args: TArgs, ...rest: never[]) => Resource;

/** The Pulumi type token of a resource class (`kubernetes:networking.k8s.io/v1:NetworkPolicy`). */
export function pulumiTypeOf(cls: object): string | undefined {
    const t: unknown = Reflect.get(cls, "__pulumiType");
    return typeof t === "string" ? t : undefined;
}

/**
 * The props of a stack resource typed by the class's input args (plain values, as analyzers get them),
 * or undefined when the resource is of another type: the stack-policy counterpart of `args.asType`.
 */
export function propsOfType<TArgs>(cls: ResourceClass<TArgs>, r: { readonly type: string; readonly props: object }): Unwrap<NonNullable<TArgs>> | undefined {
    return pulumiTypeOf(cls) === r.type ? (r.props as Unwrap<NonNullable<TArgs>>) : undefined;
}
