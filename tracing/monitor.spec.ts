/**
 * Jaeger's Monitor tab with real parts: the chart-rendered Jaeger v2 with the program's span-metrics config, real
 * Prometheus scraping it as the rendered ServiceMonitor says (tracing/prometheus.ts), and the requests of the suite
 * through the real gateway and sidecars to both apps. Jaeger's query then reads the RED metrics back from that
 * Prometheus, as the Monitor tab does. Negative control: the same Jaeger without the span-metrics pipeline (the
 * chart's `userconfig` as users write it without the wiring) gives the Monitor tab no series.
 */
import * as assert from "assert";
import { MONITOR_NAMES } from "../components/prometheusMonitors";
import { SPAN_METRICS, SYSTEM_NAMESPACE } from "../lib/constants";
import { freePort } from "./loopback";
import { Prometheus, serviceMonitorJobs } from "./prometheus";
import { VARIANTS, Rendered, render, variantTitle } from "./render";
import { APPS, Scenario } from "./scenario";
import { services } from "./traces";

const variant = VARIANTS.find((v) => v.monitor === true);
if (variant === undefined) {
    throw new Error("no variant of tracing/render.ts has the Monitor tab");
}

/** Jaeger's rendered v2 config without the span-metrics wiring: no connector, no exporter, no metrics pipeline. */
function withoutSpanMetrics(config: any): any {
    const c = structuredClone(config);
    c.service.pipelines.traces.exporters = c.service.pipelines.traces.exporters.filter((e: string) => e !== "spanmetrics");
    delete c.service.pipelines["metrics/spanmetrics"];
    delete c.connectors;
    delete c.exporters.prometheus;
    return c;
}

