/**
 * Runs the project the way its users do: the Pulumi CLI (built by scripts/toolchain.sh) starts
 * Pulumi.yaml's `main` (bin/program.js, the program precompiled) through the Node.js language host
 * `pulumi-language-nodejs`, and loads the policy pack
 * from `./policy` through the same host. The Automation API only drives the CLI, as a LocalWorkspace
 * over a project directory (a local program), against a file backend and the local control plane of
 * scripts/cluster.sh.
 *
 * The committed stack files are never written: each stack runs in a workspace of its own holding a
 * copy of `Pulumi.yaml` (whose `main` points back at the program) and of `Pulumi.<stack>.yaml`,
 * changed only with `pulumi config set` as a user would change them.
 */
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { execFileSync } from "child_process";
import { EngineEvent, LocalWorkspace, PulumiCommand, Stack, UpdateSummary } from "@pulumi/pulumi/automation";
import { PROJECT_DIR, pluginsDir, toolsBin } from "./tools";

export { PROJECT_DIR, toolsBin };
export const WORK_DIR = path.join(PROJECT_DIR, ".work");

/** Kubeconfig of the local control plane. */
export const KUBECONFIG = process.env.OBS_KUBECONFIG ?? path.join(WORK_DIR, "cluster", "kubeconfig");

/** URL of the loopback chart mirror (scripts/cluster.sh serves ../shared/charts there). */
export const CHARTS_URL = process.env.OBS_CHARTS_URL ?? "http://127.0.0.1:8879";

/** The policy pack, loaded by the CLI from its directory exactly as `--policy-pack ./policy` does. */
export const POLICY_PACK = path.join(PROJECT_DIR, "policy");

/** Policy config of a stack kind (`--policy-pack-config`). */
export function policyConfig(kind: "dev" | "production"): string {
    return path.join(PROJECT_DIR, "policy", "config", `${kind}.json`);
}

/** Version of the provider plugin the npm SDK asks for (its package.json `pulumi.version`). */
function providerPluginVersion(): string {
    const pkg = JSON.parse(fs.readFileSync(require.resolve("@pulumi/kubernetes/package.json"), "utf8")) as { pulumi: { version: string } };
    return pkg.pulumi.version;
}

/** Environment of every CLI run: pinned tools (CLI, language host, kubectl) first on PATH, a project-local PULUMI_HOME. */
function engineEnv(backendDir: string, passphrase: string): Record<string, string> {
    return {
        PATH: `${toolsBin()}:${process.env.PATH ?? ""}`,
        PULUMI_HOME: path.join(WORK_DIR, "pulumi-home"),
        PULUMI_BACKEND_URL: `file://${backendDir}`,
        PULUMI_CONFIG_PASSPHRASE: passphrase,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        KUBECONFIG,
    };
}

