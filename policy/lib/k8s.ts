/**
 * Typed readers for the Kubernetes objects the policies inspect, in the shapes the Pulumi Kubernetes
 * provider passes to analyzers (plain input values): our own resources and the objects Chart v4 renders
 * from the upstream charts (Istio's mesh ConfigMap, Kiali's ConfigMap, Jaeger's Deployments and Services).
 * Resources with a class in @pulumi/kubernetes are typed by its input args (`Unwrap<ConfigMapArgs>`);
 * Istio's custom resources have small typed guards; documents inside them (mesh config, Kiali config,
 * Helm values) are untyped JSON read with {@link at}.
 */
import * as k8s from "@pulumi/kubernetes";
import type { Resource, Unwrap } from "@pulumi/pulumi";
import * as yaml from "js-yaml";
import { GATEWAY_API } from "../../lib/constants";

export type ConfigMapProps = Unwrap<k8s.core.v1.ConfigMapArgs>;
export type ObjectMetaProps = Unwrap<k8s.types.input.meta.v1.ObjectMeta>;
export type PodTemplateProps = Unwrap<k8s.types.input.core.v1.PodTemplateSpec>;
export type ContainerProps = Unwrap<k8s.types.input.core.v1.Container>;

/** A JSON object of unknown shape (a parsed document, Helm values). */
export type JsonObject = Readonly<Record<string, unknown>>;

/** The minimum a policy needs of a resource: its Pulumi type, its inputs, its URN and name. */
export interface StackResource {
    readonly type: string;
    readonly props: JsonObject;
    readonly urn: string;
    /** The Pulumi resource name (the last URN segment). */
    readonly name: string;
}

export const TYPES = {
    configMap: "kubernetes:core/v1:ConfigMap",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    envoyFilter: ["kubernetes:networking.istio.io/v1alpha3:EnvoyFilter"],
    serviceEntry: ["kubernetes:networking.istio.io/v1:ServiceEntry", "kubernetes:networking.istio.io/v1beta1:ServiceEntry", "kubernetes:networking.istio.io/v1alpha3:ServiceEntry"],
    telemetry: ["kubernetes:telemetry.istio.io/v1:Telemetry", "kubernetes:telemetry.istio.io/v1alpha1:Telemetry"],
    chartV4: "kubernetes:helm.sh/v4:Chart",
    releaseV3: "kubernetes:helm.sh/v3:Release",
    chartV3: "kubernetes:helm.sh/v3:Chart",
    /** Gateway API Gateways (waypoints are Gateways of class istio-waypoint), as Pulumi CustomResources register them. */
    gateway: [`kubernetes:${GATEWAY_API.group}/${GATEWAY_API.version}:Gateway`, `kubernetes:${GATEWAY_API.group}/v1beta1:Gateway`],
} as const;

/** A Pulumi resource class (what `validateResourceOfType` takes), e.g. `k8s.networking.v1.NetworkPolicy`. */
export type ResourceClass<TArgs> = new (name: string, args: TArgs, ...rest: never[]) => Resource;

/** The Pulumi type token of a resource class (`kubernetes:networking.k8s.io/v1:NetworkPolicy`). */
export function pulumiTypeOf(cls: object): string | undefined {
    const t: unknown = Reflect.get(cls, "__pulumiType");
    return typeof t === "string" ? t : undefined;
}

/**
 * The props of a resource typed by the class's input args (plain values, as analyzers get them), or
 * undefined when the resource is of another type: `args.asType` for stack resources.
 */
export function propsOfType<TArgs>(cls: ResourceClass<TArgs>, r: { readonly type: string; readonly props: object }): Unwrap<NonNullable<TArgs>> | undefined {
    return pulumiTypeOf(cls) === r.type ? (r.props as Unwrap<NonNullable<TArgs>>) : undefined;
}

/** An Istio custom resource (no @pulumi/kubernetes class): metadata and an untyped spec. */
export interface CustomResourceProps {
    readonly metadata?: ObjectMetaProps;
    readonly spec?: JsonObject;
}

/** Typed guard for a custom resource of one of `types`. */
export function customResourceOf(types: readonly string[], r: { readonly type: string; readonly props: CustomResourceProps }): CustomResourceProps | undefined {
    return types.includes(r.type) ? r.props : undefined;
}

export function nameOf(o: { readonly metadata?: ObjectMetaProps } | undefined): string {
    return o?.metadata?.name ?? "";
}

export function namespaceOf(o: { readonly metadata?: ObjectMetaProps } | undefined): string {
    return o?.metadata?.namespace ?? "default";
}

