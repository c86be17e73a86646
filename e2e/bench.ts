/**
 * Benchmark (prints figures; not a test), on a control plane of its own (scripts/bench.sh). Every figure is the
 * median of OBS_BENCH_RUNS runs (default 3) in this one invocation, printed with its min–max; the contenders run
 * in turn within each round, so each sees the same machine state. Nothing here asserts a time.
 *
 * - the users' path, the Pulumi CLI with the Node.js language host on the local stack: preview without and with
 *   the policy pack, `up` (create), no-op `up` (each `pulumi up --yes --skip-preview`, the CLI run alone, as helm's
 *   command is timed; the three CLI runs the Automation API's `stack.up()` adds after it are timed on their own),
 *   no-op preview without and with the pack, `destroy`;
 * - the guarded deploy users run (e2e/guardedUp.ts, the main job's way): `pulumi up` with its own preview under the
 *   pack, one CLI run, create and no-op; the same as two CLI runs (`twoRuns`: a preview under the pack, then
 *   `pulumi up --skip-preview` under it, as the main job ran it before) and with an update plan (`preview --save-plan` under the pack,
 *   then `up --plan`), create; and the deploy workflow's (scripts/deploy.sh, `current` only): the one CLI run after a
 *   refresh, create and no-op;
 * - the floor: `kubectl apply --server-side` of the same objects, collected from the preview's engine events (the
 *   objects the provider would send, Chart v4 children included), create and no-op;
 * - the peer users would pick instead: `helm upgrade --install` of the same five charts with the same values (read
 *   from the stack's releases record), create and no-op;
 * - where the time goes: each CLI run split at its engine events (start-up until the first resource, the
 *   resources, the tail after the last one), the pack's policies run in-process over the same resources, and
 *   `helm template` of the five charts;
 * - A/B contenders (OBS_BENCH_CONTENDERS, comma-separated; default `current`): `current` (this tree), `baseline`
 *   (the program and pack of OBS_BENCH_BASELINE, default the commit before issue #22, taken with `git archive`),
 *   `pack-bun` (this tree's pack under Bun), `program-ts` (the program under ts-node, as the CLI ran index.ts before
 *   bin/program.js), `program-bun` (the program under Bun); `current` also times a preview right after deleting
 *   .work/program-js (the first run after a change: the loader transpiles the program); OBS_BENCH_SKIP_CHECKPOINTS=1 adds the opt-in PULUMI_SKIP_CHECKPOINTS figures;
 *   OBS_BENCH_OPS (comma-separated: previews, up, guarded, twoRuns, plan, workflow) limits every contender to those operations.
 *
 * Between two creates the Istio CRDs (retained by every contender, kept by Helm) are deleted, untimed, so every
 * create starts from the same cluster.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { previewedObject } from "../decoders/render";
import { RELEASES_CONFIGMAP } from "../lib/constants";
import { allPolicies } from "../policy/rules";
import { Fixture, stackViolationsOf, violationsOf } from "../policy/test/harness";
import { guardedDeploy, policyArgs, runCli, workflowDeploy } from "./guardedUp";
import {
    KUBECONFIG,
    POLICY_PACK,
    PROJECT_DIR,
    TYPESCRIPT_RUNTIME,
    WORK_DIR,
    WorkspaceOptions,
    airGapped,
    archiveAt,
    configSet,
    kubectl,
    policyConfig,
    waitNamespacesGone,
    workspaceStack,
} from "./harness";
import { toolsBin } from "./tools";

const root = path.join(WORK_DIR, "bench");
const RUNS = Number(process.env.OBS_BENCH_RUNS ?? "3");
/** The commit before issue #22's changes (main when the issue was opened). */
const BASELINE = process.env.OBS_BENCH_BASELINE ?? "e11a5659272ff94e2e0f209a482acca4cb07025d";
const BUN_BIN = path.join(PROJECT_DIR, "node_modules", "@oven", "bun-linux-x64", "bin");

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

/** Every sample of every figure, by label, in the order first measured. */
const samples = new Map<string, number[]>();

function record(label: string, value: number): void {
    samples.set(label, [...(samples.get(label) ?? []), value]);
}

