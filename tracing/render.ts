/**
 * The objects the program renders for a stack, through the users' CLI path: the Pulumi CLI runs the
 * render program (e2e/programs/render: the project's program with the Kubernetes provider in
 * `renderYamlToDirectory` mode, no cluster) on a copy of `Pulumi.local.yaml`, changed only with
 * `pulumi config set` (e2e/harness.ts `workspaceStack`, `configSet`, `airGapped`). Charts come from the
 * loopback mirror of ../shared/charts of a control plane started here (see RenderCluster). Each
 * variant is rendered once per run.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ConfigChange, PROJECT_DIR, WORK_DIR, airGapped, configSet, workspaceStack } from "../e2e/harness";
import { TracePropagation } from "../components/istioMesh";
import { ChartRole, DEFAULT_CHARTS, JaegerChartLine, REFERENCE_VERSIONS } from "../lib/charts";
import { DataPlane, TracingProvider } from "../lib/constants";
import { StackObjects } from "./stackObjects";

/** One stack the suite runs: a Jaeger line (with its Istio line), a tracing provider (zipkin: with its propagation) and an ext-authz protocol. */
export interface Variant {
    readonly line: JaegerChartLine;
    readonly provider: TracingProvider;
    /** Zipkin only: `tracing.propagation`, set explicitly. */
    readonly propagation?: TracePropagation;
    readonly extAuthz: "grpc" | "http";
    /** Jaeger v2 only: Jaeger's Monitor tab (`jaeger.monitor.enabled`), with the operator's monitors (`prometheus.operator`) that scrape it. */
    readonly monitor?: boolean;
    /** Istio's data plane (`mesh.dataPlane`); sidecars when absent. */
    readonly dataPlane?: Exclude<DataPlane, "sidecar">;
}

/**
 * Five renders: both Jaeger lines with both providers, and each line and each provider once with each
 * ext-authz protocol (the reference's gRPC provider, and HTTP, whose header list forwards the B3 ids); the
 * zipkin provider with B3 on both lines, and on the 1.30 line also with B3 and W3C (`b3+w3c`, Istio >= 1.28), that one
 * with Jaeger's Monitor tab (span metrics) and the monitors that scrape it (monitor.spec.ts).
 */
export const VARIANTS: readonly Variant[] = [
    { line: "v1", provider: "zipkin", propagation: "b3", extAuthz: "grpc" },
    { line: "v2", provider: "zipkin", propagation: "b3", extAuthz: "http" },
    { line: "v2", provider: "zipkin", propagation: "b3+w3c", extAuthz: "grpc", monitor: true },
    { line: "v1", provider: "opentelemetry", extAuthz: "http" },
    { line: "v2", provider: "opentelemetry", extAuthz: "grpc" },
];

/**
 * Ambient mode (ambient.spec.ts): the 1.30 line with the zipkin provider propagating B3 and W3C, and
 * `mesh.dataPlane: ambient` (ztunnel, the istio-cni and a waypoint per app namespace instead of sidecars).
 */
export const AMBIENT_VARIANT: Variant = { line: "v2", provider: "zipkin", propagation: "b3+w3c", extAuthz: "grpc", dataPlane: "ambient" };

/** Chart versions of a line: the reference deployment's (Istio 1.24.2, jaeger 3.4.1) or the current defaults (Istio 1.30.3, jaeger 4.11.1). */
function chartVersions(line: JaegerChartLine): Partial<Record<ChartRole, string>> {
    return line === "v1" ? { ...REFERENCE_VERSIONS } : Object.fromEntries(Object.entries(DEFAULT_CHARTS).map(([role, c]) => [role, c.version]));
}

function variantName(v: Variant): string {
    return `${v.line}-${v.provider}${v.propagation === undefined ? "" : `-${v.propagation.replace("+", "-")}`}-${v.extAuthz}${v.monitor === true ? "-monitor" : ""}${v.dataPlane === undefined ? "" : `-${v.dataPlane}`}`;
}

export function variantTitle(v: Variant): string {
    const versions = chartVersions(v.line);
    const provider = v.propagation === undefined ? `${v.provider} provider` : `${v.provider} provider with ${v.propagation === "b3" ? "B3" : "B3 and W3C"} propagation`;
    return `Jaeger ${v.line} (charts istiod ${versions.istiod}, jaeger ${versions.jaeger}), ${provider}, ${v.extAuthz === "grpc" ? "gRPC" : "HTTP"} ext-authz${v.monitor === true ? ", Monitor tab" : ""}${v.dataPlane === "ambient" ? ", ambient data plane" : ""}`;
}

/** A rendered stack: its objects and the stack outputs of the same `pulumi up`. */
export interface Rendered {
    readonly variant: Variant;
    readonly objects: StackObjects;
    readonly outputs: Readonly<Record<string, unknown>>;
}

