import * as assert from "assert";
import * as m from "../../rules/metrics";
import { chart, kialiConfigMap, meshConfig, meshConfigMap, opaqueChart, releasesConfigMap, telemetry } from "../fixtures";
import { stackViolationsOf } from "../harness";

const EXPECTED = "expected defaultProviders.metrics: [prometheus] or a mesh-wide Telemetry selecting prometheus.";
const violation = (why: string, cm = "istio-system/istio") =>
    `Mesh config ${cm} must keep Prometheus metrics on while Kiali is installed (Kiali's graph and health read istio_requests_total); ${why}, ${EXPECTED}`;

/** The mesh config the istiod chart renders once the user sets defaultProviders.tracing only (templates/configmap.yaml). */
const tracingOnly = meshConfig({ defaultProviders: { tracing: ["jaeger"] } });

describe(m.MESH_METRICS, () => {
    it("passes the program's mesh config: prometheus beside tracing in defaultProviders", async () => {
        assert.deepStrictEqual(await stackViolationsOf(m.kialiGraphMustHaveMeshMetrics, [meshConfigMap(), telemetry(100), kialiConfigMap()]), []);
    });

    it("denies the chart's rendering of defaultProviders.tracing alone, which drops the default metrics", async () => {
        assert.deepStrictEqual(await stackViolationsOf(m.kialiGraphMustHaveMeshMetrics, [meshConfigMap(tracingOnly), telemetry(100), kialiConfigMap()]), [
            violation("defaultProviders.metrics is empty and Telemetry istio-system/global-sampling selects no metrics provider"),
        ]);
    });

    it("passes when the mesh-wide Telemetry selects prometheus explicitly", async () => {
        const t = telemetry(100, { metrics: [{ providers: [{ name: "prometheus" }] }] });
        assert.deepStrictEqual(await stackViolationsOf(m.kialiGraphMustHaveMeshMetrics, [meshConfigMap(tracingOnly), t, kialiConfigMap()]), []);
    });

    it("denies a mesh-wide Telemetry that selects another metrics provider, as istiod takes the Telemetry's over the defaults", async () => {
        const mesh = meshConfig({ extensionProviders: [...meshConfig().extensionProviders, { name: "stackdriver", stackdriver: {} }] });
        const t = telemetry(100, { metrics: [{ providers: [{ name: "stackdriver" }] }] });
        assert.deepStrictEqual(await stackViolationsOf(m.kialiGraphMustHaveMeshMetrics, [meshConfigMap(mesh), t, kialiConfigMap()]), [
            violation("Telemetry istio-system/global-sampling selects metrics providers stackdriver (no Prometheus provider)"),
        ]);
    });

    it("denies a mesh-wide Telemetry that disables all metrics", async () => {
        const t = telemetry(100, { metrics: [{ overrides: [{ disabled: true }] }] });
        assert.deepStrictEqual(await stackViolationsOf(m.kialiGraphMustHaveMeshMetrics, [meshConfigMap(), t, kialiConfigMap()]), [
            violation("Telemetry istio-system/global-sampling disables all metrics"),
        ]);
        const one = telemetry(100, { metrics: [{ overrides: [{ disabled: true, match: { metric: "REQUEST_SIZE" } }] }] });
        assert.deepStrictEqual(await stackViolationsOf(m.kialiGraphMustHaveMeshMetrics, [meshConfigMap(), one, kialiConfigMap()]), [], "one metric off is not all");
    });

    it("names a non-Prometheus default and a missing Telemetry", async () => {
        const mesh = meshConfig({ defaultProviders: { metrics: ["stackdriver"], tracing: ["jaeger"] } });
        assert.deepStrictEqual(await stackViolationsOf(m.kialiGraphMustHaveMeshMetrics, [meshConfigMap(mesh), kialiConfigMap()]), [
            violation("defaultProviders.metrics lists stackdriver (no Prometheus provider) and no Telemetry applies to the whole mesh"),
        ]);
    });

    it("accepts an extension provider of kind prometheus under another name, and rejects one that renames prometheus to something else", async () => {
        const own = meshConfig({ defaultProviders: { metrics: ["prom"], tracing: ["jaeger"] }, extensionProviders: [...meshConfig().extensionProviders, { name: "prom", prometheus: {} }] });
        assert.deepStrictEqual(await stackViolationsOf(m.kialiGraphMustHaveMeshMetrics, [meshConfigMap(own), kialiConfigMap()]), []);
        const hijacked = meshConfig({ extensionProviders: [...meshConfig().extensionProviders, { name: "prometheus", stackdriver: {} }] });
        assert.strictEqual((await stackViolationsOf(m.kialiGraphMustHaveMeshMetrics, [meshConfigMap(hijacked), kialiConfigMap()])).length, 1);
    });

    it("ignores Telemetry resources that do not apply to the whole mesh (other namespace, selector)", async () => {
        const elsewhere = telemetry(100, { metrics: [{ providers: [{ name: "prometheus" }] }] }, "auth");
        assert.deepStrictEqual(await stackViolationsOf(m.kialiGraphMustHaveMeshMetrics, [meshConfigMap(tracingOnly), elsewhere, kialiConfigMap()]), [
            violation("defaultProviders.metrics is empty and no Telemetry applies to the whole mesh"),
        ]);
        const selected = telemetry(100, { selector: { matchLabels: { app: "x" } }, metrics: [{ providers: [{ name: "prometheus" }] }] });
        assert.strictEqual((await stackViolationsOf(m.kialiGraphMustHaveMeshMetrics, [meshConfigMap(tracingOnly), selected, kialiConfigMap()])).length, 1);
    });

    it("finds Kiali by its requested chart too (releases record), and does not apply without Kiali", async () => {
        assert.strictEqual(
            (await stackViolationsOf(m.kialiGraphMustHaveMeshMetrics, [meshConfigMap(tracingOnly), opaqueChart("k"), releasesConfigMap([{ chart: "kiali-server", version: "2.29.0" }])])).length,
            1,
        );
        assert.strictEqual((await stackViolationsOf(m.kialiGraphMustHaveMeshMetrics, [meshConfigMap(tracingOnly), chart("kiali-server", "2.1.0")])).length, 1);
        assert.deepStrictEqual(await stackViolationsOf(m.kialiGraphMustHaveMeshMetrics, [meshConfigMap(tracingOnly), telemetry(100)]), []);
    });

    it("judges every mesh config of the stack (a revision's too)", async () => {
        const canary = meshConfigMap(tracingOnly);
        canary.props.metadata.name = "istio-canary";
        assert.deepStrictEqual(await stackViolationsOf(m.kialiGraphMustHaveMeshMetrics, [meshConfigMap(), canary, telemetry(100), kialiConfigMap()]), [
            violation("defaultProviders.metrics is empty and Telemetry istio-system/global-sampling selects no metrics provider", "istio-system/istio-canary"),
        ]);
    });
});
