/**
 * One request path as a rendered stack wires it: client -> ingress gateway (Envoy) -> the app's
 * sidecar (Envoy), or in an ambient namespace the namespace's waypoint (Envoy) when istiod would route through
 * it, -> app (Node.js or Python), the proxies reporting to the rendered Jaeger with the
 * mesh's tracing provider and the apps with the exported OTLP environment; an ext-authz server behind
 * the gateway's ext_authz filter. Everything is read from the render; the apps, their Services and the
 * gateway routes (a Gateway + VirtualService in a cluster) are the suite's own, as in the reference.
 */
import * as http from "http";
import { GATEWAY_NAME, SYSTEM_NAMESPACE, TRACE_ID_OPERATOR } from "../lib/constants";
import { AppProcess, AppSpec, PYTHON_LOCK, appEnv } from "./apps";
import { Envoy, GatewayRoute, MeshView, WaypointService, gatewayBootstrap, sidecarBootstrap, waypointBootstrap } from "./envoy";
import { ExtAuthzServer } from "./extAuthz";
import { CustomPolicy, ProxyNode, WaypointGateway, serviceCluster, serviceWaypoint } from "./istiod";
import { Jaeger, JaegerStartOptions } from "./jaeger";
import { LOOPBACK, Loopback, freePort } from "./loopback";
import { Rendered } from "./render";
import { AccessLogProviderConfig, K8sObject, StackObjects } from "./stackObjects";

/** The two apps of the reference's app namespaces `auth` and `chat`: one Node.js, one Python. */
export const APPS: readonly AppSpec[] = [
    { name: "auth-api", namespace: "auth", runtime: "node", port: 8080, domain: "auth.example.test" },
    { name: "chat-api", namespace: "chat", runtime: "python", port: 8080, domain: "chat.example.test" },
];

/** The CUSTOM AuthorizationPolicy the suite models on the gateway (the program creates none; see docs/tracing-tests.md). */
const GATEWAY_POLICY: CustomPolicy = { name: "ext-authz-at-gateway", namespace: SYSTEM_NAMESPACE };

export interface ScenarioOptions {
    /** Apps to run (default both). */
    readonly apps?: readonly AppSpec[];
    /** Negative control: replace (or, with undefined, remove) values of the apps' environment, e.g. OTEL_PROPAGATORS. */
    readonly envOverrides?: Readonly<Record<string, string | undefined>>;
    /** The same for one app, by its name (after `envOverrides`): e.g. one app with W3C propagation only, the other with B3 only. */
    readonly appEnvOverrides?: Readonly<Record<string, Readonly<Record<string, string | undefined>>>>;
    /** Negative control: the Python app's lock file (without opentelemetry-propagator-b3). */
    readonly pythonLock?: string;
    /** Negative control: make the tracing provider's collector port unreachable from the proxies. */
    readonly blockProxyCollector?: boolean;
    /** Negative control: change the access-log provider's JSON labels. */
    readonly accessLogLabels?: (labels: Readonly<Record<string, string>>) => Record<string, string>;
    readonly jaeger?: JaegerStartOptions;
}

export interface Response {
    readonly status: number;
    readonly body: string;
}

/** Pod ports of a rendered Deployment: what its containers declare and what the Services selecting it target by number. */
function podPorts(objects: StackObjects, d: K8sObject): { port: number; name?: string }[] {
    const labels: Record<string, string> = d.spec.template.metadata.labels;
    const ports: { port: number; name?: string }[] = d.spec.template.spec.containers.flatMap((c: any) => (c.ports ?? []).map((p: any) => ({ port: Number(p.containerPort), name: p.name })));
    for (const s of objects.clusterIpServices().filter((x) => x.namespace === d.metadata.namespace && Object.entries(x.selector).every(([k, v]) => labels[k] === v))) {
        for (const p of s.ports) {
            if (typeof p.targetPort === "number" && !ports.some((x) => x.port === p.targetPort)) {
                ports.push({ port: p.targetPort });
            }
        }
    }
    return ports;
}

export class Scenario {
    readonly apps = new Map<string, AppProcess>();
    readonly sidecars = new Map<string, Envoy>();
    /** Ambient: the waypoint each app's traffic goes through (by app name), when istiod would give it one. */
    readonly waypoints = new Map<string, { node: ProxyNode; envoy: Envoy }>();
    gateway!: Envoy;
    jaeger!: Jaeger;
    extAuthz?: ExtAuthzServer;
    readonly loopback = new Loopback();
    gatewayUrl = "";
    gatewayNode!: ProxyNode;
    bootstraps: { name: string; config: object }[] = [];
    /** Fields of the rendered access-log format: the one with the trace id operator, the one with the path. */
    logFields = { traceId: "", path: "" };
    private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

