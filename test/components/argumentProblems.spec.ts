/**
 * The rules components enforce whatever the caller, each defined once as a pure `xxxProblems(args)` next to its
 * component: the component throws what it returns, and the config layer reports the same problems under the stack
 * config keys (test/config.*.spec.ts asserts those messages).
 */
import * as assert from "assert";
import { chartsProblems } from "../../components/observabilityStack";
import { externalServicesProblems } from "../../components/externalServices";
import { meshTraceContext, meshTracingProblems, resolveTracePropagation } from "../../components/istioMesh";
import { jaegerProblems, resolveJaegerStorage } from "../../components/jaeger";
import { ELASTICSEARCH_DEFAULTS, resolveElasticsearchStorage } from "../../components/jaegerElasticsearch";
import { networkPolicyProblems } from "../../components/tracingNetworkPolicies";
import { DEFAULT_CHARTS } from "../../lib/charts";
import { defaultMaxTraces } from "../../lib/sizing";

const ES = { type: "elasticsearch", url: "https://es:9200", username: "jaeger", passwordSecret: { name: "es", key: "password" } } as const;

describe("argument problems", () => {
    it("chartsProblems: the three Istio charts share one version", () => {
        assert.deepStrictEqual(chartsProblems(undefined), []);
        assert.deepStrictEqual(chartsProblems({ istiod: { ...DEFAULT_CHARTS.istiod, version: "1.24.2" } }), [
            { path: ["charts", "istioBase/istiod/istioGateway", "version"], value: ["1.30.3", "1.24.2", "1.30.3"], reason: "the three Istio charts must share one version" },
        ]);
    });

    it("externalServicesProblems: every service has a host, named by its index", () => {
        assert.deepStrictEqual(
            externalServicesProblems([
                { name: "a", hosts: ["api.openai.com"] },
                { name: "b", hosts: [] },
            ]),
            [{ path: ["services", 1, "hosts"], value: [], reason: "a ServiceEntry needs at least one host name" }],
        );
    });

    it("networkPolicyProblems: baseline needs its policy, complete takes none", () => {
        assert.deepStrictEqual(networkPolicyProblems({}), []);
        assert.deepStrictEqual(networkPolicyProblems({ mode: "baseline", baselinePolicy: "base" }), []);
        assert.deepStrictEqual(
            networkPolicyProblems({ mode: "baseline" }).map((p) => [p.path, p.reason.split(":")[0]]),
            [[["baselinePolicy"], "required when mode is baseline"]],
        );
        assert.deepStrictEqual(networkPolicyProblems({ baselinePolicy: "base" }), [{ path: ["baselinePolicy"], value: "base", reason: "only allowed when mode is baseline" }]);
    });

    it("meshTracingProblems: B3 with W3C needs Istio 1.28, and the opentelemetry provider takes no propagation", () => {
        const zipkin = (propagation?: "b3" | "b3+w3c") => ({ provider: "zipkin", propagation }) as const;
        assert.deepStrictEqual(meshTracingProblems({ istioVersion: "1.30.3", tracing: zipkin("b3+w3c") }), []);
        assert.deepStrictEqual(meshTracingProblems({ istioVersion: "1.28.0", tracing: zipkin("b3+w3c") }), []);
        assert.deepStrictEqual(meshTracingProblems({ istioVersion: "1.24.2", tracing: zipkin("b3") }), []);
        assert.deepStrictEqual(meshTracingProblems({ istioVersion: "1.24.2", tracing: zipkin() }), []);
        assert.deepStrictEqual(meshTracingProblems({ istioVersion: "1.30.3", tracing: { provider: "opentelemetry" } }), []);
        assert.deepStrictEqual(meshTracingProblems({ istioVersion: "1.27.4", tracing: zipkin("b3+w3c") }), [
            {
                path: ["tracing", "propagation"],
                value: "b3+w3c",
                reason: "needs Istio 1.28 or later (istiodChart.version is 1.27.4): the zipkin provider's traceContextOption is new in Istio 1.28; use b3, or Istio 1.28 or later",
            },
        ]);
        assert.deepStrictEqual(
            meshTracingProblems({ istioVersion: "1.24.2", tracing: zipkin("b3+w3c") }, "charts.istiod.version").map((p) => p.reason),
            ["needs Istio 1.28 or later (charts.istiod.version is 1.24.2): the zipkin provider's traceContextOption is new in Istio 1.28; use b3, or Istio 1.28 or later"],
        );
        assert.deepStrictEqual(meshTracingProblems({ istioVersion: "1.30.3", tracing: { provider: "opentelemetry", propagation: "b3" } }), [
            {
                path: ["tracing", "propagation"],
                value: "b3",
                reason: "only for the zipkin provider: the opentelemetry provider propagates W3C trace context (traceparent) only; remove it, or use provider zipkin",
            },
        ]);
    });

    it("resolveTracePropagation and meshTraceContext: B3 with W3C by default where the Istio line has it, B3 before, W3C for opentelemetry", () => {
        const cases = [
            ["zipkin", undefined, "1.30.3"],
            ["zipkin", undefined, "1.28.0-rc.1"],
            ["zipkin", undefined, "1.27.4"],
            ["zipkin", undefined, "1.24.2"],
            ["zipkin", "b3", "1.30.3"],
            ["opentelemetry", undefined, "1.30.3"],
            ["opentelemetry", undefined, "1.24.2"],
        ] as const;
        assert.deepStrictEqual(
            cases.map(([provider, propagation, version]) => [resolveTracePropagation({ provider, propagation }, version), meshTraceContext({ provider, propagation }, version)]),
            [
                ["b3+w3c", "b3+w3c"],
                ["b3+w3c", "b3+w3c"],
                ["b3", "b3"],
                ["b3", "b3"],
                ["b3", "b3"],
                [undefined, "w3c"],
                [undefined, "w3c"],
            ],
        );
    });

    it("jaegerProblems: rollover needs a chart whose appVersion is known", () => {
        assert.deepStrictEqual(jaegerProblems({ chartVersion: "4.11.1", storage: { ...ES, rollover: { enabled: true } } }), []);
        assert.deepStrictEqual(jaegerProblems({ chartVersion: "9.9.9", storage: { ...ES, rollover: { enabled: false } } }), []);
        assert.deepStrictEqual(
            jaegerProblems({ chartVersion: "9.9.9", storage: { ...ES, rollover: { enabled: true } } }).map((p) => [p.path, p.value]),
            [[["storage", "rollover", "enabled"], true]],
        );
    });

    it("resolveJaegerStorage: memory is bounded by default, sized to the memory limit of the line; Elasticsearch gets its defaults", () => {
        assert.deepStrictEqual(resolveJaegerStorage(undefined, "512Mi", "v1"), { type: "memory", maxTraces: defaultMaxTraces("512Mi", "v1") });
        assert.deepStrictEqual(resolveJaegerStorage({ type: "memory", maxTraces: 7 }, "512Mi", "v2"), { type: "memory", maxTraces: 7 });
        assert.deepStrictEqual(resolveJaegerStorage(ES, "512Mi", "v2"), resolveElasticsearchStorage(ES));
        const es = resolveElasticsearchStorage(ES);
        assert.deepStrictEqual(
            [es.indexPrefix, es.tls, es.dependencies.schedule, es.indexCleaner, es.rollover],
            [
                ELASTICSEARCH_DEFAULTS.indexPrefix,
                { caSecret: undefined, insecureSkipVerify: false },
                ELASTICSEARCH_DEFAULTS.dependencies.schedule,
                ELASTICSEARCH_DEFAULTS.indexCleaner,
                ELASTICSEARCH_DEFAULTS.rollover,
            ],
        );
    });
});