function median(xs: readonly number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function med(label: string): number {
    const xs = samples.get(label);
    if (xs === undefined || xs.length === 0) {
        return NaN;
    }
    return median(xs);
}

function say(text: string): void {
    process.stdout.write(`${text}\n`);
}

/** Runs a CLI command, recording its total and its split; `collect` sees every engine event. */
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
    const t: Timing = { total: seconds(t0, t1), startup: seconds(t0, first ?? t1), resources: seconds(first ?? t1, last ?? t1), tail: seconds(last ?? t1, t1) };
    record(label, t.total);
    record(`${label} [start-up]`, t.startup);
    record(`${label} [resources]`, t.resources);
    record(`${label} [tail]`, t.tail);
    say(`  ${label.padEnd(62)} ${t.total.toFixed(2)} s  (start-up ${t.startup.toFixed(2)}, resources ${t.resources.toFixed(2)}, tail ${t.tail.toFixed(2)})`);
    return t;
}

/**
 * Where a create's resources phase goes: each resource's step from its pre-event to its outputs (arrival times, from
 * the first resource's pre-event), the longest printed after the run with their start; a step that starts late waits
 * for what it depends on, so the list reads as the critical chain.
 */
function stepTimes(): { collect: (e: EngineEvent) => void; print: (file?: string) => void } {
    const pre = new Map<string, bigint>();
    const steps: { name: string; start: bigint; end: bigint }[] = [];
    let first: bigint | undefined;
    return {
        collect: (e) => {
            const now = process.hrtime.bigint();
            const urn = e.resourcePreEvent?.metadata.urn ?? e.resOutputsEvent?.metadata.urn;
            if (urn === undefined) {
                return;
            }
            first ??= now;
            if (e.resourcePreEvent !== undefined) {
                pre.set(urn, now);
            } else if (pre.has(urn)) {
                steps.push({ name: `${e.resOutputsEvent?.metadata.type ?? ""} ${urn.split("::").pop() ?? urn}`, start: pre.get(urn) ?? now, end: now });
            }
        },
        print: (file?: string) => {
            if (file !== undefined) {
                const at = (t: bigint) => Number(seconds(first ?? t, t).toFixed(3));
                fs.writeFileSync(
                    file,
                    JSON.stringify(
                        steps.map((x) => ({ name: x.name, start: at(x.start), end: at(x.end) })).sort((a, b) => a.start - b.start),
                        null,
                        1,
                    ),
                );
            }
            const longest = [...steps].sort((a, b) => Number(b.end - b.start - (a.end - a.start))).slice(0, 10);
            for (const x of longest.sort((a, b) => Number(a.start - b.start))) {
                say(`      step ${seconds(first ?? x.start, x.start).toFixed(2)} s +${seconds(x.start, x.end).toFixed(2)} s  ${x.name}`);
            }
        },
    };
}

/** Times an async step made of several CLI runs (the guarded deploy) as one figure. */
async function timedAsync(label: string, f: () => Promise<unknown>): Promise<number> {
    const t0 = process.hrtime.bigint();
    await f();
    const s = seconds(t0, process.hrtime.bigint());
    record(label, s);
    say(`  ${label.padEnd(62)} ${s.toFixed(2)} s`);
    return s;
}

