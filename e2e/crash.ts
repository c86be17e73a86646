/**
 * A crashed `pulumi up`, as a dead CI runner or laptop leaves it, and the recovery README documents
 * (scripts/recover.sh), for the recovery tests on each state backend (e2e/recovery.e2e.ts, e2e/s3Backend.e2e.ts).
 */
import * as assert from "assert";
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as path from "path";
import { Stack } from "@pulumi/pulumi/automation";
import { PROJECT_DIR, toolsBin } from "./harness";

/** The live descendants of a process (children, their children, ...), from `ps`. */
function descendants(pid: number): number[] {
    const rows = execFileSync("ps", ["-e", "-o", "pid=,ppid="], { encoding: "utf8" })
        .split("\n")
        .map((l) => l.trim().split(/\s+/).map(Number))
        .filter((r) => r.length === 2 && r[0] > 0);
    const out: number[] = [];
    const queue = [pid];
    while (queue.length > 0) {
        const parent = queue.shift()!;
        for (const [child, ppid] of rows) {
            if (ppid === parent && !out.includes(child)) {
                out.push(child);
                queue.push(child);
            }
        }
    }
    return out;
}

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

/**
 * Starts `pulumi up` and kills the CLI with SIGKILL once `after` resources have been created; then
 * kills what the CLI left behind (language host, program, provider, policy pack), so no plugin
 * outlives its CLI. Resolves with the number of resources created before the kill.
 */
export async function killUpAfter(stack: Stack, after: number): Promise<number> {
    const ws = stack.workspace;
    const cli: ChildProcess = spawn(path.join(toolsBin(), "pulumi"), ["up", "--yes", "--skip-preview", "--non-interactive", "--stack", stack.name], {
        cwd: ws.workDir,
        env: { ...process.env, ...ws.envVars },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let created = 0;
    let output = "";
    let plugins: number[] = [];
    const killed = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`pulumi up created ${created} resources in 300 s, never ${after}:\n${output.slice(-2000)}`)), 300_000);
        cli.stdout!.on("data", (chunk: Buffer) => {
            output += chunk.toString();
            created = (output.match(/ created \(/g) ?? []).length;
            if (created >= after && cli.exitCode === null && plugins.length === 0) {
                // The plugins it started (language host, program, provider, policy pack), before they are re-parented.
                plugins = descendants(cli.pid!);
                process.kill(cli.pid!, "SIGKILL");
            }
        });
        cli.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
        cli.once("exit", (code, signal) => {
            clearTimeout(timer);
            if (signal === "SIGKILL") {
                resolve();
            } else {
                reject(new Error(`pulumi up ended before it was killed (code ${code}) after ${created} creates:\n${output.slice(-2000)}`));
            }
        });
    });
    await killed;
    assert.ok(plugins.length > 0, "the CLI had started its plugins");
    // What a crashed CLI leaves running: our harness stops it, as a supervisor (CI runner, systemd) would.
    for (const pid of plugins.filter(alive)) {
        process.kill(pid, "SIGKILL");
    }
    const deadline = Date.now() + 10_000;
    while (plugins.some(alive) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepStrictEqual(plugins.filter(alive), [], "no plugin process outlives its CLI");
    return created;
}

/** The documented recovery (README "Operations"), run as a user runs it. */
export function recover(stack: Stack): string {
    const ws = stack.workspace;
    return execFileSync(path.join(PROJECT_DIR, "scripts", "recover.sh"), [stack.name], {
        cwd: ws.workDir,
        env: { ...process.env, ...ws.envVars, PATH: `${toolsBin()}:${process.env.PATH ?? ""}` },
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
    });
}

/** A test's cleanup: destroy the stack, and when a dead run's lock or pending operations stop that, recover first. */
export async function destroyRecovering(stack: Stack): Promise<void> {
    await stack.destroy().catch(async () => {
        recover(stack);
        await stack.destroy();
    });
}
