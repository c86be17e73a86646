/**
 * Real Envoy 1.40.0 processes (the toolchain's binary) as the ingress gateway, the apps' sidecars and, in
 * ambient mode, the waypoints (without HBONE: see `waypointBootstrap`), each with a static bootstrap that holds what istiod would send it over xDS for the rendered objects
 * (istiod.ts), and clusters whose endpoints are the loopback addresses of the Services they name
 * (loopback.ts). Access logs go to the provider's `/dev/stdout`, which the suite reads line by line.
 *
 * Two things differ from a pod, both on purpose: each Envoy listens on a loopback port instead of
 * behind iptables (the sidecar's inbound listener takes the app Service's address), and a static
 * runtime layer shortens the tracers' report interval from 5 s to 250 ms (what is sent is unchanged).
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stopProcess, toolsBin } from "../e2e/tools";
import {
    CustomPolicy,
    IstioProfile,
    ProxyNode,
    extAuthzFilters,
    fileAccessLog,
    hcmTracing,
    inboundCluster,
    outboundCluster,
    routeOperation,
    serviceCluster,
    waypointHttpCluster,
    waypointRoute,
} from "./istiod";
import { LOOPBACK, Loopback } from "./loopback";
import { ExtAuthzProviderConfig, TelemetrySelection } from "./stackObjects";

const HCM_TYPE = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";

/** What a proxy needs from the rendered stack. */
export interface MeshView {
    readonly profile: IstioProfile;
    readonly telemetry: TelemetrySelection;
    readonly loopback: Loopback;
}

/** A STATIC cluster on a loopback port; HTTP/2 when the Service port's name or appProtocol says grpc/http2 (Istio's protocol selection). */
function cluster(name: string, port: number, http2: boolean): object {
    return {
        name,
        type: "STATIC",
        connect_timeout: "10s",
        load_assignment: { cluster_name: name, endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: LOOPBACK, port_value: port } } } }] }] },
        ...(http2
            ? {
                  typed_extension_protocol_options: {
                      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
                          "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                          explicit_http_config: { http2_protocol_options: {} },
                      },
                  },
              }
            : {}),
    };
}

/** The outbound cluster of a Service host and port, its endpoint resolved through the loopback map. */
function outboundServiceCluster(loopback: Loopback, host: string, port: number): object {
    const sp = loopback.servicePort(host, port);
    const proto = (sp.appProtocol ?? sp.name ?? "").toLowerCase();
    return cluster(outboundCluster(loopback.fqdn(host), port), loopback.resolve(host, port), /^(grpc|http2)/.test(proto));
}

/** The collector's cluster for the mesh's tracing provider. */
function collectorCluster(mesh: MeshView): object {
    return outboundServiceCluster(mesh.loopback, mesh.telemetry.tracing.service, mesh.telemetry.tracing.port);
}