function run(cmd: string, args: string[], env: Record<string, string>): string {
    return execFileSync(cmd, args, { env: { ...process.env, ...env }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Registers the locally built provider under the version the SDK requests. Idempotent. */
function prepareEngine(env: Record<string, string>): void {
    const version = providerPluginVersion();
    const listed = run("pulumi", ["plugin", "ls", "--json"], env);
    const has = (JSON.parse(listed || "[]") as { name: string; kind: string; version: string }[]).some((p) => p.name === "kubernetes" && p.kind === "resource" && p.version === version);
    if (!has) {
        run("pulumi", ["plugin", "install", "resource", "kubernetes", version, "--file", path.join(pluginsDir(), "pulumi-resource-kubernetes")], env);
    }
}

export interface WorkspaceOptions {
    /** Stack name, e.g. `dev`. */
    readonly stack: string;
    /** Scratch directory of this stack: its workspace copy and, unless `backendDir` is given, its file backend. */
    readonly dir: string;
    readonly passphrase: string;
    /** Committed stack file to start from (`Pulumi.<from>.yaml`), copied into the workspace; none: an empty stack. */
    readonly from?: string;
    /** Take `from` as it was at this commit (a stack an older program created, with that program's keys). @default the working tree's */
    readonly fromCommit?: string;
    /** Program directory (holds index.ts, run with ts-node): a test program that adds resources, or an old program; none: the project's program, as its Pulumi.yaml runs it. */
    readonly program?: string;
    /** Directory of the `Pulumi.yaml` to copy (another project, e.g. under examples/); its program is its index.ts. @default the project */
    readonly project?: string;
    /** File backend directory. @default `<dir>/state` */
    readonly backendDir?: string;
    /** Keep the workspace and state of an earlier run (the local stack); otherwise start clean. */
    readonly keep?: boolean;
    /** Environment of the CLI runs beyond {@link engineEnv} (e.g. no KUBECONFIG for the render program). */
    readonly env?: Readonly<Record<string, string>>;
    /** The copied Pulumi.yaml's `main` (an absolute file) and `runtime`, for the bench's runtime variants. @default as {@link prepareWorkspace} chooses */
    readonly projectOverrides?: { readonly main?: string; readonly runtime?: Readonly<Record<string, unknown>> };
}

/**
 * How the CLI runs a TypeScript program of this repository: the test programs under e2e/programs/ (which import
 * ../../../program), the old programs of {@link programAt}, and the bench's ts-node contender. ts-node, transpile only
 * (tsconfig.pulumi.json). The project's own program runs as its Pulumi.yaml says: the loader bin/program.js, TypeScript off.
 */
export const TYPESCRIPT_RUNTIME = { name: "nodejs", options: { typescript: true, tsconfig: path.join(PROJECT_DIR, "tsconfig.pulumi.json") } } as const;

/**
 * A workspace for one stack: `Pulumi.yaml` copied with `main` pointing at the program (the CLI starts that program
 * through the language host), and the stack's file copied from the project. The project's program is the copied
 * Pulumi.yaml's own `main` and runtime (bin/program.js, the precompiled program), so the tests run what users run; a
 * test program or an old program is its index.ts under {@link TYPESCRIPT_RUNTIME}. On `keep`, the copy's
 * `encryptionsalt` (the CLI writes it) survives and the config is refreshed from the committed file.
 */
function prepareWorkspace(opts: WorkspaceOptions): string {
    const workspace = path.join(opts.dir, "workspace");
    if (!opts.keep) {
        fs.rmSync(opts.dir, { recursive: true, force: true });
    }
    fs.mkdirSync(workspace, { recursive: true });
    const projectDir = opts.project ?? PROJECT_DIR;
    const project = yaml.load(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as Record<string, unknown>;
    // A test program's index.ts is named as a file: with a directory `main`, the SDK would take the
    // entry point from the nearest package.json, the project's, and run the project's index.ts.
    const program = opts.program ?? opts.project;
    const projectMain = typeof project.main === "string" ? path.join(projectDir, project.main) : projectDir;
    const main = path.relative(workspace, program !== undefined ? path.join(program, "index.ts") : projectMain);
    // The language host hands runtime.options.tsconfig to the program relative to the workspace: point it at the project's.
    const projectRuntime = project.runtime as { name: string; options?: { tsconfig?: string } };
    const options = projectRuntime.options?.tsconfig === undefined ? projectRuntime.options : { ...projectRuntime.options, tsconfig: path.join(projectDir, projectRuntime.options.tsconfig) };
    const runtime = opts.program !== undefined ? TYPESCRIPT_RUNTIME : { ...projectRuntime, options };
    const overrides = opts.projectOverrides ?? {};
    fs.writeFileSync(
        path.join(workspace, "Pulumi.yaml"),
        yaml.dump({ ...project, runtime: overrides.runtime ?? runtime, main: overrides.main !== undefined ? path.relative(workspace, overrides.main) : main }),
    );
    const stackFile = path.join(workspace, `Pulumi.${opts.stack}.yaml`);
    if (opts.from !== undefined) {
        const file = `Pulumi.${opts.from}.yaml`;
        const text =
            opts.fromCommit === undefined ? fs.readFileSync(path.join(PROJECT_DIR, file), "utf8") : execFileSync("git", ["show", `${opts.fromCommit}:${file}`], { cwd: PROJECT_DIR, encoding: "utf8" });
        const committed = yaml.load(text) as Record<string, unknown>;
        const previous = fs.existsSync(stackFile) ? (yaml.load(fs.readFileSync(stackFile, "utf8")) as Record<string, unknown>) : {};
        fs.writeFileSync(stackFile, yaml.dump(previous.encryptionsalt !== undefined ? { ...committed, encryptionsalt: previous.encryptionsalt } : committed));
    }
    return workspace;
}

/** Creates or selects the stack in its workspace; every operation on it is a CLI run. */
export async function workspaceStack(opts: WorkspaceOptions): Promise<Stack> {
    const workDir = prepareWorkspace(opts);
    const backendDir = opts.backendDir ?? path.join(opts.dir, "state");
    fs.mkdirSync(backendDir, { recursive: true });
    const env = { ...engineEnv(backendDir, opts.passphrase), ...opts.env };
    prepareEngine(env);
    const pulumiCommand = await PulumiCommand.get({ root: path.dirname(toolsBin()), skipVersionCheck: true });
    const ws = await LocalWorkspace.create({ workDir, envVars: env, pulumiHome: env.PULUMI_HOME, pulumiCommand });
    return Stack.createOrSelect(opts.stack, ws);
}

/** One `pulumi config set [--secret] --path <key> <value>` (key without the project namespace). */
export interface ConfigChange {
    readonly key: string;
    readonly value: string;
    readonly secret?: boolean;
}

const PROJECT_NAME = "observability-stack";

/** Applies config changes one `pulumi config set --path` at a time, as a user types them. */
export async function configSet(stack: Stack, changes: readonly ConfigChange[]): Promise<void> {
    for (const c of changes) {
        await stack.setConfig(`${PROJECT_NAME}:${c.key}`, { value: c.value, secret: c.secret ?? false }, true);
    }
}

/** The chart roles of the programs before ambient mode (the stacks of e2e/crdMigration.e2e.ts and e2e/typeAliases.e2e.ts). */
export const PRE_AMBIENT_CHART_ROLES: readonly string[] = ["istioBase", "istiod", "istioGateway", "jaeger", "kiali"];

/** The air-gapped changes to a committed stack: every chart repo pointed at the loopback mirror (`mirror`), and no readiness waits (no nodes). */
export function airGapped(roles: readonly string[] = [...PRE_AMBIENT_CHART_ROLES, "istioCni", "ztunnel"], mirror: string = CHARTS_URL): ConfigChange[] {
    return [...roles.map((role) => ({ key: `charts.${role}.repo`, value: mirror })), { key: "awaitReadiness", value: "false" }];
}

export interface PolicyEvent {
    readonly policy: string;
    readonly level: string;
    readonly message: string;
}

/** The violation of a policy event: the CLI sends the policy's description, a newline, then the violation message. */
function violationMessage(event: string): string {
    const lines = event.trim().split("\n");
    return (lines.length > 1 ? lines.slice(1) : lines).join("\n").trim();
}

/** The policy, level and violation of an engine event; undefined when it is not a policy event. */
export function policyEventOf(e: EngineEvent): PolicyEvent | undefined {
    return e.policyEvent === undefined ? undefined : { policy: e.policyEvent.policyName, level: e.policyEvent.enforcementLevel, message: violationMessage(e.policyEvent.message) };
}

/**
 * The error lines of a failed CLI run (the Automation API's CommandError carries the whole stdout and stderr):
 * the `error:` lines, without the frames and the progress output, each once; the message itself when it has none.
 */
export function cliErrorLines(e: unknown): string[] {
    const text = e instanceof Error ? e.message : String(e);
    const lines = text
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l.startsWith("error: "))
        .map((l) => l.slice("error: ".length));
    return lines.length > 0 ? [...new Set(lines)] : [text.split("\n")[0]];
}

/** Runs a preview under the pack and returns its policy events; `ok` is false when the preview failed. */
export async function previewWithPolicies(stack: Stack, kind: "dev" | "production"): Promise<{ ok: boolean; policies: PolicyEvent[]; error: string; changes: Record<string, number> }> {
    const policies: PolicyEvent[] = [];
    const onEvent = (e: EngineEvent) => {
        const p = policyEventOf(e);
        if (p !== undefined) {
            policies.push(p);
        }
    };
    try {
        const r = await stack.preview({ policyPacks: [POLICY_PACK], policyPackConfigs: [policyConfig(kind)], onEvent });
        return { ok: true, policies, error: "", changes: r.changeSummary };
    } catch (e) {
        return { ok: false, policies, error: String(e), changes: {} };
    }
}

/** Resource changes of an update other than `same`. */
export function changes(summary: Pick<UpdateSummary, "resourceChanges">): Record<string, number> {
    return Object.fromEntries(Object.entries(summary.resourceChanges ?? {}).filter(([k]) => k !== "same"));
}

/** `kubectl ... -o json` against the local control plane, parsed. */
export function kubectlJson(args: string[]): any {
    return JSON.parse(kubectl([...args, "-o", "json"]));
}

/** `kubectl ...` against the local control plane (the toolchain's kubectl); returns stdout. */
export function kubectl(args: string[]): string {
    return execFileSync(path.join(toolsBin(), "kubectl"), ["--kubeconfig", KUBECONFIG, ...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] });
}

/** True when `kubectl get` finds the object. */
export function exists(args: string[]): boolean {
    try {
        kubectl(["get", ...args]);
        return true;
    } catch {
        return false;
    }
}

/** Waits until a namespace an earlier test deleted is gone, then creates it (as a user's cluster already has it). */
export function ensureNamespace(name: string): void {
    if (exists(["namespace", name]) && kubectlJson(["get", "namespace", name]).status.phase === "Terminating") {
        kubectl(["wait", "--for=delete", `namespace/${name}`, "--timeout=120s"]);
    }
    if (!exists(["namespace", name])) {
        kubectl(["create", "namespace", name]);
    }
}

/** Waits until deleted namespaces are gone (the namespace controller empties them first), so a later stack can create them again. */
export function waitNamespacesGone(names: readonly string[]): void {
    const present = names.filter((n) => exists(["namespace", n]));
    if (present.length > 0) {
        kubectl(["wait", "--for=delete", ...present.map((n) => `namespace/${n}`), "--timeout=180s"]);
    }
}

/** `git archive` of `paths` at `commit` into `target` (emptied first), node_modules linked to the project's. */
export function archiveAt(commit: string, paths: readonly string[], target: string): string {
    fs.rmSync(target, { recursive: true, force: true });
    fs.mkdirSync(target, { recursive: true });
    const archive = `${target}.tar`;
    execFileSync("git", ["-C", PROJECT_DIR, "archive", "--format=tar", "-o", archive, commit, ...paths], { stdio: ["ignore", "ignore", "pipe"] });
    execFileSync("tar", ["-xf", archive, "-C", target]);
    fs.rmSync(archive);
    fs.symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(target, "node_modules"), "dir");
    return target;
}

/** What the program is made of (index.ts -> program.ts -> the rest), at any commit of this repository. */
const PROGRAM_FILES = ["index.ts", "program.ts", "components", "config", "lib"];

/** The program as it was at `commit`, from git, in `target`: an old program on whose state a test runs the current one. */
export function programAt(commit: string, target: string): string {
    return archiveAt(commit, PROGRAM_FILES, target);
}