    private constructor(readonly rendered: Rendered) {}

    static async start(rendered: Rendered, opts: ScenarioOptions = {}): Promise<Scenario> {
        const s = new Scenario(rendered);
        try {
            await s.init(opts);
        } catch (e) {
            await s.stop();
            throw e;
        }
        return s;
    }

    private async init(opts: ScenarioOptions): Promise<void> {
        const objects = this.rendered.objects;
        const base = objects.telemetry();
        const accessLog: AccessLogProviderConfig = opts.accessLogLabels === undefined ? base.accessLog : { ...base.accessLog, labels: opts.accessLogLabels(base.accessLog.labels) };
        const mesh: MeshView = { profile: { minor: objects.istioVersion().minor }, telemetry: { ...base, accessLog }, loopback: this.loopback };
        const field = (test: (v: string) => boolean) => Object.entries(base.accessLog.labels).find(([, v]) => test(v))?.[0] ?? "";
        this.logFields = { traceId: field((v) => v === TRACE_ID_OPERATOR), path: field((v) => v.includes("PATH)")) };
        const lb = this.loopback;
        for (const svc of objects.clusterIpServices()) {
            lb.addService(svc);
        }
        const apps = opts.apps ?? APPS;
        const meshNamespaces = objects.meshNamespaces();
        const ambientNamespaces = objects.ambientNamespaces();
        const ambient = (app: AppSpec) => ambientNamespaces.includes(app.namespace);
        for (const app of apps) {
            if (!meshNamespaces.includes(app.namespace) && !ambient(app)) {
                throw new Error(`namespace ${app.namespace} of ${app.name} is not in the rendered mesh (sidecar: ${meshNamespaces.join(", ")}; ambient: ${ambientNamespaces.join(", ")})`);
            }
            lb.addService({ name: app.name, namespace: app.namespace, selector: { app: app.name }, ports: [{ name: "http", port: app.port, targetPort: app.port }] });
            await lb.addPod(app.name, app.namespace, { app: app.name }, [{ port: app.port }]);
        }
        const authz = objects.extAuthz();
        if (authz !== undefined) {
            const [name, namespace] = authz.service.split(".");
            lb.addService({ name, namespace, selector: { app: name }, ports: [{ name: authz.protocol, port: authz.port, targetPort: authz.port }] });
            await lb.addPod(name, namespace, { app: name }, [{ port: authz.port }]);
            this.extAuthz = await ExtAuthzServer.start(authz.protocol, lb.podPort(name, authz.port));
        }
        if (opts.blockProxyCollector) {
            await lb.block(base.tracing.service, base.tracing.port);
        }
        this.jaeger = await Jaeger.start(objects, lb, base.tracing.service, objects.queryHost(), opts.jaeger);

        // Ambient: no sidecar, the app listens on its pod port (ztunnel, a pass-through here, delivers to it).
        const gatewayEndpoints = new Map<string, number>();
        const waypointServices = new Map<string, { waypoint: WaypointGateway; services: WaypointService[] }>();
        for (const app of apps) {
            const port = ambient(app) ? lb.podPort(app.name, app.port) : await freePort(); // sidecar: the app's own port inside the pod; the pod's address is the sidecar's
            const env: Record<string, string> = appEnv(this.rendered.outputs.appTracingEnvironment as { name: string; value: string }[], app, lb);
            for (const [k, v] of Object.entries({ ...opts.envOverrides, ...opts.appEnvOverrides?.[app.name] })) {
                if (v === undefined) {
                    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- an environment block, not a keyed collection
                    delete env[k];
                } else {
                    env[k] = v;
                }
            }
            this.apps.set(app.name, await AppProcess.start(app, env, port, app.runtime === "python" ? (opts.pythonLock ?? PYTHON_LOCK) : undefined));
            if (ambient(app)) {
                // The suite's Service of the app carries no labels: its namespace's labels decide (istiod.ts `serviceWaypoint`).
                const { waypoint, ingressUseWaypoint } = serviceWaypoint({ namespace: app.namespace, labels: {} }, objects.namespaceLabels(app.namespace), objects.waypoints());
                if (waypoint !== undefined) {
                    const key = `${waypoint.namespace}/${waypoint.name}`;
                    const entry = waypointServices.get(key) ?? { waypoint, services: [] };
                    const listenPort = await freePort();
                    entry.services.push({ host: `${app.name}.${app.namespace}`, port: app.port, listenPort });
                    waypointServices.set(key, entry);
                    if (ingressUseWaypoint) {
                        gatewayEndpoints.set(app.name, listenPort);
                    }
                }
                continue;
            }
            const node: ProxyNode = { kind: "sidecar", app: app.name, namespace: app.namespace };
            const config = sidecarBootstrap(mesh, node, app.name, { host: `${app.name}.${app.namespace}`, port: app.port }, port, await freePort());
            this.bootstraps.push({ name: serviceCluster(node), config });
            this.sidecars.set(app.name, await Envoy.start(`sidecar-${app.name}`, config, { ISTIO_META_WORKLOAD_NAME: app.name }));
        }

        for (const { waypoint, services } of waypointServices.values()) {
            // One waypoint proxy per Gateway (istiod deploys a Deployment named after it), serving the Service ports bound to it.
            const node: ProxyNode = { kind: "waypoint", app: waypoint.name, namespace: waypoint.namespace };
            const config = waypointBootstrap(mesh, node, waypoint.name, services, await freePort());
            this.bootstraps.push({ name: serviceCluster(node), config });
            const envoy = await Envoy.start(`waypoint-${waypoint.namespace}`, config, { ISTIO_META_WORKLOAD_NAME: waypoint.name });
            for (const svc of services) {
                this.waypoints.set(apps.find((a) => `${a.name}.${a.namespace}` === svc.host)!.name, { node, envoy });
            }
        }

        const gwService = objects.get("Service", GATEWAY_NAME, SYSTEM_NAMESPACE);
        const gwDeployment = objects.deploymentSelectedBy(GATEWAY_NAME, SYSTEM_NAMESPACE);
        const httpPort = gwService.spec.ports.find((p: any) => (p.name ?? "").startsWith("http"));
        await lb.addPod(gwDeployment.metadata.name, SYSTEM_NAMESPACE, gwDeployment.spec.template.metadata.labels, podPorts(objects, gwDeployment));
        this.gatewayNode = { kind: "gateway", app: gwDeployment.spec.template.metadata.labels.app, namespace: SYSTEM_NAMESPACE };
        const routes: GatewayRoute[] = apps.map((a) => ({ domain: a.domain, host: `${a.name}.${a.namespace}`, port: a.port, endpoint: gatewayEndpoints.get(a.name) }));
        const gwConfig = gatewayBootstrap(
            mesh,
            this.gatewayNode,
            gwDeployment.metadata.name,
            Number(httpPort.targetPort),
            await freePort(),
            routes,
            authz === undefined ? undefined : { provider: authz, policy: GATEWAY_POLICY },
        );
        this.bootstraps.push({ name: serviceCluster(this.gatewayNode), config: gwConfig });
        this.gateway = await Envoy.start("gateway", gwConfig, { ISTIO_META_WORKLOAD_NAME: gwDeployment.metadata.name });
        this.gatewayUrl = `http://${LOOPBACK}:${lb.resolve(`${GATEWAY_NAME}.${SYSTEM_NAMESPACE}`, Number(httpPort.port))}`;
    }