function hcm(statPrefix: string, node: ProxyNode, mesh: MeshView, routeConfig: object, filters: object[]): object {
    return {
        name: "envoy.filters.network.http_connection_manager",
        typed_config: {
            "@type": HCM_TYPE,
            stat_prefix: statPrefix,
            // I30 listener_builder.go: the gateway uses the remote address, sidecars and waypoints
            // (listener_waypoint.go `buildWaypointInboundHTTPFilters` L918) do not; paths normalised, escaped slashes kept.
            use_remote_address: node.kind === "gateway",
            normalize_path: true,
            path_with_escaped_slashes_action: "KEEP_UNCHANGED",
            request_id_extension: { typed_config: { "@type": "type.googleapis.com/envoy.extensions.request_id.uuid.v3.UuidRequestIdConfig", use_request_id_for_trace_sampling: true } },
            tracing: hcmTracing(mesh.profile, node, mesh.telemetry, mesh.loopback.fqdn(mesh.telemetry.tracing.service)),
            access_log: [fileAccessLog(mesh.telemetry.accessLog)],
            http_filters: [...filters, { name: "envoy.filters.http.router", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router" } }],
            route_config: routeConfig,
        },
    };
}

function bootstrap(node: ProxyNode, podName: string, adminPort: number, listeners: object[], clusters: object[]): object {
    // The node type istio-agent puts first in the node id (I30 pkg/model/proxy.go L495-509: router, sidecar, waypoint).
    const role = node.kind === "gateway" ? "router" : node.kind;
    return {
        node: { id: `${role}~${LOOPBACK}~${podName}.${node.namespace}~${node.namespace}.svc.cluster.local`, cluster: serviceCluster(node) },
        admin: { address: { socket_address: { address: LOOPBACK, port_value: adminPort } } },
        static_resources: { listeners, clusters },
        layered_runtime: { layers: [{ name: "report-interval", static_layer: { "tracing.zipkin.flush_interval_ms": 250, "tracing.opentelemetry.flush_interval_ms": 250 } }] },
    };
}

/**
 * A route of the gateway: requests for `domain` go to the Service `host:port` (what a Gateway + VirtualService give).
 * `endpoint`: the loopback port the cluster's endpoint is instead of the Service's pods, when istiod gives the
 * gateway's cluster for the Service the endpoints of its waypoint (`istio.io/ingress-use-waypoint`; istiod.ts
 * `serviceWaypoint`). The cluster keeps the Service's name, as with istiod's EDS.
 */
export interface GatewayRoute {
    readonly domain: string;
    readonly host: string;
    readonly port: number;
    readonly endpoint?: number;
}

/**
 * The ingress gateway: a listener on the gateway pod's port (`traffic_direction: OUTBOUND`, as
 * I30 pilot/pkg/networking/core/listener.go L1154 sets for gateways: Envoy makes its spans egress ones),
 * one virtual host per route, and, when an ext-authz provider and a CUSTOM policy are given, istiod's
 * rbac + ext_authz filters.
 */
export function gatewayBootstrap(
    mesh: MeshView,
    node: ProxyNode,
    podName: string,
    listenPort: number,
    adminPort: number,
    routes: readonly GatewayRoute[],
    extAuthz?: { provider: ExtAuthzProviderConfig; policy: CustomPolicy },
): object {
    const lb = mesh.loopback;
    const containerPort = listenPort;
    const routeConfig = {
        name: `http.${containerPort}`,
        virtual_hosts: routes.map((r) => ({
            name: `${r.domain}:${containerPort}`,
            domains: [r.domain, `${r.domain}:*`],
            routes: [{ match: { prefix: "/" }, route: { cluster: outboundCluster(lb.fqdn(r.host), r.port), timeout: "0s" }, decorator: { operation: routeOperation(lb.fqdn(r.host), r.port) } }],
        })),
    };
    const filters = extAuthz === undefined ? [] : extAuthzFilters(mesh.profile, extAuthz.provider, extAuthz.policy, lb.fqdn(extAuthz.provider.service));
    const listener = {
        name: `0.0.0.0_${containerPort}`,
        address: { socket_address: { address: LOOPBACK, port_value: lb.podPort(podName, containerPort) } },
        traffic_direction: "OUTBOUND",
        filter_chains: [{ filters: [hcm(`outbound_0.0.0.0_${containerPort}`, node, mesh, routeConfig, filters)] }],
    };
    const clusters = [
        ...routes.map((r) => (r.endpoint === undefined ? outboundServiceCluster(lb, r.host, r.port) : cluster(outboundCluster(lb.fqdn(r.host), r.port), r.endpoint, false))),
        collectorCluster(mesh),
        ...(extAuthz === undefined ? [] : [outboundServiceCluster(lb, extAuthz.provider.service, extAuthz.provider.port)]),
    ];
    return bootstrap(node, podName, adminPort, [listener], clusters);
}

/**
 * An app's sidecar, inbound side: the `virtualInbound` listener (`traffic_direction: INBOUND`, I24
 * listener_inbound.go L156: ingress spans), route `default` with the decorator
 * `<service host>:<port>/*` (route.go `BuildDefaultHTTPInboundRoute`), to `inbound|<port>||` = the app,
 * which listens on its own loopback port (in the pod: its container port on localhost).
 */
export function sidecarBootstrap(mesh: MeshView, node: ProxyNode, podName: string, service: { host: string; port: number }, appLoopbackPort: number, adminPort: number): object {
    const lb = mesh.loopback;
    const routeConfig = {
        name: inboundCluster(service.port),
        virtual_hosts: [
            {
                name: `inbound|http|${service.port}`,
                domains: ["*"],
                routes: [
                    {
                        name: "default",
                        match: { prefix: "/" },
                        route: { cluster: inboundCluster(service.port), timeout: "0s" },
                        decorator: { operation: routeOperation(lb.fqdn(service.host), service.port) },
                    },
                ],
            },
        ],
    };
    const listener = {
        name: "virtualInbound",
        address: { socket_address: { address: LOOPBACK, port_value: lb.resolve(service.host, service.port) } },
        traffic_direction: "INBOUND",
        filter_chains: [{ filters: [hcm(`inbound_0.0.0.0_${service.port}`, node, mesh, routeConfig, [])] }],
    };
    return bootstrap(node, podName, adminPort, [listener], [cluster(inboundCluster(service.port), appLoopbackPort, false), collectorCluster(mesh)]);
}

/** A Service port a waypoint serves: the Service's host and port, and the loopback port the waypoint takes its traffic on. */
export interface WaypointService {
    readonly host: string;
    readonly port: number;
    readonly listenPort: number;
}

/**
 * An ambient waypoint, as istiod 1.30 configures one (pilot/pkg/networking/core/listener_waypoint.go): in the pod,
 * `connect_terminate` on 15008 ends the HBONE tunnel (its HCM has no tracing, `buildHCMConnectTerminateChain`
 * L223) and hands the inner stream to the internal listener `main_internal` (`buildWaypointInternal` L388,
 * `traffic_direction: INBOUND` L761: Envoy makes its spans SERVER spans), which picks one HTTP filter chain
 * per Service port by the tunnel's target VIP:port; that chain's HCM (`buildWaypointInboundHTTPFilters` L911) has
 * the tracer, sampling and access log of the mesh-wide Telemetry (istiod.ts `hcmTracing`, `fileAccessLog`) and
 * routes to `inbound-vip|<port>|http|<host>` (istiod.ts `waypointRoute`), whose endpoints are the Service's pods,
 * reached through `connect_originate` (HBONE to the pod's ztunnel).
 *
 * Not emulated: HBONE and its mTLS. Each Service port's chain is a plain-HTTP listener of its own on loopback
 * (the tunnel's target address, which selects the chain in `main_internal`, becomes the port), and the
 * `inbound-vip` cluster's endpoint is the app's pod port directly: the destination's ztunnel, which opens the
 * tunnel, emits no span and never reads or writes HTTP headers, is a plain pass-through here.
 */
export function waypointBootstrap(mesh: MeshView, node: ProxyNode, podName: string, services: readonly WaypointService[], adminPort: number): object {
    const lb = mesh.loopback;
    const listeners = services.map((svc) => {
        const fqdn = lb.fqdn(svc.host);
        const chain = waypointHttpCluster(fqdn, svc.port);
        const routeConfig = { name: chain, virtual_hosts: [{ name: `inbound|http|${svc.port}`, domains: ["*"], routes: [waypointRoute(fqdn, svc.port)] }] };
        return {
            name: chain,
            address: { socket_address: { address: LOOPBACK, port_value: svc.listenPort } },
            traffic_direction: "INBOUND",
            filter_chains: [{ name: chain, filters: [hcm(`inbound_0.0.0.0_${svc.port}`, node, mesh, routeConfig, [])] }],
        };
    });
    const clusters = [...services.map((svc) => cluster(waypointHttpCluster(lb.fqdn(svc.host), svc.port), lb.resolve(svc.host, svc.port), false)), collectorCluster(mesh)];
    return bootstrap(node, podName, adminPort, listeners, clusters);
}

/** `envoy --mode validate`: the bootstrap parses and every extension in it is known to this Envoy; throws Envoy's message. */
export async function validate(config: object): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "envoy-validate-"));
    try {
        fs.writeFileSync(path.join(dir, "envoy.json"), JSON.stringify(config));
        const out = fs.openSync(path.join(dir, "out.log"), "w");
        const proc = spawn(path.join(toolsBin(), "envoy"), ["--mode", "validate", "-c", path.join(dir, "envoy.json"), "-l", "error"], { stdio: ["ignore", out, out] });
        fs.closeSync(out);
        const code = await new Promise<number | null>((r) => proc.once("exit", r));
        if (code !== 0) {
            throw new Error(`envoy --mode validate exited with ${code}: ${fs.readFileSync(path.join(dir, "out.log"), "utf8")}`);
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

export class Envoy {
    private readonly lines: Record<string, unknown>[] = [];
    private read = 0;
    private partial = "";

    private constructor(
        readonly name: string,
        private readonly proc: ChildProcess,
        private readonly dir: string,
        private readonly adminPort: number,
    ) {}

    /** Starts Envoy with a bootstrap and waits until its admin says LIVE. `env` is what istio-agent sets (e.g. ISTIO_META_WORKLOAD_NAME). */
    static async start(name: string, config: object, env: Readonly<Record<string, string>>): Promise<Envoy> {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), `envoy-${name}-`));
        fs.writeFileSync(path.join(dir, "envoy.json"), JSON.stringify(config, null, 1));
        const err = fs.openSync(path.join(dir, "envoy.log"), "w");
        // Stdout is a file, as a container runtime's log file: Envoy opens the provider's `/dev/stdout`, which a pipe set up as a socket would refuse.
        const out = fs.openSync(path.join(dir, "stdout.log"), "w");
        const adminPort = (config as { admin: { address: { socket_address: { port_value: number } } } }).admin.address.socket_address.port_value;
        // istio-agent's flags (I30 pkg/envoy/proxy.go: log files flushed every second, no hot restart), and one worker
        // each (a sidecar gets two; this machine has two cores for three proxies, two apps and Jaeger).
        const args = ["-c", path.join(dir, "envoy.json"), "--file-flush-interval-msec", "1000", "--disable-hot-restart", "--concurrency", "1", "-l", "warning"];
        const proc = spawn(path.join(toolsBin(), "envoy"), args, {
            env: { PATH: process.env.PATH ?? "", ...env },
            stdio: ["ignore", out, err],
        });
        fs.closeSync(err);
        fs.closeSync(out);
        const e = new Envoy(name, proc, dir, adminPort);
        const deadline = Date.now() + 20_000;
        while (Date.now() < deadline) {
            if (proc.exitCode !== null) {
                throw new Error(`Envoy ${name} exited with ${proc.exitCode}:\n${e.log()}`);
            }
            try {
                if ((await (await fetch(`http://${LOOPBACK}:${adminPort}/ready`)).text()).trim() === "LIVE") {
                    return e;
                }
            } catch {
                // admin not up yet
            }
            await new Promise((r) => setTimeout(r, 100));
        }
        await e.stop();
        throw new Error(`Envoy ${name} did not become ready:\n${e.log()}`);
    }

    /** The JSON access-log lines Envoy has written to stdout so far (it flushes its log buffer about every second). */
    get accessLog(): Record<string, unknown>[] {
        const file = path.join(this.dir, "stdout.log");
        if (fs.existsSync(file)) {
            const size = fs.statSync(file).size;
            if (size > this.read) {
                const fd = fs.openSync(file, "r");
                const buf = Buffer.alloc(size - this.read);
                fs.readSync(fd, buf, 0, buf.length, this.read);
                fs.closeSync(fd);
                this.read = size;
                const text = this.partial + buf.toString();
                const parts = text.split("\n");
                this.partial = parts.pop() ?? "";
                this.lines.push(...parts.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>));
            }
        }
        return this.lines;
    }

    log(): string {
        return fs.existsSync(path.join(this.dir, "envoy.log")) ? fs.readFileSync(path.join(this.dir, "envoy.log"), "utf8").slice(-3000) : "";
    }

    /** Counters and gauges whose name contains `filter` (admin `/stats`). */
    async stats(filter: string): Promise<Record<string, number>> {
        const text = await (await fetch(`http://${LOOPBACK}:${this.adminPort}/stats?filter=${encodeURIComponent(filter)}`)).text();
        return Object.fromEntries(text.split("\n").flatMap((l) => (/^(\S+): (\d+)$/.test(l) ? [[l.split(": ")[0], Number(l.split(": ")[1])]] : [])));
    }

    async stop(): Promise<void> {
        await stopProcess(this.proc);
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}
