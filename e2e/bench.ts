/**
 * Benchmark (prints figures; not a test), one run on a control plane of its own (scripts/bench.sh):
 *
 * - the users' path, the Pulumi CLI with the Node.js language host on the local stack: preview without
 *   and with the policy pack, `up` (create), no-op `up`, no-op preview, `destroy`;
 * - the floor: `kubectl apply --server-side` of the same objects, collected from the preview's engine
 *   events (the objects the provider would send, Chart v4 children included), create and no-op;
 * - the peer users would pick instead: `helm upgrade --install` of the same five charts with the same
 *   values (read from the stack's releases record), create and no-op;
 * - where the time goes: each CLI run split at its engine events (start-up until the first resource,
 *   the resources, the tail after the last one), the pack's policies run in-process over the same
 *   resources (its compute, apart from the analyzer's start-up and RPCs), and `helm template` of the
 *   five charts (the rendering the provider does inside a preview or up).
 *
 * Ratios are of figures measured in this run; nothing here asserts a time.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { previewedObject } from "../decoders/render";
import { RELEASES_CONFIGMAP } from "../lib/constants";
import { allPolicies } from "../policy/rules";
import { Fixture, stackViolationsOf, violationsOf } from "../policy/test/harness";
import { KUBECONFIG, POLICY_PACK, WORK_DIR, airGapped, configSet, kubectl, policyConfig, workspaceStack } from "./harness";
import { toolsBin } from "./tools";

const root = path.join(WORK_DIR, "bench");
const PACK = { policyPacks: [POLICY_PACK], policyPackConfigs: [policyConfig("dev")] };

/** A rendered object as the provider receives it, with the Pulumi type and whether a Chart v4 rendered it. */
interface Collected {
    readonly type: string;
    readonly fromChart: boolean;
    readonly object: Record<string, any>;
}

/** One CLI run split at its engine events (arrival times, as the Automation API tails the event log). */
interface Timing {
    readonly total: number;
    readonly startup: number;
    readonly resources: number;
    readonly tail: number;
}

const seconds = (from: bigint, to: bigint) => Number(to - from) / 1e9;

function line(label: string, value: string): void {
    process.stdout.write(`${label.padEnd(58)} ${value}\n`);
}

/** Runs a CLI command, printing its total and its split; `collect` sees every engine event. */
async function cli(label: string, run: (onEvent: (e: EngineEvent) => void) => Promise<unknown>, collect?: (e: EngineEvent) => void): Promise<Timing> {
    const t0 = process.hrtime.bigint();
    let first: bigint | undefined;
    let last: bigint | undefined;
    await run((e) => {
        if (e.resourcePreEvent !== undefined || e.resOutputsEvent !== undefined) {
            const now = process.hrtime.bigint();
            first ??= now;
            last = now;
        }
        collect?.(e);
    });
    const t1 = process.hrtime.bigint();
    const t: Timing = {
        total: seconds(t0, t1),
        startup: seconds(t0, first ?? t1),
        resources: seconds(first ?? t1, last ?? t1),
        tail: seconds(last ?? t1, t1),
    };
    line(label, `${t.total.toFixed(2)} s  (start-up ${t.startup.toFixed(2)}, resources ${t.resources.toFixed(2)}, tail ${t.tail.toFixed(2)})`);
    return t;
}

function timed(label: string, f: () => void): number {
    const t0 = process.hrtime.bigint();
    f();
    const s = seconds(t0, process.hrtime.bigint());
    line(label, `${s.toFixed(2)} s`);
    return s;
}

/** A preview's registrations, as the provider would receive them. Secret inputs arrive masked: a placeholder stands in. */
function collector(into: Collected[]): (e: EngineEvent) => void {
    return (e) => {
        const o = previewedObject(e);
        if (o !== undefined) {
            into.push({ ...o, object: unmask(o.object) });
        }
    };
}

function unmask(o: Record<string, any>): Record<string, any> {
    const copy = JSON.parse(JSON.stringify(o, (_k, v) => (v === "[secret]" ? "bench-placeholder" : v)));
    if (copy.kind === "Secret" && copy.data !== undefined) {
        copy.data = Object.fromEntries(Object.entries(copy.data).map(([k, v]) => [k, v === "bench-placeholder" ? Buffer.from("bench").toString("base64") : v]));
    }
    return copy;
}

/** What the stack asked Helm for: its releases record (the ConfigMap the program writes). */
interface Release {
    readonly release: string;
    readonly namespace: string;
    readonly repo: string;
    readonly chart: string;
    readonly version: string;
    readonly values: Record<string, unknown>;
}

function releasesOf(objects: readonly Collected[]): Release[] {
    const record = objects.find((c) => c.object.kind === "ConfigMap" && c.object.metadata?.name === RELEASES_CONFIGMAP.name);
    if (record === undefined) {
        throw new Error(`the preview registered no ConfigMap ${RELEASES_CONFIGMAP.name} (the releases record)`);
    }
    return JSON.parse(record.object.data[RELEASES_CONFIGMAP.key]) as Release[];
}

