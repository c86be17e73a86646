/**
 * The main job's deploy: `pulumi up` WITHOUT --skip-preview under the policy pack, one CLI run, as the deploy
 * workflow's scripts/deploy.sh runs it: the CLI previews under the pack first and updates only when no mandatory
 * policy (of a resource, or of the stack, which the engine judges only after every resource is registered) is
 * violated, so a violation stops the deploy before anything changes. The Automation API's `stack.up()` cannot run it:
 * it always passes --skip-preview (@pulumi/pulumi 3.248.0 automation/stack.js), which judges each resource only as the
 * update reaches it (measured on this stack: 61 objects created before a late violation stopped it). So the CLI is run
 * here, with the workspace's CLI, directory and environment, and its event log read back.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EngineEvent, Stack, UpResult } from "@pulumi/pulumi/automation";
import { PROJECT_DIR, PolicyEvent, cliErrorLines, policyEventOf } from "./harness";

/** A policy's verdict on the deploy: its policy event. */
export type Verdict = PolicyEvent;

export interface GuardedUpOptions {
    readonly policyPacks: string[];
    readonly policyPackConfigs: string[];
    readonly onOutput?: (out: string) => void;
    /** Receives the verdicts (see {@link guardedDeploy}) once the CLI has exited. */
    readonly onVerdict?: (v: Verdict) => void;
}

/** The deploy was stopped by the preview under the pack: nothing was changed. */
export class GuardStopped extends Error {
    constructor(
        public readonly verdicts: readonly Verdict[],
        public readonly cause: unknown,
    ) {
        const mandatory = verdicts.filter((v) => v.level === "mandatory").length;
        super(
            `${mandatory > 0 ? `the preview under the policy pack found ${mandatory} mandatory violation${mandatory === 1 ? "" : "s"}` : `the preview failed: ${cliErrorLines(cause).join("; ")}`}; nothing was changed`,
        );
        this.name = "GuardStopped";
    }
}

/** The environment the Automation API gives the workspace's CLI: this process's, the workspace's PULUMI_HOME and variables. */
function cliEnv(stack: Stack): NodeJS.ProcessEnv {
    const ws = stack.workspace;
    return { ...process.env, ...(ws.pulumiHome !== undefined ? { PULUMI_HOME: ws.pulumiHome } : {}), ...ws.envVars };
}

/** The CLI exited non-zero; the message holds its output, whose `error: ` lines {@link cliErrorLines} reads. */
class CliFailed extends Error {
    constructor(
        public readonly code: number | null,
        public readonly stdout: string,
        public readonly stderr: string,
    ) {
        super(`pulumi exited with ${String(code)}:\n${stdout}\n${stderr}`);
        this.name = "CliFailed";
    }
}

/** The engine events of an event log's complete lines, from byte `from`; and the byte after the last complete line. */
function readEvents(fd: number, from: number, size: number): { events: EngineEvent[]; end: number } {
    const buf = Buffer.alloc(size - from);
    fs.readSync(fd, buf, 0, buf.length, from);
    const last = buf.lastIndexOf(0x0a);
    if (last < 0) {
        return { events: [], end: from };
    }
    const events = buf
        .subarray(0, last)
        .toString("utf8")
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l) as EngineEvent);
    return { events, end: from + last + 1 };
}

/**
 * Reads an event log as the CLI writes it: each call returns the events of the lines completed since the last call.
 * The CLI writes the file anew for each engine operation (`pulumi up` with its preview: the preview's events, then the
 * update's in their place), seen as a file shorter than what was read, or no line end where the last line ended: then
 * it reads from the start again. (A rewrite with a line end at that very byte goes unseen by the live reader; the events
 * {@link runCli} returns are read afresh after the CLI exits.)
 */
export function eventLogReader(file: string): () => EngineEvent[] {
    let offset = 0;
    return () => {
        let fd: number;
        try {
            fd = fs.openSync(file, "r");
        } catch {
            return [];
        }
        try {
            const size = fs.fstatSync(fd).size;
            if (offset > 0) {
                const before = Buffer.alloc(1);
                const rewritten = size < offset || fs.readSync(fd, before, 0, 1, offset - 1) !== 1 || before[0] !== 0x0a;
                offset = rewritten ? 0 : offset;
            }
            if (size <= offset) {
                return [];
            }
            const r = readEvents(fd, offset, size);
            offset = r.end;
            return r.events;
        } finally {
            fs.closeSync(fd);
        }
    };
}

export interface CliRunOptions {
    readonly onOutput?: (out: string) => void;
    /** Receives the run's engine events as the CLI writes them to its `--event-log` (read every 20 ms). */
    readonly onEvent?: (e: EngineEvent) => void;
}

/** A run's output, and the engine events of its last engine operation (the update, after a `pulumi up`'s preview). */
export interface CliRun {
    readonly stdout: string;
    readonly stderr: string;
    readonly events: readonly EngineEvent[];
}

