/**
 * `npm run verify`'s live trace probe (verify/probe.ts) against the suite's real parts: the real Envoy gateway and
 * sidecar, the chart-rendered Jaeger and the Node.js app, reached through the probe's URL flags (`--probe`, `--host`,
 * `--jaeger-url`): a port-forward to a query pod needs a pod, and the local control plane has no nodes. On the stack as
 * rendered the probe passes; on each negative control of controls.spec.ts it fails naming the cause.
 */
import * as assert from "assert";
import { CheckResult } from "../verify/checks";
import { ProbeOptions, probe } from "../verify/probe";
import { VARIANTS, Rendered, render, variantTitle } from "./render";
import { APPS, Scenario, ScenarioOptions } from "./scenario";
import { services } from "./traces";

const NODE_APP = APPS[0];
const variant = VARIANTS.find((v) => v.line === "v2" && v.provider === "zipkin") ?? VARIANTS[0];

describe(`verify's trace probe: ${variantTitle(variant)}`, function () {
    this.timeout(300_000);
    let rendered: Rendered;
    before(async function () {
        this.timeout(900_000);
        rendered = await render(variant);
    });

    /** The probe's checks on a scenario of its own (always stopped), 10 requests to the Node.js app. */
    async function probed(opts: ScenarioOptions, timeoutMs = 20_000): Promise<Map<string, CheckResult>> {
        const s = await Scenario.start(rendered, { apps: [NODE_APP], ...opts });
        try {
            const flushing = setInterval(() => void s.flushApps(), 1000);
            const o: ProbeOptions = {
                gatewayUrl: `${s.gatewayUrl}/probe`,
                host: NODE_APP.domain,
                jaegerUrl: s.jaeger.queryUrl,
                requests: 10,
                samplingPercentage: rendered.objects.telemetry().samplingPercentage,
                gatewayService: services(s, NODE_APP).gateway,
                timeoutMs,
            };
            try {
                return new Map((await probe(o)).map((r) => [r.id, r]));
            } finally {
                clearInterval(flushing);
            }
        } finally {
            await s.stop();
        }
    }

    it("passes on the stack as rendered: one trace per request gateway -> sidecar -> app, the sampling the stack sets, the edge from the gateway", async () => {
        const r = await probed({});
        const names = { sidecar: `${NODE_APP.name}.${NODE_APP.namespace}`, app: NODE_APP.name };
        assert.deepStrictEqual(
            [...r.values()].map((c) => [c.id, c.status]),
            [
                ["probe-traces", "pass"],
                ["probe-sampling", "pass"],
                ["probe-dependencies", "pass"],
            ],
            JSON.stringify([...r.values()], null, 2),
        );
        assert.deepStrictEqual(r.get("probe-traces")?.found, ["10 of 10 requests answered, 10 traced", `one trace each: gateway → ${names.sidecar} → ${names.app}`]);
        assert.deepStrictEqual(r.get("probe-sampling")?.found, ["100 % of 10 requests traced; the stack samples 100 %"]);
        assert.ok(r.get("probe-dependencies")?.found[0].includes(names.sidecar));
    });

    it("names the propagator when the app does not read the headers its sidecar sends (the reference's first incident)", async () => {
        const r = await probed({ envOverrides: { OTEL_PROPAGATORS: "tracecontext,baggage" } });
        const traces = r.get("probe-traces");
        assert.strictEqual(traces?.status, "fail");
        assert.ok(
            traces.found.includes("cause: the app's spans are in separate traces: its propagators do not read the headers its sidecar sends (OTEL_PROPAGATORS, appTracingEnvironment)"),
            traces.found.join("\n"),
        );
    });

    it("names the collector port or the provider when the proxies' spans never arrive", async () => {
        const r = await probed({ blockProxyCollector: true }, 10_000);
        const traces = r.get("probe-traces");
        assert.strictEqual(traces?.status, "fail");
        assert.ok(
            traces.found.some((f) => f.startsWith("no trace at all: sampling is 0 % (the stack sets 100 %) or Jaeger receives nothing from the gateway")),
            traces.found.join("\n"),
        );
        assert.strictEqual(r.get("probe-dependencies")?.status, "fail");
    });
});
