/**
 * Runs the program in the real Pulumi engine: the Pulumi CLI and Kubernetes provider built by
 * scripts/toolchain.sh, a file backend, and the local control plane of scripts/cluster.sh.
 *
 * The program runs as an Automation API inline program (the same `main` index.ts exports): the
 * proxy here serves no Node.js language host (`pulumi-language-nodejs`), and an inline program needs
 * none. For the same reason the policy pack runs as a binary analyzer plugin: `policy/analyzer`.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ConfigMap, LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { main } from "../program";
import { PROJECT_DIR, pluginsDir, toolsBin } from "./tools";

export { PROJECT_DIR, toolsBin };
export const WORK_DIR = path.join(PROJECT_DIR, ".work");
export const PROJECT_NAME = "observability-stack";

/** Kubeconfig of the local control plane. */
export const KUBECONFIG = process.env.OBS_KUBECONFIG ?? path.join(WORK_DIR, "cluster", "kubeconfig");

/** Version of the provider plugin the npm SDK asks for (its package.json `pulumi.version`). */
export function providerPluginVersion(): string {
    const pkg = JSON.parse(fs.readFileSync(require.resolve("@pulumi/kubernetes/package.json"), "utf8")) as { pulumi: { version: string } };
    return pkg.pulumi.version;
}

/** Environment of every CLI run: pinned tools first on PATH, a project-local PULUMI_HOME, no update checks. */
export function engineEnv(backendDir: string, passphrase: string): Record<string, string> {
    return {
        PATH: `${toolsBin()}:${process.env.PATH ?? ""}`,
        PULUMI_HOME: path.join(WORK_DIR, "pulumi-home"),
        PULUMI_BACKEND_URL: `file://${backendDir}`,
        PULUMI_CONFIG_PASSPHRASE: passphrase,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
        KUBECONFIG,
    };
}

function run(cmd: string, args: string[], env: Record<string, string>): string {
    return execFileSync(cmd, args, { env: { ...process.env, ...env }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Registers the locally built provider under the version the SDK requests. Idempotent. */
export function prepareEngine(env: Record<string, string>): void {
    const version = providerPluginVersion();
    const listed = run("pulumi", ["plugin", "ls", "--json"], env);
    const has = (JSON.parse(listed || "[]") as { name: string; kind: string; version: string }[]).some((p) => p.name === "kubernetes" && p.kind === "resource" && p.version === version);
    if (!has) {
        run("pulumi", ["plugin", "install", "resource", "kubernetes", version, "--file", path.join(pluginsDir(), "pulumi-resource-kubernetes")], env);
    }
}

/** The policy pack as a binary analyzer plugin (no Node.js language host needed). */
export const POLICY_PACK = path.join(PROJECT_DIR, "policy", "analyzer");

/** Policy config of a stack kind. */
export function policyConfig(kind: "dev" | "production"): string {
    return path.join(PROJECT_DIR, "policy", "config", `${kind}.json`);
}

export interface StackOptions {
    /** Stack name. */
    readonly name: string;
    /** Directory of the file backend. */
    readonly backendDir: string;
    /** Workspace directory (holds Pulumi.yaml and Pulumi.<stack>.yaml). */
    readonly workDir: string;
    readonly passphrase: string;
    /** Config to set (values are JSON-encoded when not strings), `secret` marks secret keys. */
    readonly config?: Record<string, unknown>;
    readonly secretKeys?: readonly string[];
    /** The inline program; the project's `main` unless a test adds resources to it. */
    readonly program?: () => Promise<Record<string, unknown>>;
}

/** Creates or selects a stack whose program is the project's `main` (or `opts.program`). */
export async function inlineStack(opts: StackOptions): Promise<Stack> {
    fs.mkdirSync(opts.backendDir, { recursive: true });
    fs.mkdirSync(opts.workDir, { recursive: true });
    const env = engineEnv(opts.backendDir, opts.passphrase);
    prepareEngine(env);
    const pulumiCommand = await PulumiCommand.get({ root: path.dirname(toolsBin()), skipVersionCheck: true });
    const ws = await LocalWorkspace.create({
        program: opts.program ?? main,
        workDir: opts.workDir,
        envVars: env,
        pulumiHome: env.PULUMI_HOME,
        pulumiCommand,
        // The project directory has its own Pulumi.yaml (and Pulumi.<stack>.yaml); scratch directories get one written.
        projectSettings: fs.existsSync(path.join(opts.workDir, "Pulumi.yaml")) ? undefined : { name: PROJECT_NAME, runtime: "nodejs", backend: { url: env.PULUMI_BACKEND_URL } },
    });
    const stack = await Stack.createOrSelect(opts.name, ws);
    if (opts.config !== undefined) {
        const cfg: ConfigMap = {};
        for (const [k, v] of Object.entries(opts.config)) {
            cfg[`${PROJECT_NAME}:${k}`] = { value: typeof v === "string" ? v : JSON.stringify(v), secret: opts.secretKeys?.includes(k) ?? false };
        }
        await stack.setAllConfig(cfg);
    }
    return stack;
}

/** `kubectl ... -o json` against the local control plane, parsed. */
export function kubectlJson(args: string[]): any {
    return JSON.parse(execFileSync("kubectl", ["--kubeconfig", KUBECONFIG, ...args, "-o", "json"], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }));
}

/** `kubectl ...` against the local control plane; returns stdout. */
export function kubectl(args: string[]): string {
    return execFileSync("kubectl", ["--kubeconfig", KUBECONFIG, ...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
}

/** True when `kubectl get` finds the object. */
export function exists(args: string[]): boolean {
    try {
        execFileSync("kubectl", ["--kubeconfig", KUBECONFIG, "get", ...args], { stdio: "ignore" });
        return true;
    } catch {
        return false;
    }
}