/**
 * Runs the workspace's CLI for the stack in the workspace's directory with its environment, as the Automation API
 * does, and nothing after it (the Automation API's `stack.up()` also runs `stack output` twice and `stack history`).
 * Throws {@link CliFailed}, with the events, on a non-zero exit.
 */
export async function runCli(stack: Stack, args: string[], opts: CliRunOptions = {}): Promise<CliRun> {
    const ws = stack.workspace;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-events-"));
    const eventLog = path.join(dir, "events.jsonl");
    const live = eventLogReader(eventLog);
    const drain = () => live().forEach((e) => opts.onEvent?.(e));
    const env = { ...cliEnv(stack), PULUMI_DEBUG_COMMANDS: "true" };
    const all = [...args, "--event-log", eventLog, "--stack", stack.name, ...(await ws.serializeArgsForOp(stack.name))];
    const poll = opts.onEvent === undefined ? undefined : setInterval(drain, 20);
    try {
        const child = spawn(ws.pulumiCommand.command, all, { cwd: ws.workDir, env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.setEncoding("utf8").on("data", (d: string) => {
            stdout += d;
            opts.onOutput?.(d);
        });
        child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
        const code = await new Promise<number | null>((resolve, reject) => child.on("error", reject).on("close", resolve));
        if (poll !== undefined) {
            drain();
        }
        const events = eventLogReader(eventLog)();
        await ws.postCommandCallback(stack.name);
        if (code !== 0) {
            throw Object.assign(new CliFailed(code, stdout, stderr), { events });
        }
        return { stdout, stderr, events };
    } finally {
        clearInterval(poll);
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** The policy events of a run, as verdicts. */
function verdictsOf(events: readonly EngineEvent[]): Verdict[] {
    return events.flatMap((e) => policyEventOf(e) ?? []);
}

/** True when the update itself began (a step outside the preview): only then can anything have changed. */
function updateBegan(events: readonly EngineEvent[]): boolean {
    return events.some((e) => e.resourcePreEvent !== undefined && e.resourcePreEvent.planning !== true);
}

/** The CLI flags that load the policy packs with their configs. */
export function policyArgs(opts: { readonly policyPacks: readonly string[]; readonly policyPackConfigs: readonly string[] }): string[] {
    return [...opts.policyPacks.flatMap((p) => ["--policy-pack", p]), ...opts.policyPackConfigs.flatMap((c) => ["--policy-pack-config", c])];
}

/**
 * The deploy alone: `pulumi up --yes` with its preview under the pack, one CLI run. The verdicts are the policy
 * events of the update (which judges every resource again) or, when the preview stopped it, of the preview; throws
 * {@link GuardStopped} when the run failed before the update's first step.
 */
export async function guardedDeploy(stack: Stack, opts: GuardedUpOptions): Promise<{ stdout: string; stderr: string; verdicts: Verdict[] }> {
    let run: CliRun;
    try {
        run = await runCli(stack, ["up", "--yes", "--non-interactive", ...policyArgs(opts)], { onOutput: opts.onOutput });
    } catch (e) {
        const events = (e as { events?: EngineEvent[] }).events;
        if (events === undefined) {
            throw e;
        }
        const verdicts = verdictsOf(events);
        verdicts.forEach((v) => opts.onVerdict?.(v));
        throw updateBegan(events) ? e : new GuardStopped(verdicts, e);
    }
    const verdicts = verdictsOf(run.events);
    verdicts.forEach((v) => opts.onVerdict?.(v));
    return { stdout: run.stdout, stderr: run.stderr, verdicts };
}

/** {@link guardedDeploy}, then the stack's outputs and its last update's summary, as the Automation API's `up()` returns them. */
export async function guardedUp(stack: Stack, opts: GuardedUpOptions): Promise<{ up: UpResult; verdicts: Verdict[] }> {
    const run = await guardedDeploy(stack, opts);
    const [outputs, summary] = await Promise.all([stack.outputs(), stack.info()]);
    if (summary === undefined) {
        throw new Error(`pulumi up succeeded but stack ${stack.name} has no update in its history`);
    }
    return { up: { stdout: run.stdout, stderr: run.stderr, outputs, summary }, verdicts: run.verdicts };
}

/**
 * The deploy workflow's step (.github/workflows/up.yml): scripts/deploy.sh, i.e. `pulumi up` with its own preview under
 * the project's pack, in one CLI run, with the workspace's CLI environment. Returns the exit status and the output.
 */
export function workflowDeploy(stack: Stack, policyConfigFile: string): { status: number | null; output: string } {
    const ws = stack.workspace;
    const r = spawnSync(path.join(PROJECT_DIR, "scripts", "deploy.sh"), [stack.name, "--policy-config", policyConfigFile, "--cwd", ws.workDir], {
        env: cliEnv(stack),
        encoding: "utf8",
        timeout: 600_000,
    });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
}
