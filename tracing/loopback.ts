/**
 * The one place where cluster addresses become loopback addresses. In the cluster a client dials
 * `<service>.<namespace>.svc.cluster.local:<port>`; kube-proxy sends it to the Service's `targetPort`
 * on a pod the Service selects. Here every pod's container port is given a port on 127.0.0.1
 * (as `docker run -p 127.0.0.1:<host>:<container>` would), and a Service port resolves through its
 * targetPort to that. Envoy's clusters, the apps' OTLP endpoint and the ext-authz address all go
 * through {@link Loopback.resolve}; nothing else turns a cluster name into an address.
 */
import * as net from "net";
import { CLUSTER_DOMAIN } from "../lib/constants";
import { ServicePort } from "./stackObjects";

export const LOOPBACK = "127.0.0.1";

/** A pod of the run: its labels (Services select by them) and the loopback port of each container port. */
interface Pod {
    readonly name: string;
    readonly namespace: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly ports: Map<number, { loopback: number; name?: string }>;
}

export interface ServiceDef {
    readonly name: string;
    readonly namespace: string;
    readonly selector: Readonly<Record<string, string>>;
    readonly ports: readonly ServicePort[];
}

/** Every port freePort has handed out in this process: the kernel may offer a released port again before its taker binds it. */
const handedOut = new Set<number>();

/**
 * A free port on 127.0.0.1 (bound and released; the caller binds it right after), never one this process was given
 * before: a test that reserves a port, then starts processes that take ports of their own, would otherwise race them
 * for it (seen in CI: Prometheus lost its port to a process the scenario started, and the query reached that one).
 */
export async function freePort(): Promise<number> {
    for (;;) {
        const port = await new Promise<number>((resolve, reject) => {
            const s = net.createServer();
            s.once("error", reject);
            s.listen(0, LOOPBACK, () => {
                const p = (s.address() as net.AddressInfo).port;
                s.close(() => resolve(p));
            });
        });
        if (!handedOut.has(port)) {
            handedOut.add(port);
            return port;
        }
    }
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function listening(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const c = net.connect({ host: LOOPBACK, port });
        c.once("connect", () => {
            c.destroy();
            resolve(true);
        });
        c.once("error", () => resolve(false));
    });
}

export class Loopback {
    private readonly pods: Pod[] = [];
    private readonly services: ServiceDef[] = [];
    /** Service ports made unreachable (negative control: an egress policy without the port). */
    private readonly blocked = new Map<string, number>();

    /**
     * Adds a pod and gives each container port a loopback port: a free one, or the same number when
     * `samePorts` (Jaeger: its built-in v2 configuration names its ports, so they keep their numbers).
     */
    async addPod(name: string, namespace: string, labels: Readonly<Record<string, string>>, containerPorts: readonly { port: number; name?: string }[], samePorts = false): Promise<void> {
        const ports = new Map<number, { loopback: number; name?: string }>();
        for (const p of containerPorts) {
            ports.set(p.port, { loopback: samePorts ? p.port : await freePort(), name: p.name });
        }
        this.pods.push({ name, namespace, labels, ports });
    }

    addService(def: ServiceDef): void {
        this.services.push(def);
    }

    /** The loopback port of a pod's container port. */
    podPort(pod: string, containerPort: number): number {
        const p = this.pods.find((x) => x.name === pod)?.ports.get(containerPort);
        if (p === undefined) {
            throw new Error(`pod ${pod} has no container port ${containerPort}`);
        }
        return p.loopback;
    }

    /** Makes a Service port unreachable: it resolves to a loopback port nothing listens on. */
    async block(host: string, port: number): Promise<void> {
        this.blocked.set(`${this.service(host).namespace}/${this.service(host).name}:${port}`, await freePort());
    }

    /**
     * The loopback port behind `<service>.<namespace>[.svc.cluster.local]:<port>`: the Service's port,
     * its targetPort (a number or a container port name), the pod its selector matches.
     */
    resolve(host: string, port: number): number {
        const svc = this.service(host);
        return this.blocked.get(`${svc.namespace}/${svc.name}:${port}`) ?? this.target(host, port);
    }

    /** Where a Service port leads, even when blocked: the loopback port of the pod port it targets. */
    target(host: string, port: number): number {
        const svc = this.service(host);
        const sp = svc.ports.find((p) => p.port === port);
        if (sp === undefined) {
            throw new Error(`Service ${svc.namespace}/${svc.name} has no port ${port}`);
        }
        const pods = this.pods.filter((p) => p.namespace === svc.namespace && Object.keys(svc.selector).length > 0 && Object.entries(svc.selector).every(([k, v]) => p.labels[k] === v));
        if (pods.length === 0) {
            throw new Error(`Service ${svc.namespace}/${svc.name} selects no pod of this run (selector ${JSON.stringify(svc.selector)})`);
        }
        for (const pod of pods) {
            const target = typeof sp.targetPort === "number" ? pod.ports.get(sp.targetPort) : [...pod.ports.values()].find((p) => p.name === sp.targetPort);
            if (target !== undefined) {
                return target.loopback;
            }
        }
        throw new Error(`Service ${svc.namespace}/${svc.name} port ${port} targets ${sp.targetPort}, a port no pod it selects declares`);
    }

    /** The Service port definition behind a host and port (its name says the protocol, as Istio reads it). */
    servicePort(host: string, port: number): ServicePort {
        const sp = this.service(host).ports.find((p) => p.port === port);
        if (sp === undefined) {
            throw new Error(`Service ${host} has no port ${port}`);
        }
        return sp;
    }

    /** Fully qualified name of a Service host (`a.b` -> `a.b.svc.cluster.local`). */
    fqdn(host: string): string {
        const svc = this.service(host);
        return `${svc.name}.${svc.namespace}.svc.${CLUSTER_DOMAIN}`;
    }

    /** Rewrites an `http://<service host>:<port>` URL to its loopback address. */
    url(url: string): string {
        const u = new URL(url);
        return `${u.protocol}//${LOOPBACK}:${this.resolve(u.hostname, Number(u.port))}${u.pathname === "/" ? "" : u.pathname}`;
    }

    private service(host: string): ServiceDef {
        const [name, namespace] = host.split(".");
        const svc = this.services.find((s) => s.name === name && s.namespace === namespace);
        if (svc === undefined) {
            throw new Error(`no Service ${host} in this run`);
        }
        return svc;
    }
}