    /** A client request through the gateway, as from the internet: no trace headers unless given. */
    request(domain: string, pathName: string, headers: Record<string, string> = {}): Promise<Response> {
        return new Promise((resolve, reject) => {
            const req = http.request(`${this.gatewayUrl}${pathName}`, { agent: this.agent, headers: { host: domain, ...headers } }, (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
            });
            req.on("error", reject);
            req.end();
        });
    }

    /** The gateway's access-log line for a path (Envoy flushes its log file buffer about every second). */
    async gatewayLog(pathName: string, timeoutMs = 5000): Promise<Record<string, unknown>> {
        return accessLogLine(this.gateway, this.logFields.path, pathName, timeoutMs);
    }

    async flushApps(): Promise<void> {
        await Promise.all([...this.apps.values()].map((a) => a.flush()));
    }

    async stop(): Promise<void> {
        this.agent.destroy();
        const waypoints = new Set([...this.waypoints.values()].map((w) => w.envoy));
        await Promise.all([this.gateway?.stop(), ...[...this.sidecars.values(), ...waypoints].map((e) => e.stop())]);
        await Promise.all([...this.apps.values()].map((a) => a.stop()));
        await this.extAuthz?.stop();
        await this.jaeger?.stop();
    }
}

/** Waits for an Envoy's access-log line whose path field is `pathName`. */
export async function accessLogLine(envoy: Envoy, pathField: string, pathName: string, timeoutMs = 5000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const line = envoy.accessLog.find((l) => l[pathField] === pathName);
        if (line !== undefined) {
            return line;
        }
        if (Date.now() > deadline) {
            throw new Error(
                `no access-log line of ${envoy.name} for ${pathName}; last lines:\n${envoy.accessLog
                    .slice(-3)
                    .map((l) => JSON.stringify(l))
                    .join("\n")}`,
            );
        }
        await new Promise((r) => setTimeout(r, 100));
    }
}
