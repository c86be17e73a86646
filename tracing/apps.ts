/**
 * The app hops: the Node.js app (tracing/app.ts, OpenTelemetry SDK) and the Python app as the
 * reference deployment ran it (tracing/python-app: FastAPI under `opentelemetry-instrument`, Python
 * 3.11, the reference's pinned packages in a venv cached by the hash of its lock file). Both get
 * exactly the environment the stack exports (output `appTracingEnvironment`), with their own service
 * name and the collector's address mapped to loopback; nothing else configures their tracing.
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as path from "path";
import { PROJECT_DIR, stopProcess } from "../e2e/tools";
import { LOOPBACK, Loopback, listening } from "./loopback";

type Runtime = "node" | "python";

/** An app of the run: its Deployment name (also its `app` label and service name), namespace, port and the host the gateway routes to it. */
export interface AppSpec {
    readonly name: string;
    readonly namespace: string;
    readonly runtime: Runtime;
    readonly port: number;
    readonly domain: string;
}

export const PYTHON_LOCK = path.join(PROJECT_DIR, "tracing", "python-app", "requirements.txt");
/** The same app without opentelemetry-propagator-b3 (the reference deployment's incident). */
export const PYTHON_LOCK_WITHOUT_B3 = path.join(PROJECT_DIR, "tracing", "python-app", "requirements-no-b3.txt");

/** The venv of a lock file (scripts/python-venv.sh builds it once; later runs reuse it). */
function pythonVenv(lock: string): string {
    return execFileSync(path.join(PROJECT_DIR, "scripts", "python-venv.sh"), ["install", lock], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
}

/**
 * The app's environment: the stack's exported tracing environment with the app's service name, and the
 * OTLP endpoint's cluster address mapped to its loopback address (loopback.ts).
 */
export function appEnv(exported: readonly { name: string; value: string }[], app: AppSpec, loopback: Loopback): Record<string, string> {
    const env = Object.fromEntries(exported.map((e) => [e.name, e.value]));
    env.OTEL_SERVICE_NAME = app.name;
    env.OTEL_EXPORTER_OTLP_ENDPOINT = loopback.url(env.OTEL_EXPORTER_OTLP_ENDPOINT);
    return env;
}

export class AppProcess {
    /** The app's JSON log lines. */
    readonly logLines: Record<string, unknown>[] = [];
    /** What the app wrote to stderr (the Python app's `site` reports a failing sitecustomize there). */
    stderr = "";

    private constructor(
        readonly spec: AppSpec,
        private readonly proc: ChildProcess,
        readonly port: number,
    ) {}

    /** Starts the app on a loopback port (its container port inside the pod) with `env`. */
    static async start(spec: AppSpec, env: Readonly<Record<string, string>>, port: number, pythonLock = PYTHON_LOCK): Promise<AppProcess> {
        const base = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env };
        const proc =
            spec.runtime === "node"
                ? spawn(process.execPath, ["-r", "ts-node/register", path.join(__dirname, "app.ts")], {
                      cwd: PROJECT_DIR,
                      env: { ...base, PORT: String(port), TS_NODE_TRANSPILE_ONLY: "true" },
                      stdio: ["ignore", "pipe", "pipe"],
                  })
                : spawn(
                      path.join(pythonVenv(pythonLock), "bin", "opentelemetry-instrument"),
                      ["uvicorn", "app:app", "--app-dir", path.join(__dirname, "python-app"), "--host", LOOPBACK, "--port", String(port), "--no-access-log", "--log-level", "warning"],
                      { env: { ...base, PATH: `${path.join(pythonVenv(pythonLock), "bin")}:${base.PATH}`, PYTHONUNBUFFERED: "1" }, stdio: ["ignore", "pipe", "pipe"] },
                  );
        const app = new AppProcess(spec, proc, port);
        let buf = "";
        proc.stdout.on("data", (chunk: Buffer) => {
            buf += chunk.toString();
            let nl;
            while ((nl = buf.indexOf("\n")) >= 0) {
                const line = buf.slice(0, nl);
                buf = buf.slice(nl + 1);
                if (line.startsWith("{")) {
                    app.logLines.push(JSON.parse(line));
                }
            }
        });
        proc.stderr.on("data", (chunk: Buffer) => {
            app.stderr += chunk.toString();
        });
        const deadline = Date.now() + 60_000;
        while (Date.now() < deadline) {
            if (proc.exitCode !== null) {
                throw new Error(`${spec.runtime} app ${spec.name} exited with ${proc.exitCode}:\n${app.stderr.slice(-3000)}`);
            }
            if (await listening(port)) {
                return app;
            }
            await new Promise((r) => setTimeout(r, 100));
        }
        await app.stop();
        throw new Error(`${spec.runtime} app ${spec.name} did not listen on ${port} within 60 s:\n${app.stderr.slice(-3000)}`);
    }

    /** Makes the app export its finished spans now (its batch processor would wait seconds). */
    async flush(): Promise<void> {
        await fetch(`http://${LOOPBACK}:${this.port}/__flush`);
    }

    async stop(): Promise<void> {
        await stopProcess(this.proc);
    }
}