function helm(args: string[]): string {
    const home = path.join(root, "helm");
    const env = { ...process.env, HELM_CACHE_HOME: path.join(home, "cache"), HELM_CONFIG_HOME: path.join(home, "config"), HELM_DATA_HOME: path.join(home, "data"), KUBECONFIG };
    return execFileSync(path.join(toolsBin(), "helm"), args, { env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, stdio: ["ignore", "pipe", "inherit"] });
}

function helmArgs(r: Release): string[] {
    const values = path.join(root, "values", `${r.release}.json`);
    fs.mkdirSync(path.dirname(values), { recursive: true });
    fs.writeFileSync(values, JSON.stringify(r.values));
    return [r.release, r.chart, "--repo", r.repo, "--version", r.version, "--namespace", r.namespace, "-f", values];
}

/** Waits until the namespaces a destroy or uninstall deleted are gone, so the next contender starts from the same cluster. */
function waitNamespacesGone(names: readonly string[]): void {
    for (const ns of names) {
        kubectl(["wait", "--for=delete", `namespace/${ns}`, "--timeout=180s"]);
    }
}

/** kubectl apply --server-side of the collected objects: CRDs (then Established), namespaces, the rest. */
function kubectlApply(objects: readonly Collected[]): void {
    const dir = path.join(root, "kubectl");
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const write = (name: string, items: Collected[]) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, JSON.stringify({ apiVersion: "v1", kind: "List", items: items.map((c) => c.object) }));
        return file;
    };
    const crds = objects.filter((c) => c.object.kind === "CustomResourceDefinition");
    const namespaces = objects.filter((c) => c.object.kind === "Namespace");
    const rest = objects.filter((c) => !crds.includes(c) && !namespaces.includes(c));
    const apply = ["apply", "--server-side", "--force-conflicts", "--field-manager", "bench"];
    kubectl([...apply, "-f", write("0-crds.json", crds)]);
    kubectl(["wait", "--for=condition=Established", "crd", "--all", "--timeout=60s"]);
    kubectl([...apply, "-f", write("1-namespaces.json", namespaces)]);
    kubectl([...apply, "-f", write("2-objects.json", rest)]);
}

function kubectlDelete(objects: readonly Collected[]): void {
    const dir = path.join(root, "kubectl");
    kubectl(["delete", "--ignore-not-found", "--wait=true", "-f", path.join(dir, "2-objects.json"), "-f", path.join(dir, "1-namespaces.json"), "-f", path.join(dir, "0-crds.json")]);
    waitNamespacesGone(objects.filter((c) => c.object.kind === "Namespace").map((c) => c.object.metadata.name));
}

/** The pack's policies run in-process over the preview's resources, as the analyzer would (its compute only). */
async function packCompute(objects: readonly Collected[]): Promise<number> {
    const fixtures: Fixture[] = objects.map((c) => ({ type: c.type, props: c.object }));
    const config = JSON.parse(fs.readFileSync(policyConfig("dev"), "utf8")) as Record<string, Record<string, unknown>>;
    const t0 = process.hrtime.bigint();
    for (const p of allPolicies) {
        const cfg = config[p.name] ?? {};
        if ("validateStack" in p) {
            await stackViolationsOf(p, fixtures, cfg);
        } else {
            for (const f of fixtures) {
                await violationsOf(p, f, cfg);
            }
        }
    }
    return seconds(t0, process.hrtime.bigint());
}

async function pulumiRuns(s: Stack, objects: Collected[]) {
    const previewWarmup = await cli("preview, no pack (first run: plugins, chart cache)", (onEvent) => s.preview({ onEvent }));
    const previewNoPack = await cli("preview, no pack", (onEvent) => s.preview({ onEvent }), collector(objects));
    const previewPack = await cli("preview, with pack", (onEvent) => s.preview({ ...PACK, onEvent }));
    const up = await cli("up (create), no pack", (onEvent) => s.up({ onEvent }));
    const noopUp = await cli("up (no-op), no pack", (onEvent) => s.up({ onEvent }));
    const noopPreview = await cli("preview (no-op), no pack", (onEvent) => s.preview({ onEvent }));
    const noopPreviewPack = await cli("preview (no-op), with pack", (onEvent) => s.preview({ ...PACK, onEvent }));
    const destroy = await cli("destroy", (onEvent) => s.destroy({ onEvent }));
    // Opt-in, not the default path: the engine writes the whole state after every step (most of its CPU in
    // an up); PULUMI_SKIP_CHECKPOINTS (experimental) writes it once at the end, at the cost of losing the
    // run's record if the CLI dies mid-way (docs/performance.md).
    const env = s.workspace.envVars;
    Object.assign(env, { PULUMI_EXPERIMENTAL: "true", PULUMI_SKIP_CHECKPOINTS: "true" });
    const upSkip = await cli("up (create), PULUMI_SKIP_CHECKPOINTS=true", (onEvent) => s.up({ onEvent }));
    const noopUpSkip = await cli("up (no-op), PULUMI_SKIP_CHECKPOINTS=true", (onEvent) => s.up({ onEvent }));
    await s.destroy();
    delete env.PULUMI_SKIP_CHECKPOINTS;
    delete env.PULUMI_EXPERIMENTAL;
    return { previewWarmup, previewNoPack, previewPack, up, noopUp, noopPreview, noopPreviewPack, destroy, upSkip, noopUpSkip };
}

