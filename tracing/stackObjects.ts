/**
 * What the program renders for a stack, read back from the YAML files of the render program
 * (e2e/programs/render: the provider's `renderYamlToDirectory`, chart children included). The suite
 * derives its whole setup from these objects: the mesh config in istiod's ConfigMap, the Telemetry,
 * the ClusterIP Services, the Jaeger Deployment (and its config ConfigMap on Jaeger v2). Nothing here
 * restates a port, a Service name or a log format; it only reads them.
 */
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { AMBIENT_LABELS, TracingProvider, WAYPOINT } from "../lib/constants";
import { WaypointGateway } from "./istiod";

/** A Kubernetes object as rendered (plain data). */
export interface K8sObject {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> };
    readonly [field: string]: any;
}

/** The mesh's tracing provider: what Istio's `zipkin` / `opentelemetry` extension provider says. */
export interface TracingProviderConfig {
    readonly name: string;
    readonly kind: TracingProvider;
    readonly service: string;
    readonly port: number;
    /** Zipkin only: the collector path (istiod's default `/api/v2/spans` when absent). */
    readonly path?: string;
    /** Zipkin only: `traceContextOption` (Istio >= 1.28; USE_B3 when absent). */
    readonly traceContextOption?: string;
}

/** The `envoyFileAccessLog` provider: file and JSON labels. */
export interface AccessLogProviderConfig {
    readonly name: string;
    readonly path: string;
    readonly labels: Readonly<Record<string, string>>;
}

/** The ext-authz provider (`envoyExtAuthzGrpc` or `envoyExtAuthzHttp`), with the MeshConfig field names. */
export interface ExtAuthzProviderConfig {
    readonly name: string;
    readonly protocol: "grpc" | "http";
    readonly service: string;
    readonly port: number;
    readonly timeout?: string;
    readonly failOpen: boolean;
    readonly pathPrefix?: string;
    readonly includeRequestHeadersInCheck: readonly string[];
}

/** What the Telemetry resource asks of every proxy. */
export interface TelemetrySelection {
    readonly tracing: TracingProviderConfig;
    /** Telemetry `randomSamplingPercentage`. */
    readonly samplingPercentage: number;
    readonly accessLog: AccessLogProviderConfig;
}

export interface ServicePort {
    readonly name?: string;
    readonly port: number;
    readonly targetPort: number | string;
    readonly appProtocol?: string;
}

export class StackObjects {
    constructor(readonly objects: readonly K8sObject[]) {}