/** `namespace/name` of an object, for messages. */
export function ref(o: { readonly metadata?: ObjectMetaProps } | undefined): string {
    return `${namespaceOf(o)}/${nameOf(o)}`;
}

/** A plain JSON object, or undefined. */
export function asObject(v: unknown): JsonObject | undefined {
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as JsonObject) : undefined;
}

/** The list, or an empty one. */
export function asList(v: unknown): readonly unknown[] {
    return Array.isArray(v) ? v : [];
}

/** The value at `path` inside a JSON document (undefined when any step is missing). */
export function at(v: unknown, path: readonly string[]): unknown {
    return path.reduce<unknown>((o, key) => asObject(o)?.[key], v);
}

/** Parses YAML text into an object; undefined when it does not parse (other policies are not the place to report that). */
export function parseYaml(text: unknown): JsonObject | undefined {
    if (typeof text !== "string") {
        return undefined;
    }
    try {
        return asObject(yaml.load(text));
    } catch {
        return undefined;
    }
}

/** The mesh config of an istiod mesh ConfigMap (`istio` / `istio-<rev>` with a `mesh` document). */
export function meshConfigOf(cm: ConfigMapProps): JsonObject | undefined {
    if (!/^istio(-.+)?$/.test(nameOf(cm)) || typeof cm.data?.mesh !== "string") {
        return undefined;
    }
    return parseYaml(cm.data.mesh);
}

/** The Kiali server config of a kiali-server ConfigMap (a `config.yaml` document with `server` and auth or services). */
export function kialiConfigOf(cm: ConfigMapProps): JsonObject | undefined {
    const c = parseYaml(cm.data?.["config.yaml"]);
    return c !== undefined && (c.external_services !== undefined || c.login_token !== undefined || c.auth !== undefined) && c.server !== undefined ? c : undefined;
}

/** An entry of the mesh config's `extensionProviders`: its name and one provider kind (`zipkin`, `envoyExtAuthzGrpc`, ...). */
export interface ExtensionProvider {
    readonly name: string;
    readonly [kind: string]: unknown;
}

export function extensionProviders(mesh: JsonObject): ExtensionProvider[] {
    return asList(mesh.extensionProviders).flatMap((p) => {
        const o = asObject(p);
        return o !== undefined && typeof o.name === "string" ? [{ ...o, name: o.name }] : [];
    });
}

/** A workload's pod template, with its kind and metadata; undefined for resources that run no pods. */
export interface Workload {
    readonly kind: "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" | "CronJob" | "Pod";
    readonly metadata?: ObjectMetaProps;
    readonly template?: PodTemplateProps;
}

export function workloadOf(r: { readonly type: string; readonly props: object }): Workload | undefined {
    const apps = [
        ["Deployment", propsOfType(k8s.apps.v1.Deployment, r)],
        ["StatefulSet", propsOfType(k8s.apps.v1.StatefulSet, r)],
        ["DaemonSet", propsOfType(k8s.apps.v1.DaemonSet, r)],
        ["ReplicaSet", propsOfType(k8s.apps.v1.ReplicaSet, r)],
        ["Job", propsOfType(k8s.batch.v1.Job, r)],
    ] as const;
    for (const [kind, w] of apps) {
        if (w !== undefined) {
            return { kind, metadata: w.metadata, template: w.spec?.template };
        }
    }
    const cron = propsOfType(k8s.batch.v1.CronJob, r);
    if (cron !== undefined) {
        return { kind: "CronJob", metadata: cron.metadata, template: cron.spec?.jobTemplate?.spec?.template };
    }
    const pod = propsOfType(k8s.core.v1.Pod, r);
    if (pod !== undefined) {
        return { kind: "Pod", metadata: pod.metadata, template: { metadata: pod.metadata, spec: pod.spec } };
    }
    return undefined;
}

export function containersOf(template: PodTemplateProps | undefined): ContainerProps[] {
    return [...(template?.spec?.containers ?? []), ...(template?.spec?.initContainers ?? [])];
}

/** Literal env value of a container (undefined when unset or from a source). */
export function envValue(container: ContainerProps, name: string): string | undefined {
    return (container.env ?? []).find((e) => e.name === name)?.value;
}

/** True when every key/value of a Service-style `selector` is among `labels` (an empty selector selects nothing). */
export function selects(selector: Readonly<Record<string, string>> | undefined, labels: Readonly<Record<string, string>> | undefined): boolean {
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