async function run(): Promise<void> {
    process.stdout.write(`observability-stack benchmark, local stack, one run, ${new Date().toISOString()}\n\n`);
    fs.rmSync(root, { recursive: true, force: true });
    const s = await workspaceStack({ stack: "bench", dir: path.join(root, "stack"), from: "local", passphrase: "bench" });
    await configSet(s, airGapped());

    const objects: Collected[] = [];
    const p = await pulumiRuns(s, objects);
    const namespaces = objects.filter((c) => c.object.kind === "Namespace").map((c) => c.object.metadata.name as string);
    waitNamespacesGone(namespaces);
    const fromCharts = objects.filter((c) => c.fromChart).length;

    process.stdout.write("\n");
    const kubectlCreate = timed(`kubectl apply --server-side (${objects.length} objects)`, () => kubectlApply(objects));
    const kubectlNoop = timed("kubectl apply --server-side (no-op)", () => kubectlApply(objects));
    kubectlDelete(objects);

    const releases = releasesOf(objects);
    const helmCreate = timed(`helm upgrade --install, ${releases.length} charts (${fromCharts} objects)`, () => {
        for (const r of releases) {
            helm(["upgrade", "--install", "--create-namespace", ...helmArgs(r)]);
        }
    });
    const helmNoop = timed(`helm upgrade --install, ${releases.length} charts (no change)`, () => {
        for (const r of releases) {
            helm(["upgrade", "--install", ...helmArgs(r)]);
        }
    });
    for (const r of [...releases].reverse()) {
        helm(["uninstall", r.release, "--namespace", r.namespace, "--wait"]);
    }
    const helmTemplate = timed(`helm template, ${releases.length} charts (rendering only)`, () => {
        for (const r of releases) {
            helm(["template", ...helmArgs(r), "--kube-version", "1.32.0"]);
        }
    });
    const compute = await packCompute(objects);
    line(`pack policies in-process over ${objects.length} resources`, `${compute.toFixed(2)} s`);

    const ratio = (a: number, b: number) => (a / b).toFixed(2);
    process.stdout.write(
        [
            "",
            `pack overhead on a preview (with / without)               ${ratio(p.previewPack.total, p.previewNoPack.total)} (+${(p.previewPack.total - p.previewNoPack.total).toFixed(2)} s: start-up +${(p.previewPack.startup - p.previewNoPack.startup).toFixed(2)}, resources +${(p.previewPack.resources - p.previewNoPack.resources).toFixed(2)}, tail +${(p.previewPack.tail - p.previewNoPack.tail).toFixed(2)}; policy compute ${compute.toFixed(2)})`,
            `pack overhead on a no-op preview (with / without)         ${ratio(p.noopPreviewPack.total, p.noopPreview.total)}`,
            `up (create) / kubectl apply --server-side                 ${ratio(p.up.total, kubectlCreate)}`,
            `up (no-op) / kubectl apply --server-side (no-op)          ${ratio(p.noopUp.total, kubectlNoop)}`,
            `up (create) / helm upgrade --install                      ${ratio(p.up.total, helmCreate)}`,
            `up (no-op) / helm upgrade --install (no change)           ${ratio(p.noopUp.total, helmNoop)}`,
            `up (no-op) / preview (no-op)                              ${ratio(p.noopUp.total, p.noopPreview.total)}`,
            `with PULUMI_SKIP_CHECKPOINTS: up (create) / kubectl       ${ratio(p.upSkip.total, kubectlCreate)}; / helm ${ratio(p.upSkip.total, helmCreate)}; up (no-op) / helm ${ratio(p.noopUpSkip.total, helmNoop)}`,
            `chart rendering (helm template) / preview                 ${ratio(helmTemplate, p.previewNoPack.total)}`,
            `objects: ${objects.length} (${fromCharts} from the charts, ${objects.length - fromCharts} the program's own); destroy ${p.destroy.total.toFixed(2)} s`,
            "",
        ].join("\n"),
    );
}

run().catch((e: Error) => {
    process.stderr.write(`${e.stack ?? e.message}\n`);
    process.exit(1);
});
