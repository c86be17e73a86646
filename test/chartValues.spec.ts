/**
 * The `charts.<role>.values` escape hatch, from stack config to the chart and the releases record:
 * validated as an object, merged last into the values the stack renders, recorded with secrets
 * redacted, and refused when the `charts` key holds a Pulumi secret.
 */
import * as assert from "assert";
import { ConfigError, parseStackConfig } from "../config";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_CHARTS } from "../lib/charts";
import { RELEASES_CONFIGMAP } from "../lib/constants";
import { problems } from "./configParsing";
import { dependsOn, one, registered, resetRegistered, settle, testProvider } from "./mocks";
import { deepFreeze, stackRawConfig } from "./stackFiles";

const CHART = "kubernetes:helm.sh/v4:Chart";
const CONFIGMAP = "kubernetes:core/v1:ConfigMap";
const TOLERATIONS = [{ key: "dedicated", operator: "Equal", value: "observability", effect: "NoSchedule" }];

describe("charts.<role>.values", () => {
    let program: typeof import("../program");
    let ObservabilityStack: typeof import("../components").ObservabilityStack;
    before(async () => {
        program = await import("../program");
        ObservabilityStack = (await import("../components")).ObservabilityStack;
    });
    beforeEach(resetRegistered);

    const dev = stackRawConfig("dev");
    const devCharts = dev.charts as Record<string, object>;
    const withValues = (values: Record<string, object>) => ({
        ...dev,
        charts: { ...devCharts, ...Object.fromEntries(Object.entries(values).map(([role, v]) => [role, { ...devCharts[role], ...v }])) },
    });

    it("accepts any object, keeps it as written, and leaves a chart without values as the chart source alone", () => {
        const values = { deployment: { tolerations: TOLERATIONS, image_pull_secrets: ["registry-credentials"] }, anything: { nested: [1, null] } };
        const c = parseStackConfig(deepFreeze(withValues({ kiali: { values } })));
        assert.deepStrictEqual(c.charts.kiali, { ...parseStackConfig(dev).charts.kiali, values });
        assert.ok(!("values" in c.charts.jaeger));
    });

    it("rejects values that are not an object, naming the key and the value, all at once", () => {
        assert.deepStrictEqual(problems(withValues({ kiali: { values: ["tolerations"] }, jaeger: { values: "replicas: 2" }, istiod: { values: null } })), [
            `charts.istiod.values: got null; expected an object of Helm values, merged last into the chart's values`,
            `charts.jaeger.values: got "replicas: 2"; expected an object of Helm values, merged last into the chart's values`,
            `charts.kiali.values: got ["tolerations"]; expected an object of Helm values, merged last into the chart's values`,
        ]);
    });

    it("merges the values last into what the stack renders, and records them with secrets redacted", async () => {
        const settings = parseStackConfig(
            withValues({
                kiali: { values: { deployment: { tolerations: TOLERATIONS }, external_services: { grafana: { auth: { password: "hunter2" } } } } },
                istiod: { values: { pilot: { resources: { requests: { cpu: "250m" } } } } },
            }),
        );
        new ObservabilityStack("observability", program.observabilityStackArgs(settings, { kialiSigningKey: "0123456789abcdef", namespaces: {}, owner: "observability-stack/unit" }), {
            provider: testProvider(),
        });
        await settle();
        const kiali = one(CHART, "observability-kiali-chart").inputs.values;
        assert.deepStrictEqual(kiali.deployment.tolerations, TOLERATIONS);
        assert.strictEqual(kiali.auth.strategy, "anonymous", "the stack's own values stay where the override says nothing");
        assert.ok(Array.isArray(kiali.deployment.custom_secrets), "objects merge key by key");
        assert.deepStrictEqual(one(CHART, "observability-istio-istiod").inputs.values.pilot.resources, { requests: { cpu: "250m" } });
        const record = JSON.parse(one(CONFIGMAP, "observability-charts").inputs.data[RELEASES_CONFIGMAP.key]) as { chart: string; values: any }[];
        const kialiRecord = record.find((r) => r.chart === "kiali-server");
        assert.deepStrictEqual(kialiRecord?.values.deployment.tolerations, TOLERATIONS);
        assert.strictEqual(kialiRecord?.values.external_services.grafana.auth.password, "<redacted>");
        assert.deepStrictEqual(Object.keys(kialiRecord ?? {}).sort(), ["chart", "namespace", "release", "repo", "values", "version"], "one values field: the merged one");
    });

    it("refuses values when the charts key holds a secret, before anything is registered", () => {
        const settings = parseStackConfig(withValues({ jaeger: { values: { imagePullSecrets: [{ name: "registry" }] } } }));
        assert.throws(
            () => program.secretChartValues(settings, (key) => key === "observability-stack:charts"),
            (e: unknown) => e instanceof ConfigError && e.problems.length === 1 && e.problems[0].startsWith("charts.jaeger.values: got <secret>; chart values are written into"),
        );
        assert.doesNotThrow(() => program.secretChartValues(settings, () => false));
        assert.doesNotThrow(() => program.secretChartValues(parseStackConfig(dev), () => true), "a secret charts key without values (e.g. a repository URL) is not refused");
    });
});

