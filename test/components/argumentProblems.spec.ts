/**
 * The rules components enforce whatever the caller, each defined once as a pure `xxxProblems(args)` next to its
 * component: the component throws what it returns, and the config layer reports the same problems under the stack
 * config keys (test/config.*.spec.ts asserts those messages).
 */
import * as assert from "assert";
import { chartsProblems } from "../../components/observabilityStack";
import { externalServicesProblems } from "../../components/externalServices";
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