describe(`Jaeger's Monitor tab: ${variantTitle(variant)}`, function () {
    this.timeout(300_000);
    let rendered: Rendered;
    let s: Scenario | undefined;
    let prometheus: Prometheus | undefined;

    before(async function () {
        this.timeout(900_000);
        rendered = await render(variant);
    });

    afterEach(async () => {
        await prometheus?.stop();
        await s?.stop();
        prometheus = undefined;
        s = undefined;
    });

    /**
     * The scenario with Jaeger's metrics storage pointed at the suite's Prometheus (the rendered URL names the cluster's
     * Prometheus Service, mapped here to 127.0.0.1 as every cluster address is), then Prometheus scraping what the
     * rendered ServiceMonitor selects.
     */
    async function start(config: (c: any) => any = (c) => c): Promise<{ s: Scenario; prometheus: Prometheus }> {
        const port = await freePort();
        s = await Scenario.start(rendered, {
            jaeger: {
                config: (c) => {
                    const out = config(c);
                    const backend = out.extensions.jaeger_storage.metric_backends?.metrics_store?.prometheus;
                    if (backend !== undefined) {
                        backend.endpoint = `http://127.0.0.1:${port}`;
                    }
                    return out;
                },
            },
        });
        const monitor = rendered.objects.get("ServiceMonitor", MONITOR_NAMES.jaegerSpanMetrics, SYSTEM_NAMESPACE);
        prometheus = await Prometheus.start(port, serviceMonitorJobs(monitor, rendered.objects, s.loopback));
        return { s, prometheus };
    }

    /**
     * 20 requests to each app through the gateway, then the apps' span exporters flushed. One path, as real traffic
     * repeats its operations: span metrics are per operation (`span_name`), and a rate needs a series that grows.
     */
    async function traffic(sc: Scenario): Promise<void> {
        for (const app of APPS) {
            const responses = await Promise.all(Array.from({ length: 20 }, () => sc.request(app.domain, "/monitor")));
            assert.deepStrictEqual([...new Set(responses.map((r) => r.status))], [200], `${app.name} answered`);
        }
        await sc.flushApps();
    }

    async function until<T>(what: string, read: () => Promise<T>, check: (v: T) => boolean, timeoutMs: number): Promise<T> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const v = await read();
            if (check(v)) {
                return v;
            }
            if (Date.now() > deadline) {
                throw new Error(`${what}: not within ${timeoutMs / 1000} s; last: ${JSON.stringify(v)}`);
            }
            await new Promise((r) => setTimeout(r, 1000));
        }
    }

    it("renders the span metrics the Monitor tab reads: the connector, the exporter on 8889, the query reading Kiali's Prometheus, and a ServiceMonitor on the chart's span-metrics port", () => {
        const deployment = rendered.objects.deploymentSelectedBy("jaeger-collector-clusterip", SYSTEM_NAMESPACE);
        const container = deployment.spec.template.spec.containers[0];
        const args: string[] = container.args ?? [];
        const config = rendered.objects.mountedFile(deployment, container, args[args.indexOf("--config") + 1]) ?? "";
        assert.match(config, /spanmetrics/);
        assert.match(config, new RegExp(`endpoint: 0\\.0\\.0\\.0:${SPAN_METRICS.port}`));
        assert.match(config, /endpoint: http:\/\/prometheus-operated\.prometheus\.svc\.cluster\.local:9090/);
        const monitor = rendered.objects.get("ServiceMonitor", MONITOR_NAMES.jaegerSpanMetrics, SYSTEM_NAMESPACE);
        assert.deepStrictEqual(monitor.spec.endpoints, [{ port: SPAN_METRICS.servicePortName, interval: "15s" }]);
    });

    it("shows calls and latencies for both apps: Prometheus scrapes the span metrics, Jaeger's query reads them back", async () => {
        const { s: sc, prometheus: p } = await start();
        // Two rounds a flush apart: a rate needs the counter to grow between two scrapes. Each round's 20 server spans
        // per app are counted once the connector flushes and Prometheus scrapes.
        const calls = (app: string) => `sum(traces_span_metrics_calls_total{service_name="${app}",span_kind="SPAN_KIND_SERVER"})`;
        const counted = async (name: string) => (await p.query(calls(name)))[0]?.value ?? 0;
        const names = APPS.map((app) => services(sc, app).app);
        await traffic(sc);
        const firstRound = new Map<string, number>();
        for (const name of names) {
            firstRound.set(
                name,
                await until(
                    `Prometheus counted ${name}'s first round`,
                    () => counted(name),
                    (n) => n >= 20,
                    60_000,
                ),
            );
        }
        await traffic(sc);
        for (const name of names) {
            await until(
                `Prometheus counted ${name}'s second round`,
                () => counted(name),
                (n) => n >= (firstRound.get(name) ?? 0) + 20,
                60_000,
            );
        }
        for (const name of names) {
            const rate = await until(
                `the Monitor tab's call rate of ${name}`,
                () => sc.jaeger.metrics("calls", name),
                (m) => m.series.some((x) => x.values.some((v) => v > 0)),
                60_000,
            );
            assert.deepStrictEqual(
                rate.series.map((x) => x.labels),
                [{ service_name: name }],
            );
            const latencies = await sc.jaeger.metrics("latencies", name);
            const buckets = `traces_span_metrics_duration_milliseconds_bucket{service_name="${name}",span_kind="SPAN_KIND_SERVER"}`;
            assert.ok(
                latencies.series.some((x) => x.values.some((v) => v > 0)),
                `latencies of ${name}: ${JSON.stringify(latencies)}; Prometheus's bucket rates: ${JSON.stringify(await p.query(`sum(rate(${buckets}[1m])) by (le)`))}`,
            );
        }
        assert.deepStrictEqual(
            (await p.targets()).map((t) => t.health),
            ["up"],
        );
    });

    it("negative control: without the span-metrics pipeline the Monitor tab has no series, and Prometheus finds nothing on the port", async () => {
        const { s: sc, prometheus: p } = await start(withoutSpanMetrics);
        await traffic(sc);
        await traffic(sc);
        const name = services(sc, APPS[0]).app;
        // The spans arrived (the traces are there); then one flush interval and a few scrapes pass.
        await until(
            `Jaeger stored ${name}'s traces`,
            () => sc.jaeger.services(),
            (list) => list.includes(name),
            20_000,
        );
        await new Promise((r) => setTimeout(r, 20_000));
        assert.deepStrictEqual(await sc.jaeger.metrics("calls", name), { status: 200, series: [] });
        assert.deepStrictEqual(
            (await p.targets()).map((t) => t.health),
            ["down"],
        );
    });
});
