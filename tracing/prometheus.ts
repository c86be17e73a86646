/**
 * Prometheus as the stack's monitors make it scrape Jaeger's span metrics: the toolchain's Prometheus (built from
 * github.com/prometheus/prometheus cmd/prometheus, scripts/versions.sh), on 127.0.0.1, with a scrape config derived
 * from the rendered ServiceMonitor: the Services its selector and namespaceSelector pick, the port it names, its path.
 * What is mapped: each Service port is scraped at the loopback address of the pod port it targets (the suite's
 * loopback.ts), as the operator's Prometheus scrapes the endpoints of the Service; and the scrape interval is the
 * suite's (1 s, not the monitor's 15 s), so a test need not wait for a production scrape schedule.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { stopProcess, toolsBin } from "../e2e/tools";
import { LOOPBACK, Loopback } from "./loopback";
import { K8sObject, StackObjects } from "./stackObjects";

/** One scrape job: where the operator would scrape a ServiceMonitor endpoint, as loopback targets. */
export interface ScrapeJob {
    readonly name: string;
    readonly path: string;
    readonly targets: readonly string[];
}

/**
 * The scrape jobs a rendered ServiceMonitor makes: one per endpoint, each targeting the port of that name on every
 * Service its selector (matchLabels) picks in the namespaces its namespaceSelector names. Throws naming what does
 * not resolve: a monitor that selects no Service, or a port name no selected Service has, scrapes nothing.
 */
export function serviceMonitorJobs(monitor: K8sObject, objects: StackObjects, loopback: Loopback): ScrapeJob[] {
    const spec = monitor.spec;
    const match: Record<string, string> = spec.selector?.matchLabels ?? {};
    const namespaces: string[] = spec.namespaceSelector?.matchNames ?? [monitor.metadata.namespace ?? ""];
    const services = objects.ofKind("Service").filter((s) => namespaces.includes(s.metadata.namespace ?? "") && Object.entries(match).every(([k, v]) => s.metadata.labels?.[k] === v));
    if (services.length === 0) {
        throw new Error(`ServiceMonitor ${monitor.metadata.namespace}/${monitor.metadata.name} selects no rendered Service (${JSON.stringify(match)} in ${namespaces.join(", ")})`);
    }
    return (spec.endpoints as { port: string; path?: string }[]).map((e, i) => ({
        name: `${monitor.metadata.name}-${i}`,
        path: e.path ?? "/metrics",
        targets: services.map((s) => {
            const port = (s.spec.ports as { name?: string; port: number }[]).find((p) => p.name === e.port);
            if (port === undefined) {
                throw new Error(`ServiceMonitor ${monitor.metadata.name} names port ${e.port}, which Service ${s.metadata.namespace}/${s.metadata.name} does not have`);
            }
            return `${LOOPBACK}:${loopback.resolve(`${s.metadata.name}.${s.metadata.namespace}`, port.port)}`;
        }),
    }));
}

export class Prometheus {
    private constructor(
        private readonly proc: ChildProcess,
        private readonly dir: string,
        readonly url: string,
    ) {}

    /** Starts Prometheus on `port` (127.0.0.1), scraping the jobs every second. */
    static async start(port: number, jobs: readonly ScrapeJob[]): Promise<Prometheus> {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "prometheus-"));
        const config = {
            global: { scrape_interval: "1s", evaluation_interval: "1s" },
            scrape_configs: jobs.map((j) => ({ job_name: j.name, metrics_path: j.path, static_configs: [{ targets: j.targets }] })),
        };
        fs.writeFileSync(path.join(dir, "prometheus.yml"), yaml.dump(config));
        const log = fs.openSync(path.join(dir, "prometheus.log"), "w");
        const proc = spawn(
            path.join(toolsBin(), "prometheus"),
            [`--config.file=${path.join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${path.join(dir, "data")}`, `--web.listen-address=${LOOPBACK}:${port}`],
            { env: { PATH: process.env.PATH ?? "", HOME: dir }, stdio: ["ignore", log, log] },
        );
        fs.closeSync(log);
        const p = new Prometheus(proc, dir, `http://${LOOPBACK}:${port}`);
        const deadline = Date.now() + 30_000;
        for (;;) {
            if (proc.exitCode !== null) {
                const text = p.log();
                await p.stop();
                throw new Error(`Prometheus exited with ${proc.exitCode}:\n${text}`);
            }
            try {
                // Prometheus's own answer, from the process started here: another server on the port would answer too.
                const res = await fetch(`${p.url}/-/ready`);
                if (res.ok && (await res.text()).includes("Prometheus") && proc.exitCode === null) {
                    return p;
                }
            } catch {
                // not listening yet
            }
            if (Date.now() > deadline) {
                const text = p.log();
                await p.stop();
                throw new Error(`Prometheus did not become ready in 30 s:\n${text}`);
            }
            await new Promise((r) => setTimeout(r, 200));
        }
    }

    /** An instant PromQL query's vector: each series' labels and value. */
    async query(promql: string): Promise<{ labels: Record<string, string>; value: number }[]> {
        const res = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(promql)}`);
        const text = await res.text();
        let body: { status?: string; error?: string; data?: { result: { metric: Record<string, string>; value: [number, string] }[] } } = {};
        try {
            body = JSON.parse(text);
        } catch {
            // not Prometheus's JSON: reported below with what came back
        }
        if (body.status !== "success") {
            throw new Error(
                `Prometheus query ${promql}: HTTP ${res.status} ${body.error ?? text.slice(0, 300)}${this.proc.exitCode === null ? "" : `; Prometheus exited with ${this.proc.exitCode}:\n${this.log()}`}`,
            );
        }
        return (body.data?.result ?? []).map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
    }

    /** The health of each scrape target (`up`, the last error), as /api/v1/targets reports it. */
    async targets(): Promise<{ job: string; health: string; lastError: string }[]> {
        const body = (await (await fetch(`${this.url}/api/v1/targets`)).json()) as { data: { activeTargets: { labels: { job: string }; health: string; lastError: string }[] } };
        return body.data.activeTargets.map((t) => ({ job: t.labels.job, health: t.health, lastError: t.lastError }));
    }

    log(): string {
        return fs.existsSync(path.join(this.dir, "prometheus.log")) ? fs.readFileSync(path.join(this.dir, "prometheus.log"), "utf8").slice(-3000) : "";
    }

    async stop(): Promise<void> {
        await stopProcess(this.proc);
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}
