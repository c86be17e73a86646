/** Where the toolchain's binaries are (scripts/toolchain.sh), for the real-engine and tracing tests. */
import { ChildProcess, execFileSync } from "child_process";
import * as path from "path";

export const PROJECT_DIR = path.resolve(__dirname, "..");

function toolchain(command: "path" | "plugin-path" | "share-path"): string {
    return execFileSync(path.join(PROJECT_DIR, "scripts", "toolchain.sh"), [command], { encoding: "utf8" }).trim();
}

/** Directory of the tool links (`scripts/toolchain.sh path`). */
export function toolsBin(): string {
    return toolchain("path");
}

/** Directory of the plugin binaries, kept off PATH (`scripts/toolchain.sh plugin-path`). */
export function pluginsDir(): string {
    return toolchain("plugin-path");
}

/** Directory of the data files (`scripts/toolchain.sh share-path`): the prometheus-operator CRDs. */
export function shareDir(): string {
    return toolchain("share-path");
}

/** Stops a process the tests started: SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stopProcess(proc: ChildProcess, graceMs = 5000): Promise<void> {
    if (proc.exitCode !== null || proc.signalCode !== null) {
        return;
    }
    const exited = new Promise((r) => proc.once("exit", r));
    proc.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, graceMs))]);
    if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill("SIGKILL");
    }
}