/** The `pulumi config set` commands that turn the local stack file into a variant. */
function variantChanges(v: Variant, mirrorUrl: string): ConfigChange[] {
    return [
        ...airGapped(undefined, mirrorUrl),
        ...Object.entries(chartVersions(v.line)).map(([role, version]) => ({ key: `charts.${role}.version`, value: version })),
        { key: "tracing.provider", value: v.provider },
        ...(v.propagation === undefined ? [] : [{ key: "tracing.propagation", value: v.propagation }]),
        { key: "extAuthz.protocol", value: v.extAuthz },
        ...(v.monitor === true
            ? [
                  { key: "jaeger.monitor.enabled", value: "true" },
                  { key: "prometheus.operator", value: "true" },
              ]
            : []),
        ...(v.dataPlane === undefined ? [] : [{ key: "mesh.dataPlane", value: v.dataPlane }]),
    ];
}

/**
 * A control plane of the suite's own (scripts/cluster.sh: etcd and kube-apiserver on loopback, with
 * the chart mirror of ../shared/charts). The render touches no cluster, but Helm asks the API server
 * for its version: without one it assumes Kubernetes v1.20.0, and jaeger 4.x requires >= 1.21.
 * The provider refuses a `kubeconfig` beside `renderYamlToDirectory`, so the CLI runs with
 * KUBECONFIG empty and a HOME whose `.kube/config` names this control plane (client-go's default).
 */
class RenderCluster {
    private static readonly env = {
        OBS_CLUSTER_DIR: path.join(WORK_DIR, "tracing-cluster"),
        OBS_ETCD_PORT: process.env.OBS_TRACING_ETCD_PORT ?? "9180",
        OBS_APISERVER_PORT: process.env.OBS_TRACING_APISERVER_PORT ?? "9181",
        OBS_KCM_PORT: process.env.OBS_TRACING_KCM_PORT ?? "9182",
        OBS_CHARTS_PORT: process.env.OBS_TRACING_CHARTS_PORT ?? "9179",
    };

    readonly chartsUrl = `http://127.0.0.1:${RenderCluster.env.OBS_CHARTS_PORT}`;
    readonly home = path.join(WORK_DIR, "tracing-home");

    static start(): RenderCluster {
        RenderCluster.run("down");
        RenderCluster.run("up");
        const c = new RenderCluster();
        fs.mkdirSync(path.join(c.home, ".kube"), { recursive: true });
        fs.copyFileSync(path.join(RenderCluster.env.OBS_CLUSTER_DIR, "kubeconfig"), path.join(c.home, ".kube", "config"));
        return c;
    }

    static run(command: "up" | "down"): void {
        execFileSync(path.join(PROJECT_DIR, "scripts", "cluster.sh"), [command], { env: { ...process.env, ...RenderCluster.env }, stdio: ["ignore", "ignore", "pipe"] });
    }

    stop(): void {
        RenderCluster.run("down");
        fs.rmSync(this.home, { recursive: true, force: true });
    }
}

let cluster: RenderCluster | undefined;
const renders = new Map<string, Promise<Rendered>>();

/** Renders a variant (once per run; later calls share the result). */
export function render(v: Variant): Promise<Rendered> {
    const name = variantName(v);
    let r = renders.get(name);
    if (r === undefined) {
        r = renderOnce(v);
        renders.set(name, r);
    }
    return r;
}

async function renderOnce(v: Variant): Promise<Rendered> {
    const name = `tracing-${variantName(v)}`;
    const dir = path.join(WORK_DIR, "tracing", name);
    const saved = path.join(dir, "outputs.json");
    // While working on the suite: OBS_TRACING_REUSE_RENDERS=1 reads the renders of an earlier run.
    if (process.env.OBS_TRACING_REUSE_RENDERS === "1" && fs.existsSync(saved)) {
        return { variant: v, objects: StackObjects.fromDirectory(path.join(dir, "rendered")), outputs: JSON.parse(fs.readFileSync(saved, "utf8")) };
    }
    cluster ??= RenderCluster.start();
    const program = path.join(PROJECT_DIR, "e2e", "programs", "render");
    const stack = await workspaceStack({ stack: name, dir, from: "local", passphrase: "tracing", program, env: { KUBECONFIG: "", HOME: cluster.home } });
    await configSet(stack, variantChanges(v, cluster.chartsUrl));
    const out = path.join(dir, "rendered");
    await stack.setConfig("render:directory", { value: out });
    const result = await stack.up();
    const outputs = Object.fromEntries(Object.entries(result.outputs).map(([k, o]) => [k, o.value]));
    fs.writeFileSync(saved, JSON.stringify(outputs));
    return { variant: v, objects: StackObjects.fromDirectory(out), outputs };
}

/** Stops the render control plane (after the last render; renders already made stay available). */
export async function stopRenderCluster(): Promise<void> {
    await Promise.allSettled(renders.values());
    cluster?.stop();
    cluster = undefined;
}

/** Renders every variant given, in order (the CLI runs are heavy: one at a time), then stops the control plane. */
export async function renderAll(variants: readonly Variant[]): Promise<Rendered[]> {
    try {
        const out: Rendered[] = [];
        for (const v of variants) {
            out.push(await render(v));
        }
        return out;
    } finally {
        await stopRenderCluster();
    }
}
