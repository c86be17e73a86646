/** The committed stack files and the documented defaults, as parseStackConfig reads them. */
import * as assert from "assert";
import { DEFAULT_JAEGER_RESOURCES } from "../components/jaeger";
import { parseStackConfig } from "../config";
import { DEFAULT_CHARTS } from "../lib/charts";
import { DEV_MINIMAL, problems } from "./configParsing";
import { deepFreeze, stackRawConfig } from "./stackFiles";

describe("parseStackConfig", () => {
    it("applies the documented defaults to a minimal dev config", () => {
        const c = parseStackConfig(deepFreeze({ ...DEV_MINIMAL }));
        assert.deepStrictEqual(c.charts, DEFAULT_CHARTS);
        assert.strictEqual(c.samplingPercentage, 100);
        assert.strictEqual(c.tracingProvider, "zipkin");
        assert.strictEqual(c.tracePropagation, "b3+w3c");
        assert.strictEqual(c.gatewayServiceType, "ClusterIP");
        assert.strictEqual(c.awaitReadiness, true);
        assert.deepStrictEqual(c.jaeger, {
            storage: { type: "memory", maxTraces: 21504 },
            replicas: 1,
            resources: DEFAULT_JAEGER_RESOURCES,
            image: { registry: undefined, repository: undefined, tag: undefined },
        });
        assert.deepStrictEqual(c.prometheus, { operator: false, monitorLabels: {} });
        assert.strictEqual(c.kiali.tracingUseGrpc, true);
        assert.strictEqual(c.kiali.prometheusUrl, "http://prometheus-operated.prometheus.svc.cluster.local:9090");
        assert.deepStrictEqual(c.networkPolicies, { mode: "complete", baselinePolicy: undefined, dnsNamespace: "kube-system", dnsPodLabels: { "k8s-app": "kube-dns" } });
        assert.strictEqual(c.extAuthz, undefined);
        assert.deepStrictEqual(c.appNamespaces, []);
    });

    it("accepts the dev stack file with the reference versions", () => {
        const c = parseStackConfig(deepFreeze(stackRawConfig("dev")));
        assert.deepStrictEqual(Object.fromEntries(Object.entries(c.charts).map(([k, v]) => [k, v.version])), {
            istioBase: "1.24.2",
            istiod: "1.24.2",
            istioGateway: "1.24.2",
            // The ambient charts' defaults: a sidecar stack installs neither.
            istioCni: "1.30.3",
            ztunnel: "1.30.3",
            jaeger: "3.4.1",
            kiali: "2.1.0",
        });
        assert.strictEqual(c.kiali.authStrategy, "anonymous");
        assert.strictEqual(c.tracePropagation, "b3", "Istio 1.24: B3 only");
        assert.deepStrictEqual(c.appNamespaces, ["auth", "character", "chat", "scan", "location", "image"]);
        assert.deepStrictEqual(c.extAuthz, { protocol: "grpc", service: "ext-authz.auth.svc.cluster.local", port: 9000, timeout: undefined, failOpen: false });
        assert.deepStrictEqual(
            c.externalServices.map((s) => [s.name, s.hosts.length, s.port]),
            [
                ["google-oauth", 3, 443],
                ["kakao-oauth", 2, 443],
                ["openai-external", 1, 443],
            ],
        );
    });

    it("accepts the production stack file once the signing key is set, and asks for it before", () => {
        const raw = stackRawConfig("production");
        assert.deepStrictEqual(problems(raw), [
            "kiali.signingKey: got nothing; required for auth strategies other than anonymous: set it with `pulumi config set --secret kiali.signingKey <16, 24 or 32 characters>`",
        ]);
        const c = parseStackConfig({ ...raw, kiali: { ...(raw.kiali as object), signingKey: "0123456789abcdef0123456789abcdef" } });
        assert.strictEqual(c.environment, "production");
        assert.strictEqual(c.samplingPercentage, 1);
        assert.deepStrictEqual(raw.tracing, { samplingPercentage: 1, propagation: "b3+w3c" }, "set explicitly in the file");
        assert.strictEqual(c.tracePropagation, "b3+w3c");
        assert.strictEqual(c.jaeger.storage.type, "elasticsearch");
        assert.strictEqual(c.charts.jaeger.version, "4.11.1");
    });

    it("gives the production stack file's Elasticsearch the dependencies job, the index cleaner and the CA, and the operator's monitors", () => {
        const raw = stackRawConfig("production");
        const c = parseStackConfig({ ...raw, kiali: { ...(raw.kiali as object), signingKey: "0123456789abcdef0123456789abcdef" } });
        assert.ok(c.jaeger.storage.type === "elasticsearch");
        assert.deepStrictEqual(c.jaeger.storage.dependencies, { enabled: true, schedule: "49 23 * * *", image: { registry: undefined, repository: undefined, tag: undefined } });
        assert.deepStrictEqual(c.jaeger.storage.indexCleaner, { enabled: true, retentionDays: 7, schedule: "55 23 * * *" });
        assert.deepStrictEqual(c.jaeger.storage.rollover, { enabled: false, schedule: "10 0 * * *", maxAge: "1d" });
        assert.deepStrictEqual(c.jaeger.storage.tls, { caSecret: { name: "elasticsearch-ca", key: "ca.crt" }, insecureSkipVerify: false });
        assert.deepStrictEqual(c.prometheus, { operator: true, monitorLabels: {} });
        assert.strictEqual(c.kiali.grafanaExternalUrl, "https://grafana.example.com");
    });

    it("accepts the dev stack file's Grafana and Jaeger browser URLs and the operator's monitors", () => {
        const c = parseStackConfig(deepFreeze(stackRawConfig("dev")));
        assert.deepStrictEqual([c.kiali.grafanaExternalUrl, c.kiali.tracingExternalUrl], ["https://grafana.dev.growbin.app", "https://jaeger.dev.growbin.app"]);
        assert.strictEqual(c.prometheus.operator, true);
        assert.deepStrictEqual(c.jaeger.storage, { type: "memory", maxTraces: 10752 });
    });

    it("accepts the local stack file: mirror repos, current versions, nothing awaited", () => {
        const c = parseStackConfig(deepFreeze(stackRawConfig("local")));
        assert.strictEqual(c.awaitReadiness, false);
        assert.deepStrictEqual(
            Object.values(c.charts).map((s) => `${s.repo} ${s.chart}@${s.version}`),
            [
                "http://127.0.0.1:8879 base@1.30.3",
                "http://127.0.0.1:8879 istiod@1.30.3",
                "http://127.0.0.1:8879 gateway@1.30.3",
                "http://127.0.0.1:8879 cni@1.30.3",
                "http://127.0.0.1:8879 ztunnel@1.30.3",
                "http://127.0.0.1:8879 jaeger@4.11.1",
                "http://127.0.0.1:8879 kiali-server@2.29.0",
            ],
        );
        assert.strictEqual(c.gatewayServiceType, "ClusterIP");
        assert.strictEqual(c.tracePropagation, "b3+w3c", "the default on Istio 1.30");
    });
});
