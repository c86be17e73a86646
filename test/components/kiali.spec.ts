import * as assert from "assert";
import { DEFAULT_CHARTS } from "../../lib/charts";
import { dependsOn, one, resetRegistered, settle, testProvider } from "../mocks";

const CHART = "kubernetes:helm.sh/v4:Chart";
const KEY = "0123456789abcdef0123456789abcdef";

describe("Kiali", () => {
    let k: typeof import("../../components/kiali");
    before(async () => {
        k = await import("../../components/kiali");
    });
    beforeEach(resetRegistered);

    it("renders Kiali 2.x keys for kiali-server 2.1.0 and mounts the signing key from its Secret as Kiali's override file", async () => {
        new k.Kiali(
            "kiali",
            {
                chart: { ...DEFAULT_CHARTS.kiali, version: "2.1.0" },
                authStrategy: "anonymous",
                signingKey: KEY,
                prometheusUrl: "http://prometheus-operated.prometheus.svc.cluster.local:9090",
                grafanaUrl: "http://grafana.prometheus.svc.cluster.local",
                tracingUseGrpc: false,
                tracingExternalUrl: "https://jaeger.dev.growbin.app",
            },
            { provider: testProvider() },
        );
        await settle();
        const chart = one(CHART, "kiali-chart");
        assert.strictEqual(chart.inputs.chart, "kiali-server");
        assert.strictEqual(chart.inputs.version, "2.1.0");
        assert.deepStrictEqual(chart.inputs.values, {
            auth: { strategy: "anonymous" },
            clustering: { autodetect_secrets: { enabled: false } },
            deployment: {
                image_pull_policy: "IfNotPresent",
                ingress: { enabled: false },
                custom_secrets: [{ name: "kiali-signing-key", mount: "/kiali-override-secrets/login-token-signing-key" }],
            },
            external_services: {
                prometheus: { url: "http://prometheus-operated.prometheus.svc.cluster.local:9090" },
                grafana: { enabled: true, internal_url: "http://grafana.prometheus.svc.cluster.local" },
                tracing: {
                    enabled: true,
                    provider: "jaeger",
                    use_grpc: false,
                    internal_url: "http://jaeger-query-clusterip.istio-system.svc.cluster.local:16686",
                    external_url: "https://jaeger.dev.growbin.app",
                },
            },
            login_token: { signing_key: "from-secret-file" },
        });
        assert.ok(!JSON.stringify(chart.inputs).includes(KEY), "the key is not in the chart's inputs");
        const secret = one("kubernetes:core/v1:Secret", "kiali-signing-key");
        assert.deepStrictEqual(secret.inputs.stringData, { "value.txt": KEY });
        assert.ok(dependsOn(chart, "kubernetes:core/v1:Secret", "kiali-signing-key"));
    });

    it("stores the signing key in a Secret and passes a secret: reference to kiali-server 2.29.0", async () => {
        new k.Kiali(
            "kiali",
            {
                chart: DEFAULT_CHARTS.kiali,
                signingKey: KEY,
                prometheusUrl: "http://prometheus:9090",
            },
            { provider: testProvider() },
        );
        await settle();
        const secret = one("kubernetes:core/v1:Secret", "kiali-signing-key");
        assert.deepStrictEqual(secret.inputs.metadata, { name: "kiali-signing-key", namespace: "istio-system" });
        assert.deepStrictEqual(secret.inputs.stringData, { "value.txt": KEY });
        const chart = one(CHART, "kiali-chart");
        assert.deepStrictEqual(chart.inputs.values.login_token, { signing_key: "secret:kiali-signing-key:value.txt" });
        assert.strictEqual(chart.inputs.values.deployment.custom_secrets, undefined);
        assert.deepStrictEqual(chart.inputs.values.auth, { strategy: "token" });
        assert.deepStrictEqual(chart.inputs.values.external_services.tracing, {
            enabled: true,
            provider: "jaeger",
            use_grpc: true,
            internal_url: "http://jaeger-query-clusterip.istio-system.svc.cluster.local:16685",
        });
        assert.deepStrictEqual(chart.inputs.values.external_services.grafana, { enabled: false });
        assert.ok(dependsOn(chart, "kubernetes:core/v1:Secret", "kiali-signing-key"));
    });

    it("runs view-only and scoped to the given namespaces where the chart supports it (2.19 on), cluster-wide on 2.1.0", async () => {
        const args = { signingKey: KEY, prometheusUrl: "http://prometheus:9090", viewOnly: true, accessibleNamespaces: ["auth"] };
        new k.Kiali("kiali", { ...args, chart: DEFAULT_CHARTS.kiali }, { provider: testProvider() });
        await settle();
        const current = one(CHART, "kiali-chart").inputs.values.deployment;
        assert.strictEqual(current.view_only_mode, true);
        assert.strictEqual(current.cluster_wide_access, false);
        assert.deepStrictEqual(current.discovery_selectors, {
            default: [{ matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["istio-system", "auth"] }] }],
        });
        resetRegistered();
        new k.Kiali("kiali", { ...args, chart: { ...DEFAULT_CHARTS.kiali, version: "2.1.0" } }, { provider: testProvider() });
        await settle();
        const reference = one(CHART, "kiali-chart").inputs.values.deployment;
        assert.strictEqual(reference.view_only_mode, true);
        assert.strictEqual(reference.cluster_wide_access, undefined);
        assert.strictEqual(reference.discovery_selectors, undefined);
        assert.deepStrictEqual(["2.1.0", "2.18.0", "2.19.0", "2.29.0"].map(k.supportsNamespaceScopedAccess), [false, false, true, true]);
    });

    it("never emits the keys Kiali 2.x removed or renamed", () => {
        const text = JSON.stringify(
            k.kialiValues({
                namespace: "istio-system",
                authStrategy: "token",
                signingKey: k.signingKeyValues("2.29.0"),
                prometheusUrl: "http://p:9090",
                grafanaUrl: "http://g",
                grafanaExternalUrl: "https://g",
                tracingUseGrpc: true,
                tracingExternalUrl: "https://j",
                viewOnly: false,
            }),
        );
        for (const stale of ["accessible_namespaces", "in_cluster_url", '"url":"https://j"']) {
            assert.ok(!text.includes(stale), `${stale} must not be emitted`);
        }
    });

    it("knows which chart versions read secret: references", () => {
        assert.deepStrictEqual(["2.1.0", "2.20.9", "2.21.0", "2.29.0", "3.0.0"].map(k.supportsSecretReferences), [false, false, true, true, true]);
    });
});