    /** Every object under a render directory (`0-crd/`, `1-manifest/`). */
    static fromDirectory(dir: string): StackObjects {
        const files = (d: string): string[] =>
            fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(d, e.name)) : e.name.endsWith(".yaml") ? [path.join(d, e.name)] : []));
        const objects = files(dir).flatMap((f) => yaml.loadAll(fs.readFileSync(f, "utf8")).filter((o): o is K8sObject => typeof o === "object" && o !== null && "kind" in o));
        return new StackObjects(objects);
    }

    /** The one object of a kind, name and namespace; throws naming what is missing. */
    get(kind: string, name: string, namespace?: string): K8sObject {
        const found = this.objects.filter((o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
        if (found.length !== 1) {
            throw new Error(`the rendered stack has ${found.length} ${kind} ${namespace ?? "*"}/${name}, expected 1`);
        }
        return found[0];
    }

    ofKind(kind: string): K8sObject[] {
        return this.objects.filter((o) => o.kind === kind);
    }

    /** istiod's mesh config: ConfigMap `istio`, key `mesh` (YAML), in the namespace of the istiod Deployment. */
    meshConfig(): Record<string, any> {
        const istiod = this.ofKind("Deployment").find((d) => d.metadata.labels?.app === "istiod");
        if (istiod === undefined) {
            throw new Error("the rendered stack has no istiod Deployment");
        }
        return yaml.load(this.get("ConfigMap", "istio", istiod.metadata.namespace).data.mesh) as Record<string, any>;
    }

    /** Istio version of the rendered istiod chart (its `helm.sh/chart: istiod-<version>` label). */
    istioVersion(): { minor: number; text: string } {
        const label = this.ofKind("Deployment").find((d) => d.metadata.labels?.app === "istiod")?.metadata.labels?.["helm.sh/chart"] ?? "";
        const m = /^istiod-1\.(\d+)\.\d+/.exec(label);
        if (m === null) {
            throw new Error(`cannot read the Istio version of the rendered istiod Deployment (helm.sh/chart ${JSON.stringify(label)})`);
        }
        return { minor: Number(m[1]), text: label.slice("istiod-".length) };
    }

    private provider(name: string): Record<string, any> {
        const p = (this.meshConfig().extensionProviders ?? []).find((x: { name: string }) => x.name === name);
        if (p === undefined) {
            throw new Error(`the mesh config has no extension provider ${name}`);
        }
        return p;
    }

    /**
     * The tracing and access-log providers the mesh-wide Telemetry selects, and its sampling, as istiod
     * reads them (istio/istio@1.30.3 pilot/pkg/model/telemetry.go `Tracing`: the first default provider,
     * overridden by the Telemetry's providers; sampling from `randomSamplingPercentage`).
     */
    telemetry(): TelemetrySelection {
        const mesh = this.meshConfig();
        const telemetries = this.ofKind("Telemetry").filter((t) => t.metadata.namespace === (mesh.rootNamespace ?? "istio-system") && t.spec?.selector === undefined);
        if (telemetries.length !== 1) {
            throw new Error(`expected one mesh-wide Telemetry in the root namespace, found ${telemetries.length}`);
        }
        const spec = telemetries[0].spec;
        const tracingName: string | undefined = spec.tracing?.[0]?.providers?.[0]?.name ?? mesh.defaultProviders?.tracing?.[0];
        const accessLogName: string | undefined = spec.accessLogging?.[0]?.providers?.[0]?.name ?? mesh.defaultProviders?.accessLogging?.[0];
        if (tracingName === undefined || accessLogName === undefined) {
            throw new Error("the Telemetry and mesh config select no tracing or no access-log provider");
        }
        const t = this.provider(tracingName);
        const kind: TracingProvider | undefined = t.zipkin !== undefined ? "zipkin" : t.opentelemetry !== undefined ? "opentelemetry" : undefined;
        if (kind === undefined) {
            throw new Error(`tracing provider ${tracingName} is neither zipkin nor opentelemetry`);
        }
        const a = this.provider(accessLogName).envoyFileAccessLog;
        if (a?.logFormat?.labels === undefined) {
            throw new Error(`access-log provider ${accessLogName} has no JSON labels`);
        }
        return {
            tracing: { name: tracingName, kind, service: t[kind].service, port: Number(t[kind].port), path: t[kind].path, traceContextOption: t[kind].traceContextOption },
            samplingPercentage: Number(spec.tracing?.[0]?.randomSamplingPercentage),
            accessLog: { name: accessLogName, path: a.path ?? "/dev/stdout", labels: a.logFormat.labels },
        };
    }

    /** The mesh config's ext-authz provider (the stack defines at most one). */
    extAuthz(): ExtAuthzProviderConfig | undefined {
        const p = (this.meshConfig().extensionProviders ?? []).find((x: Record<string, unknown>) => x.envoyExtAuthzGrpc !== undefined || x.envoyExtAuthzHttp !== undefined);
        if (p === undefined) {
            return undefined;
        }
        const c = p.envoyExtAuthzGrpc ?? p.envoyExtAuthzHttp;
        return {
            name: p.name,
            protocol: p.envoyExtAuthzGrpc !== undefined ? "grpc" : "http",
            service: c.service,
            port: Number(c.port),
            timeout: c.timeout,
            failOpen: c.failOpen === true,
            pathPrefix: c.pathPrefix,
            includeRequestHeadersInCheck: c.includeRequestHeadersInCheck ?? [],
        };
    }

    /** ClusterIP Services (headless ones left out: the proxies cannot route to them reliably). */
    clusterIpServices(): { name: string; namespace: string; labels: Record<string, string>; selector: Record<string, string>; ports: ServicePort[] }[] {
        return this.ofKind("Service")
            .filter((s) => (s.spec?.type ?? "ClusterIP") === "ClusterIP" && s.spec?.clusterIP !== "None")
            .map((s) => ({
                name: s.metadata.name,
                namespace: s.metadata.namespace ?? "default",
                labels: s.metadata.labels ?? {},
                selector: s.spec.selector ?? {},
                ports: (s.spec.ports ?? []).map((p: any) => ({ name: p.name, port: Number(p.port), targetPort: p.targetPort ?? p.port, appProtocol: p.appProtocol })),
            }));
    }

    /** Host of the Jaeger query Service, as Kiali's rendered config names it (`external_services.tracing.internal_url`). */
    queryHost(): string {
        for (const cm of this.ofKind("ConfigMap")) {
            const text = cm.data?.["config.yaml"];
            const url = typeof text === "string" ? (yaml.load(text) as any)?.external_services?.tracing?.internal_url : undefined;
            if (typeof url === "string") {
                return new URL(url).hostname;
            }
        }
        throw new Error("the rendered stack has no Kiali config with a tracing internal_url");
    }

    /** Namespaces the stack puts in the mesh (sidecar injection on). */
    meshNamespaces(): string[] {
        return this.ofKind("Namespace")
            .filter((n) => n.metadata.labels?.["istio-injection"] === "enabled")
            .map((n) => n.metadata.name)
            .sort();
    }

    /** Namespaces the stack enrols in ambient mode (`istio.io/dataplane-mode: ambient`; istio-cni reads it). */
    ambientNamespaces(): string[] {
        return this.ofKind("Namespace")
            .filter((n) => n.metadata.labels?.[AMBIENT_LABELS.dataplaneMode] === "ambient")
            .map((n) => n.metadata.name)
            .sort();
    }

    /** The labels of a rendered Namespace (none when the stack does not render it). */
    namespaceLabels(namespace: string): Readonly<Record<string, string>> {
        return this.ofKind("Namespace").find((n) => n.metadata.name === namespace)?.metadata.labels ?? {};
    }

    /**
     * The waypoints: Gateways of the class istiod serves with its waypoint template (`istio-waypoint`), with their
     * `istio.io/waypoint-for` (`service` when absent, the default of istiod's built-in GatewayClass:
     * istio/istio@1.30.3 pilot/pkg/serviceregistry/ambient/waypoints.go `gatewayToWaypointTransform`).
     */
    waypoints(): WaypointGateway[] {
        return this.ofKind("Gateway")
            .filter((g) => g.spec?.gatewayClassName === WAYPOINT.gatewayClassName)
            .map((g) => ({ name: g.metadata.name, namespace: g.metadata.namespace ?? "default", waypointFor: g.metadata.labels?.[AMBIENT_LABELS.waypointFor] ?? "service" }));
    }

    /** The same objects, each passed through `edit` (undefined drops it): a negative control's change to the render. */
    edited(edit: (o: K8sObject) => K8sObject | undefined): StackObjects {
        return new StackObjects(this.objects.flatMap((o) => edit(o) ?? []));
    }

    /** The Deployment whose pods a Service selects (exactly one), e.g. the Jaeger pod behind the collector Service. */
    deploymentSelectedBy(service: string, namespace: string): K8sObject {
        const svc = this.get("Service", service, namespace);
        const selector: Record<string, string> = svc.spec.selector ?? {};
        const found = this.ofKind("Deployment").filter(
            (d) => d.metadata.namespace === namespace && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => d.spec.template.metadata?.labels?.[k] === v),
        );
        if (found.length !== 1) {
            throw new Error(`Service ${namespace}/${service} selects the pods of ${found.length} rendered Deployments (selector ${JSON.stringify(selector)}), expected 1`);
        }
        return found[0];
    }

    /** The content of a file a container mounts from a ConfigMap (e.g. Jaeger v2's `--config` file). */
    mountedFile(deployment: K8sObject, container: any, file: string): string | undefined {
        const mount = (container.volumeMounts ?? []).find((m: any) => m.mountPath === file || (m.subPath === undefined && file.startsWith(`${m.mountPath}/`)));
        const volume = (deployment.spec.template.spec.volumes ?? []).find((v: any) => v.name === mount?.name);
        if (mount === undefined || volume?.configMap === undefined) {
            return undefined;
        }
        const key = mount.subPath ?? path.basename(file);
        return this.get("ConfigMap", volume.configMap.name, deployment.metadata.namespace).data?.[key];
    }
}