describe("ObservabilityStack args", () => {
    let ObservabilityStack: typeof import("../components").ObservabilityStack;
    before(async () => {
        ObservabilityStack = (await import("../components")).ObservabilityStack;
    });

    it("refuses Istio charts of two versions, naming the property, before registering any child", async () => {
        resetRegistered();
        const args = { owner: "p/s", tracing: { samplingPercentage: 1 }, kiali: { signingKey: "k", prometheusUrl: "http://prometheus:9090" } };
        assert.throws(
            () => new ObservabilityStack("mixed", { ...args, charts: { istiod: { ...DEFAULT_CHARTS.istiod, version: "1.24.2" } } }, { provider: testProvider() }),
            (e: unknown) =>
                e instanceof pulumi.InputPropertyError &&
                e.propertyPath === "charts.istioBase/istiod/istioGateway.version" &&
                e.reason === 'ObservabilityStack: charts.istioBase/istiod/istioGateway.version: got ["1.30.3","1.24.2","1.30.3"]; the three Istio charts must share one version',
        );
        await settle();
        assert.deepStrictEqual(
            registered.filter((r) => r.type.startsWith("kubernetes:")).map((r) => r.name),
            [],
        );
    });

    it("refuses B3 with W3C propagation on Istio 1.24 charts, naming the key and the chart version, before registering any child", async () => {
        resetRegistered();
        const v = "1.24.2";
        const charts = { istioBase: { ...DEFAULT_CHARTS.istioBase, version: v }, istiod: { ...DEFAULT_CHARTS.istiod, version: v }, istioGateway: { ...DEFAULT_CHARTS.istioGateway, version: v } };
        const args = { owner: "p/s", charts, tracing: { samplingPercentage: 1, propagation: "b3+w3c" }, kiali: { signingKey: "k", prometheusUrl: "http://prometheus:9090" } } as const;
        assert.throws(
            () => new ObservabilityStack("old-istio", args, { provider: testProvider() }),
            (e: unknown) =>
                e instanceof pulumi.InputPropertyError &&
                e.propertyPath === "tracing.propagation" &&
                e.reason ===
                    'ObservabilityStack: tracing.propagation: got "b3+w3c"; needs Istio 1.28 or later (charts.istiod.version is 1.24.2): the zipkin provider\'s traceContextOption is new in Istio 1.28; use b3, or Istio 1.28 or later',
        );
        await settle();
        assert.deepStrictEqual(
            registered.filter((r) => r.type.startsWith("kubernetes:")).map((r) => r.name),
            [],
        );
    });

    it("hands apps the propagators of the propagation in effect: W3C trace context by default on Istio 1.30, B3 first with b3", async () => {
        resetRegistered();
        const args = { owner: "p/s", tracing: { samplingPercentage: 1 }, kiali: { signingKey: "k", prometheusUrl: "http://prometheus:9090" } };
        const dual = new ObservabilityStack("dual", args, { provider: testProvider() });
        const b3 = new ObservabilityStack("b3", { ...args, tracing: { ...args.tracing, propagation: "b3" } }, { provider: testProvider() });
        await settle();
        assert.deepStrictEqual([dual.traceContext, b3.traceContext], ["b3+w3c", "b3"]);
        const propagators = (s: typeof dual) => s.appTracingEnv("auth-api").find((e) => e.name === "OTEL_PROPAGATORS")?.value;
        assert.deepStrictEqual([propagators(dual), propagators(b3)], ["tracecontext,baggage", "b3,tracecontext,baggage"]);
    });

    it("hands a caller's dependsOn to every child, as the other components do", async () => {
        resetRegistered();
        const provider = testProvider();
        const before = new k8s.core.v1.ConfigMap("prerequisite", { metadata: { name: "prerequisite" } }, { provider });
        const args = { owner: "p/s", tracing: { samplingPercentage: 1 }, kiali: { signingKey: "k", prometheusUrl: "http://prometheus:9090" }, appNamespaces: ["auth"] };
        new ObservabilityStack("waits", args, { provider, dependsOn: [before] });
        await settle();
        const children = registered.filter((r) => r.parent.endsWith("observability:index:ObservabilityStack::waits"));
        assert.ok(children.length >= 10, children.map((r) => r.name).join(", "));
        assert.deepStrictEqual(
            children.filter((r) => !dependsOn(r, "kubernetes:core/v1:ConfigMap", "prerequisite")).map((r) => `${r.type}/${r.name}`),
            [],
        );
    });
});

describe("observabilityStackArgs", () => {
    let program: typeof import("../program");
    before(async () => {
        program = await import("../program");
    });
    const context = { kialiSigningKey: "k", namespaces: {}, owner: "p/s" };

    it("makes production Kiali view-only and scoped to the app namespaces, dev Kiali neither", () => {
        const raw = stackRawConfig("production");
        const settings = parseStackConfig({ ...raw, kiali: { ...(raw.kiali as object), signingKey: "0123456789abcdef" } });
        const production = program.observabilityStackArgs(settings, context);
        assert.strictEqual(production.kiali.viewOnly, true);
        assert.ok(settings.appNamespaces.length > 0);
        assert.deepStrictEqual(production.kiali.accessibleNamespaces, settings.appNamespaces);
        const dev = program.observabilityStackArgs(parseStackConfig(stackRawConfig("dev")), context);
        assert.strictEqual(dev.kiali.viewOnly, false);
        assert.strictEqual(dev.kiali.accessibleNamespaces, undefined);
    });

    it("creates the prometheus-operator monitors only when the stack says the operator runs", () => {
        const on = parseStackConfig({ ...stackRawConfig("dev"), prometheus: { operator: true, monitorLabels: { release: "kps" } } });
        assert.deepStrictEqual(program.observabilityStackArgs(on, context).prometheusMonitors, { labels: { release: "kps" } });
        const off = parseStackConfig({ ...stackRawConfig("dev"), prometheus: { operator: false } });
        assert.strictEqual(program.observabilityStackArgs(off, context).prometheusMonitors, undefined);
    });
});