function timed(label: string, f: () => void): number {
    const t0 = process.hrtime.bigint();
    f();
    const s = seconds(t0, process.hrtime.bigint());
    record(label, s);
    say(`  ${label.padEnd(62)} ${s.toFixed(2)} s`);
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

/** Deletes the Istio CRDs every contender leaves behind (retained or kept), so the next create starts from the same cluster. */
function deleteIstioCrds(): void {
    const names = kubectl(["get", "crd", "-o", "name"])
        .split("\n")
        .filter((n) => n.endsWith(".istio.io"));
    if (names.length > 0) {
        kubectl(["delete", "--wait=true", ...names]);
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
    waitNamespacesGone(namespacesOf(objects));
}

const namespacesOf = (objects: readonly Collected[]) => objects.filter((c) => c.object.kind === "Namespace").map((c) => c.object.metadata.name as string);

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

/** What a contender measures each round. */
type Op = "previews" | "up" | "guarded" | "twoRuns" | "plan" | "workflow" | "skipCheckpoints";

/** One way of running the stack: a program, a pack, a runtime. */
interface Contender {
    readonly name: string;
    readonly what: string;
    readonly ops: readonly Op[];
    /** The policy pack directory (`--policy-pack`). */
    readonly pack: string;
    readonly workspace: Pick<WorkspaceOptions, "program" | "projectOverrides" | "env">;
}

const tsc = (args: string[]) => execFileSync(process.execPath, [path.join(PROJECT_DIR, "node_modules", "typescript", "bin", "tsc"), ...args], { stdio: ["ignore", "inherit", "inherit"] });

/** A copy of a compiled pack whose PulumiPolicy.yaml says `runtime: bun`. */
function bunPack(from: string, target: string): string {
    fs.rmSync(target, { recursive: true, force: true });
    fs.mkdirSync(target, { recursive: true });
    fs.cpSync(path.join(from, "bin"), path.join(target, "bin"), { recursive: true });
    fs.copyFileSync(path.join(from, "package.json"), path.join(target, "package.json"));
    fs.writeFileSync(path.join(target, "PulumiPolicy.yaml"), fs.readFileSync(path.join(from, "PulumiPolicy.yaml"), "utf8").replace(/^runtime: .*$/m, "runtime: bun"));
    fs.symlinkSync(path.join(from, "node_modules"), path.join(target, "node_modules"), "dir");
    return target;
}

/** Whether `file` exists at `commit` of this repository. */
function existsAt(commit: string, file: string): boolean {
    try {
        execFileSync("git", ["-C", PROJECT_DIR, "cat-file", "-e", `${commit}:${file}`], { stdio: "ignore" });
        return true;
    } catch {
        return false;
    }
}

const bunEnv = () => ({ PATH: `${toolsBin()}:${BUN_BIN}:${process.env.PATH ?? ""}` });

/** The contenders this run measures, prepared (archives, builds). */
function contenders(): Contender[] {
    const all: Record<string, () => Contender> = {
        current: () => ({ name: "current", what: "this tree", ops: ["previews", "up", "guarded", "twoRuns", "plan", "workflow"], pack: POLICY_PACK, workspace: {} }),
        baseline: () => {
            const dir = path.join(root, "baseline");
            // Run as that commit's Pulumi.yaml ran it: the precompiled loader (bin/program.js, TypeScript off) once it
            // existed, index.ts under ts-node before; so an A/B of two commits of the loader era measures their code only.
            const precompiled = existsAt(BASELINE, "bin/program.js");
            const loader = precompiled ? ["bin", "tsconfig.program.json", "package.json", "package-lock.json"] : [];
            archiveAt(BASELINE, ["index.ts", "program.ts", "components", "config", "lib", "policy", "tsconfig.json", "tsconfig.pulumi.json", ...loader], dir);
            fs.symlinkSync(path.join(PROJECT_DIR, "policy", "node_modules"), path.join(dir, "policy", "node_modules"), "dir");
            tsc(["-p", path.join(dir, "policy", "tsconfig.build.json")]);
            const projectOverrides = precompiled
                ? { main: path.join(dir, "bin", "program.js"), runtime: { name: "nodejs", options: { typescript: false } } }
                : { runtime: { name: "nodejs", options: { typescript: true, tsconfig: path.join(dir, "tsconfig.pulumi.json") } } };
            return {
                name: "baseline",
                what: `program and pack of ${BASELINE.slice(0, 7)}${precompiled ? ", precompiled (bin/program.js)" : ", under ts-node"}`,
                ops: ["previews", "up", "guarded", "twoRuns", "plan"],
                pack: path.join(dir, "policy"),
                workspace: { program: dir, projectOverrides },
            };
        },
        "pack-bun": () => ({ name: "pack-bun", what: "this tree, the pack under Bun", ops: ["previews"], pack: bunPack(POLICY_PACK, path.join(root, "pack-bun")), workspace: { env: bunEnv() } }),
        "program-ts": () => ({
            // The program as the CLI ran it before bin/program.js: index.ts under ts-node, transpile only.
            name: "program-ts",
            what: "this tree, the program under ts-node (index.ts, tsconfig.pulumi.json)",
            ops: ["previews", "up"],
            pack: POLICY_PACK,
            workspace: { projectOverrides: { main: path.join(PROJECT_DIR, "index.ts"), runtime: TYPESCRIPT_RUNTIME } },
        }),
        "program-bun": () => {
            // index.ts's `export =` beside `import` is refused by Bun ("Cannot use import statement with CommonJS-only
            // features"), and the SDK require()s a CommonJS program without unwrapping a default export: a CommonJS entry.
            const entry = path.join(root, "program-bun", "index.ts");
            fs.mkdirSync(path.dirname(entry), { recursive: true });
            fs.writeFileSync(entry, `const { main } = require(${JSON.stringify(path.join(PROJECT_DIR, "program"))});\nmodule.exports = () => main();\n`);
            return {
                name: "program-bun",
                what: "this tree, the program under Bun",
                ops: ["previews", "up"],
                pack: POLICY_PACK,
                workspace: { projectOverrides: { main: entry, runtime: { name: "bun" } }, env: bunEnv() },
            };
        },
    };
    const names = (process.env.OBS_BENCH_CONTENDERS ?? "current").split(",").map((n) => n.trim());
    return names.map((n) => {
        const make = all[n] as (() => Contender) | undefined;
        if (make === undefined) {
            throw new Error(`unknown contender ${JSON.stringify(n)}; known: ${Object.keys(all).join(", ")}`);
        }
        const made = make();
        const c = process.env.OBS_BENCH_SKIP_CHECKPOINTS === "1" && made.name === "current" ? { ...made, ops: [...made.ops, "skipCheckpoints" as const] } : made;
        // OBS_BENCH_OPS (e.g. `up,guarded`): only those operations, for an A/B of a lever with more rounds in the same time.
        const only = process.env.OBS_BENCH_OPS?.split(",").map((o) => o.trim());
        return only === undefined ? c : { ...c, ops: c.ops.filter((o) => only.includes(o)) };
    });
}

async function contenderStack(c: Contender): Promise<Stack> {
    const s = await workspaceStack({ stack: `bench-${c.name}`, dir: path.join(root, "stacks", c.name), from: "local", passphrase: "bench", ...c.workspace });
    await configSet(s, airGapped());
    return s;
}

/** Destroys (timed as `label` when given), then waits for the namespaces and removes the Istio CRDs, untimed. */
async function destroy(s: Stack, namespaces: readonly string[], label?: string): Promise<void> {
    if (label !== undefined) {
        await cli(label, (onEvent) => s.destroy({ onEvent }));
    } else {
        await s.destroy();
    }
    waitNamespacesGone(namespaces);
    deleteIstioCrds();
}

/**
 * A user's `pulumi up` (the CLI run alone, as helm's is timed): the Automation API's `stack.up()` would add three CLI
 * runs after it (`stack output` twice, `stack history`), timed on their own in each round.
 */
const UP = ["up", "--yes", "--skip-preview", "--non-interactive"];

/** One round of a contender, from an empty stack back to an empty stack. */
async function round(c: Contender, s: Stack, namespaces: readonly string[]): Promise<void> {
    const pack = { policyPacks: [c.pack], policyPackConfigs: [policyConfig("dev")] };
    const l = (what: string) => `${c.name}: ${what}`;
    if (c.ops.includes("previews")) {
        if (c.name === "current") {
            // The first run after a change to the program: bin/program.js finds no build and transpiles the sources.
            fs.rmSync(path.join(WORK_DIR, "program-js"), { recursive: true, force: true });
            await cli(l("preview, no pack, no build yet (transpiles)"), (onEvent) => s.preview({ onEvent }));
        }
        await cli(l("preview, no pack"), (onEvent) => s.preview({ onEvent }));
        await cli(l("preview, with pack"), (onEvent) => s.preview({ ...pack, onEvent }));
    }
    if (c.ops.includes("up")) {
        const steps = stepTimes();
        await cli(l("up (create), no pack"), (onEvent) => runCli(s, UP, { onEvent }), steps.collect);
        // Every step of the run, for a closer look than the ten printed (start and end, seconds from the first step).
        steps.print(path.join(root, `steps-${c.name}-${samples.get(l("up (create), no pack"))?.length ?? 0}.json`));
        const noop = stepTimes();
        await cli(l("up (no-op), no pack"), (onEvent) => runCli(s, UP, { onEvent }), noop.collect);
        // What the Automation API's `stack.up()` runs after the update (not part of a user's `pulumi up`).
        await timedAsync(l("the Automation API's reads after an up"), async () => {
            await s.outputs();
            await s.info();
        });
        noop.print(path.join(root, `steps-${c.name}-noop-${samples.get(l("up (no-op), no pack"))?.length ?? 0}.json`));
        await cli(l("preview (no-op), no pack"), (onEvent) => s.preview({ onEvent }));
        await cli(l("preview (no-op), with pack"), (onEvent) => s.preview({ ...pack, onEvent }));
        if (c.ops.includes("guarded")) {
            await timedAsync(l("guarded deploy (no-op)"), () => guardedDeploy(s, pack));
        }
        await destroy(s, namespaces, l("destroy"));
    }
    if (c.ops.includes("guarded")) {
        await timedAsync(l("guarded deploy (create)"), () => guardedDeploy(s, pack));
        await destroy(s, namespaces);
    }
    if (c.ops.includes("twoRuns")) {
        await timedAsync(l("guarded deploy as two CLI runs (create)"), async () => {
            await cli(l("  preview, with pack (first of two runs)"), (onEvent) => s.preview({ ...pack, onEvent }));
            await cli(l("  up --skip-preview, with pack (second of two runs)"), (onEvent) => runCli(s, [...UP, ...policyArgs(pack)], { onEvent }));
        });
        await destroy(s, namespaces);
    }
    if (c.ops.includes("plan")) {
        const plan = path.join(root, `plan-${c.name}.json`);
        // The update plan holds the update to what the preview showed and the pack judged.
        await timedAsync(l("guarded deploy with a plan (create)"), async () => {
            await cli(l("  preview --save-plan, with pack"), (onEvent) => s.preview({ ...pack, plan, onEvent }));
            await cli(l("  up --plan, with pack"), (onEvent) => runCli(s, [...UP, ...policyArgs(pack), "--plan", plan], { onEvent }));
        });
        await destroy(s, namespaces);
    }
    if (c.ops.includes("workflow")) {
        // The deploy workflow's way (scripts/deploy.sh, this tree's pack): `pulumi up` with its own preview under the pack
        // in one CLI run, after a refresh; create, then no-op.
        for (const what of ["create", "no-op"]) {
            timed(l(`deploy workflow, scripts/deploy.sh (${what})`), () => {
                const r = workflowDeploy(s, policyConfig("dev"));
                if (r.status !== 0) {
                    throw new Error(`scripts/deploy.sh failed (${String(r.status)}):\n${r.output}`);
                }
            });
        }
        await destroy(s, namespaces);
    }
    if (c.ops.includes("skipCheckpoints")) {
        // Opt-in, never the headline: the engine writes the state once at the end, so a CLI dying mid-way loses the run's record.
        const env = s.workspace.envVars;
        Object.assign(env, { PULUMI_EXPERIMENTAL: "true", PULUMI_SKIP_CHECKPOINTS: "true" });
        await cli(l("up (create), PULUMI_SKIP_CHECKPOINTS=true"), (onEvent) => runCli(s, UP, { onEvent }));
        await cli(l("up (no-op), PULUMI_SKIP_CHECKPOINTS=true"), (onEvent) => runCli(s, UP, { onEvent }));
        await destroy(s, namespaces);
        delete env.PULUMI_SKIP_CHECKPOINTS;
        delete env.PULUMI_EXPERIMENTAL;
    }
}

/** The peers, once per round: kubectl (the floor) and helm (what users would pick instead). */
function peers(objects: readonly Collected[]): void {
    if (objects.some((c) => c.object.kind === "CustomResourceDefinition")) {
        timed(`kubectl apply --server-side (${objects.length} objects)`, () => kubectlApply(objects));
        timed("kubectl apply --server-side (no-op)", () => kubectlApply(objects));
        kubectlDelete(objects);
        deleteIstioCrds();
    } else {
        // Every contender registers the Istio CRDs as one Helm Release: the Istio resources would have no CRDs to apply against.
        say("  kubectl apply --server-side: skipped (no contender registers the CRDs one by one; add `baseline` for the floor)");
    }
    const releases = releasesOf(objects);
    timed(`helm upgrade --install, ${releases.length} charts`, () => {
        for (const r of releases) {
            helm(["upgrade", "--install", "--create-namespace", ...helmArgs(r)]);
        }
    });
    timed(`helm upgrade --install, ${releases.length} charts (no change)`, () => {
        for (const r of releases) {
            helm(["upgrade", "--install", ...helmArgs(r)]);
        }
    });
    for (const r of [...releases].reverse()) {
        helm(["uninstall", r.release, "--namespace", r.namespace, "--wait"]);
    }
    // Helm leaves the namespaces it created (--create-namespace) and keeps the CRDs: the next contender starts from none.
    const created = [...new Set(releases.map((r) => r.namespace))];
    kubectl(["delete", "namespace", "--ignore-not-found", "--wait=false", ...created]);
    waitNamespacesGone(created);
    deleteIstioCrds();
    timed(`helm template, ${releases.length} charts (rendering only)`, () => {
        for (const r of releases) {
            helm(["template", ...helmArgs(r), "--kube-version", "1.32.0"]);
        }
    });
}

function report(cs: readonly Contender[], objects: readonly Collected[]): void {
    say(`\nMedians of ${RUNS} runs (min–max):\n`);
    for (const [label, xs] of samples) {
        if (label.endsWith("]")) {
            continue;
        }
        const split = ["start-up", "resources", "tail"].map((p) => samples.get(`${label} [${p}]`));
        const parts = split.every((x) => x !== undefined) ? `  [start-up ${median(split[0]).toFixed(2)}, resources ${median(split[1]).toFixed(2)}, tail ${median(split[2]).toFixed(2)}]` : "";
        say(`  ${label.padEnd(62)} ${median(xs).toFixed(2)} s  (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}, n=${xs.length})${parts}`);
    }
    const releases = releasesOf(objects).length;
    const helmCreate = med(`helm upgrade --install, ${releases} charts`);
    const helmNoop = med(`helm upgrade --install, ${releases} charts (no change)`);
    const kubectlCreate = med(`kubectl apply --server-side (${objects.length} objects)`);
    const kubectlNoop = med("kubectl apply --server-side (no-op)");
    const r = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? "-" : `${(a / b).toFixed(2)}×`);
    say("\nRatios of medians:\n");
    for (const c of cs) {
        const m = (what: string) => med(`${c.name}: ${what}`);
        say(`  ${c.name} (${c.what}):`);
        say(`    pack overhead on a preview (with / without)            ${r(m("preview, with pack"), m("preview, no pack"))}`);
        say(`    pack overhead on a no-op preview (with / without)      ${r(m("preview (no-op), with pack"), m("preview (no-op), no pack"))}`);
        say(`    up (create) / helm upgrade --install                   ${r(m("up (create), no pack"), helmCreate)}; / kubectl ${r(m("up (create), no pack"), kubectlCreate)}`);
        say(`    up (no-op) / helm upgrade --install (no change)        ${r(m("up (no-op), no pack"), helmNoop)}; / kubectl ${r(m("up (no-op), no pack"), kubectlNoop)}`);
        say(`    guarded deploy (create) / helm upgrade --install       ${r(m("guarded deploy (create)"), helmCreate)}`);
        say(`    guarded deploy as two CLI runs (create) / helm         ${r(m("guarded deploy as two CLI runs (create)"), helmCreate)}`);
        say(`    guarded deploy with a plan (create) / helm             ${r(m("guarded deploy with a plan (create)"), helmCreate)}`);
        say(`    guarded deploy (no-op) / helm (no change)              ${r(m("guarded deploy (no-op)"), helmNoop)}`);
        say(`    deploy workflow (create) / helm upgrade --install      ${r(m("deploy workflow, scripts/deploy.sh (create)"), helmCreate)}`);
        say(`    deploy workflow (no-op) / helm (no change)             ${r(m("deploy workflow, scripts/deploy.sh (no-op)"), helmNoop)}`);
        if (c.ops.includes("skipCheckpoints")) {
            say(`    opt-in PULUMI_SKIP_CHECKPOINTS: up (create) / helm     ${r(m("up (create), PULUMI_SKIP_CHECKPOINTS=true"), helmCreate)}`);
        }
    }
    const fromCharts = objects.filter((o) => o.fromChart).length;
    say(`\nobjects: ${objects.length} (${fromCharts} from the charts, ${objects.length - fromCharts} the program's own)\n`);
}

async function run(): Promise<void> {
    say(`observability-stack benchmark, local stack, ${RUNS} runs, ${new Date().toISOString()}`);
    fs.rmSync(root, { recursive: true, force: true });
    fs.mkdirSync(root, { recursive: true });
    const cs = contenders();
    const stacks = await Promise.all(cs.map(async (c) => ({ c, s: await contenderStack(c) })));
    // Warm-up, unrecorded: plugins, the chart cache, the first TypeScript load of each contender. The peers apply the
    // objects of the contender that registers the most (a contender whose CRDs are one Helm Release shows them as one).
    let objects: Collected[] = [];
    for (const { s } of stacks) {
        const seen: Collected[] = [];
        await s.preview({ onEvent: collector(seen) });
        objects = seen.length > objects.length ? seen : objects;
    }
    for (let i = 1; i <= RUNS; i++) {
        say(`\nround ${i} of ${RUNS}`);
        for (const { c, s } of i % 2 === 1 ? stacks : [...stacks].reverse()) {
            await round(c, s, namespacesOf(objects));
        }
        peers(objects);
    }
    const compute = await packCompute(objects);
    say(`\npack policies in-process over ${objects.length} resources: ${compute.toFixed(2)} s`);
    report(cs, objects);
}

run().catch((e: Error) => {
    process.stderr.write(`${e.stack ?? e.message}\n`);
    process.exit(1);
});
