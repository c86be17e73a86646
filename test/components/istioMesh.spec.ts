import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { dependsOn, one, registered, resetRegistered, settle, testProvider } from "../mocks";
import { ExtAuthz } from "../../components/istioMesh";
import { DEFAULT_CHARTS } from "../../lib/charts";

const CHART = "kubernetes:helm.sh/v4:Chart";
const ZIPKIN = { provider: "zipkin", service: "jaeger-collector-clusterip.istio-system.svc.cluster.local", port: 9411 } as const;

describe("IstioMesh", () => {
    let m: typeof import("../../components/istioMesh");
    before(async () => {
        m = await import("../../components/istioMesh");
    });
    beforeEach(resetRegistered);

    it("installs base, istiod and gateway in that order, each with its pinned chart and release name", async () => {
        const provider = testProvider();
        new m.IstioMesh(
            "istio",
            {
                baseChart: DEFAULT_CHARTS.istioBase,
                istiodChart: DEFAULT_CHARTS.istiod,
                gatewayChart: DEFAULT_CHARTS.istioGateway,
                tracing: ZIPKIN,
            },
            { provider },
        );
        await settle();
        const base = one(CHART, "istio-base");
        const istiod = one(CHART, "istio-istiod");
        const gateway = one(CHART, "istio-gateway");
        assert.deepStrictEqual(
            [base, istiod, gateway].map((c) => [c.inputs.chart, c.inputs.version, c.inputs.name, c.inputs.namespace, c.inputs.repositoryOpts.repo]),
            [
                ["base", "1.30.3", "istio-base", "istio-system", "https://istio-release.storage.googleapis.com/charts"],
                ["istiod", "1.30.3", "istiod", "istio-system", "https://istio-release.storage.googleapis.com/charts"],
                ["gateway", "1.30.3", "istio-ingressgateway", "istio-system", "https://istio-release.storage.googleapis.com/charts"],
            ],
        );
        assert.ok(dependsOn(istiod, CHART, "istio-base"), "istiod must depend on base");
        assert.ok(dependsOn(gateway, CHART, "istio-istiod"), "gateway must depend on istiod");
        assert.ok(
            [base, istiod, gateway].every((c) => c.transforms === 1),
            "every Istio chart carries the webhook transform",
        );
        assert.deepStrictEqual(gateway.inputs.values, { service: { type: "ClusterIP" } });
        assert.strictEqual(base.inputs.skipAwait, false);
        assert.strictEqual(registered.filter((r) => r.type === CHART).length, 3);
    });

    it("emits the same mesh config for the 1.24 and 1.30 lines but the zipkin provider's default propagation (B3 with W3C from 1.28), without a defaultConfig.tracing block", async () => {
        const zipkin = {
            "1.24.2": { service: "jaeger-collector-clusterip.istio-system.svc.cluster.local", port: 9411 },
            "1.30.3": { service: "jaeger-collector-clusterip.istio-system.svc.cluster.local", port: 9411, traceContextOption: "USE_B3_WITH_W3C_PROPAGATION" },
        };
        for (const version of ["1.24.2", "1.30.3"] as const) {
            resetRegistered();
            new m.IstioMesh(
                `istio-${version}`,
                {
                    baseChart: { ...DEFAULT_CHARTS.istioBase, version },
                    istiodChart: { ...DEFAULT_CHARTS.istiod, version },
                    gatewayChart: { ...DEFAULT_CHARTS.istioGateway, version },
                    gatewayServiceType: "LoadBalancer",
                    tracing: ZIPKIN,
                    awaitReadiness: false,
                },
                { provider: testProvider() },
            );
            await settle();
            const istiod = one(CHART, `istio-${version}-istiod`);
            assert.strictEqual(istiod.inputs.version, version);
            assert.strictEqual(istiod.inputs.skipAwait, true);
            assert.deepStrictEqual(istiod.inputs.values, {
                global: { istioNamespace: "istio-system" },
                meshConfig: {
                    enableTracing: true,
                    defaultProviders: { metrics: ["prometheus"], tracing: ["jaeger"] },
                    extensionProviders: [
                        { name: "jaeger", zipkin: zipkin[version] },
                        {
                            name: "json-access-log",
                            envoyFileAccessLog: {
                                path: "/dev/stdout",
                                logFormat: {
                                    labels: {
                                        "@timestamp": "%START_TIME%",
                                        "trace.id": "%TRACE_ID%",
                                        "span.id": "%REQ(X-B3-SPANID)%",
                                        "http.request.method": "%REQ(:METHOD)%",
                                        "url.path": "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%",
                                        "http.response.status_code": "%RESPONSE_CODE%",
                                        "event.duration": "%DURATION%",
                                        "service.name": "%ENVIRONMENT(ISTIO_META_WORKLOAD_NAME)%",
                                        "upstream.cluster": "%UPSTREAM_CLUSTER%",
                                    },
                                },
                            },
                        },
                    ],
                },
            });
            assert.deepStrictEqual(one(CHART, `istio-${version}-gateway`).inputs.values, { service: { type: "LoadBalancer" } });
        }
    });

    it("pulls charts of an OCI repository by reference, and records a skipped schema check", async () => {
        const oci = "oci://registry.example.com/istio";
        const mesh = new m.IstioMesh(
            "istio-oci",
            {
                baseChart: { ...DEFAULT_CHARTS.istioBase, repo: oci },
                istiodChart: { ...DEFAULT_CHARTS.istiod, repo: oci },
                gatewayChart: { ...DEFAULT_CHARTS.istioGateway, repo: `${oci}/` },
                gatewayRendering: { note: "schema check skipped: not an HTTP chart repository" },
                tracing: ZIPKIN,
            },
            { provider: testProvider() },
        );
        await settle();
        const gateway = one(CHART, "istio-oci-gateway");
        assert.deepStrictEqual([gateway.inputs.chart, gateway.inputs.version, gateway.inputs.repositoryOpts], [`${oci}/gateway`, "1.30.3", undefined]);
        assert.deepStrictEqual(
            mesh.releases.map((r) => r.note),
            [undefined, undefined, "schema check skipped: not an HTTP chart repository"],
        );
    });

    it("renders the gateway from a local chart copy when one is given, and records why", async () => {
        const mesh = new m.IstioMesh(
            "istio-local",
            {
                baseChart: { ...DEFAULT_CHARTS.istioBase, version: "1.24.2" },
                istiodChart: { ...DEFAULT_CHARTS.istiod, version: "1.24.2" },
                gatewayChart: { ...DEFAULT_CHARTS.istioGateway, version: "1.24.2" },
                gatewayRendering: { localPath: "/tmp/charts/gateway", note: "schema removed" },
                tracing: ZIPKIN,
            },
            { provider: testProvider() },
        );
        await settle();
        const gateway = one(CHART, "istio-local-gateway");
        assert.strictEqual(gateway.inputs.chart, "/tmp/charts/gateway");
        assert.strictEqual(gateway.inputs.version, undefined);
        assert.strictEqual(gateway.inputs.repositoryOpts, undefined);
        assert.deepStrictEqual(
            mesh.releases.map((r) => [r.chart, r.version, r.note]),
            [
                ["base", "1.24.2", undefined],
                ["istiod", "1.24.2", undefined],
                ["gateway", "1.24.2", "schema removed"],
            ],
        );
    });

    it("makes the jaeger provider an opentelemetry provider on the collector's OTLP gRPC port, with only service and port", () => {
        const mesh = m.meshConfig({ provider: "opentelemetry", service: ZIPKIN.service, port: 4317 }, undefined) as { defaultProviders: unknown; extensionProviders: object[] };
        assert.deepStrictEqual(mesh.extensionProviders[0], { name: "jaeger", opentelemetry: { service: "jaeger-collector-clusterip.istio-system.svc.cluster.local", port: 4317 } });
        assert.deepStrictEqual(mesh.defaultProviders, { metrics: ["prometheus"], tracing: ["jaeger"] });
    });

    it("gives the zipkin provider traceContextOption USE_B3_WITH_W3C_PROPAGATION for b3+w3c only", () => {
        assert.deepStrictEqual(m.tracingExtensionProvider({ ...ZIPKIN, propagation: "b3+w3c" }), {
            name: "jaeger",
            zipkin: { service: "jaeger-collector-clusterip.istio-system.svc.cluster.local", port: 9411, traceContextOption: "USE_B3_WITH_W3C_PROPAGATION" },
        });
        for (const propagation of ["b3", undefined] as const) {
            assert.deepStrictEqual(m.tracingExtensionProvider({ ...ZIPKIN, propagation }), {
                name: "jaeger",
                zipkin: { service: "jaeger-collector-clusterip.istio-system.svc.cluster.local", port: 9411 },
            });
        }
    });

    it("renders the propagation in effect on each line and exposes what the proxies send", async () => {
        const cases = [
            ["1.30.3", ZIPKIN, { traceContextOption: "USE_B3_WITH_W3C_PROPAGATION" }, "b3+w3c", "b3+w3c"],
            ["1.30.3", { ...ZIPKIN, propagation: "b3" }, {}, "b3", "b3"],
            ["1.24.2", ZIPKIN, {}, "b3", "b3"],
            ["1.30.3", { ...ZIPKIN, provider: "opentelemetry", port: 4317 }, {}, undefined, "w3c"],
        ] as const;
        for (const [i, [version, tracing, option, propagation, context]] of cases.entries()) {
            resetRegistered();
            const mesh = new m.IstioMesh(
                `istio-p${i}`,
                {
                    baseChart: { ...DEFAULT_CHARTS.istioBase, version },
                    istiodChart: { ...DEFAULT_CHARTS.istiod, version },
                    gatewayChart: { ...DEFAULT_CHARTS.istioGateway, version },
                    tracing,
                },
                { provider: testProvider() },
            );
            await settle();
            const provider = one(CHART, `istio-p${i}-istiod`).inputs.values.meshConfig.extensionProviders[0];
            assert.deepStrictEqual(provider, { name: "jaeger", [tracing.provider]: { service: tracing.service, port: tracing.port, ...option } }, `case ${i}`);
            assert.deepStrictEqual([mesh.tracePropagation, mesh.traceContext], [propagation, context], `case ${i}`);
        }
    });

    it("refuses b3+w3c on Istio 1.24, naming the property, the value and the chart version, before registering any chart", async () => {
        resetRegistered();
        assert.throws(
            () =>
                new m.IstioMesh(
                    "istio-old",
                    {
                        baseChart: { ...DEFAULT_CHARTS.istioBase, version: "1.24.2" },
                        istiodChart: { ...DEFAULT_CHARTS.istiod, version: "1.24.2" },
                        gatewayChart: { ...DEFAULT_CHARTS.istioGateway, version: "1.24.2" },
                        tracing: { ...ZIPKIN, propagation: "b3+w3c" },
                    },
                    { provider: testProvider() },
                ),
            (e: unknown) =>
                e instanceof pulumi.InputPropertyError &&
                e.propertyPath === "tracing.propagation" &&
                e.reason ===
                    'IstioMesh: tracing.propagation: got "b3+w3c"; needs Istio 1.28 or later (istiodChart.version is 1.24.2): the zipkin provider\'s traceContextOption is new in Istio 1.28; use b3, or Istio 1.28 or later',
        );
        await settle();
        assert.deepStrictEqual(
            registered.filter((r) => r.type === CHART),
            [],
        );
    });

    it("models the gRPC ext-authz provider without any header list", () => {
        const grpc: ExtAuthz = { protocol: "grpc", service: "authz.auth.svc.cluster.local", port: 9000, timeout: "1s", failOpen: false };
        assert.deepStrictEqual(m.extAuthzProvider(grpc), { name: "ext-authz", envoyExtAuthzGrpc: { service: "authz.auth.svc.cluster.local", port: 9000, timeout: "1s" } });
    });

    it("models the HTTP ext-authz provider with includeRequestHeadersInCheck, never the deprecated includeHeadersInCheck", () => {
        const http: ExtAuthz = {
            protocol: "http",
            service: "authz.auth.svc.cluster.local",
            port: 8000,
            failOpen: true,
            includeRequestHeadersInCheck: ["authorization", "x-b3-traceid", "x-b3-spanid"],
            headersToUpstreamOnAllow: ["x-user-id"],
        };
        assert.deepStrictEqual(m.extAuthzProvider(http), {
            name: "ext-authz",
            envoyExtAuthzHttp: {
                service: "authz.auth.svc.cluster.local",
                port: 8000,
                failOpen: true,
                includeRequestHeadersInCheck: ["authorization", "x-b3-traceid", "x-b3-spanid"],
                headersToUpstreamOnAllow: ["x-user-id"],
            },
        });
        const mesh = m.meshConfig(ZIPKIN, http) as { extensionProviders: { name: string }[] };
        assert.deepStrictEqual(
            mesh.extensionProviders.map((p) => p.name),
            ["jaeger", "json-access-log", "ext-authz"],
        );
    });

    it("marks the webhook fields istiod rewrites as ignoreChanges and retains the CRDs", () => {
        const t = (type: string, opts: Record<string, unknown> = {}) => m.istioChildTransform({ type, name: "x", custom: true, props: { a: 1 }, opts });
        assert.deepStrictEqual(t("kubernetes:admissionregistration.k8s.io/v1:ValidatingWebhookConfiguration", { ignoreChanges: ["metadata.labels"] }), {
            props: { a: 1 },
            opts: { ignoreChanges: ["metadata.labels", "webhooks[*].failurePolicy", "webhooks[*].clientConfig.caBundle"] },
        });
        assert.deepStrictEqual(t("kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration")?.opts.ignoreChanges, ["webhooks[*].failurePolicy", "webhooks[*].clientConfig.caBundle"]);
        const crd = m.istioChildTransform({
            type: "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
            name: "x",
            custom: true,
            props: { metadata: { name: "telemetries.telemetry.istio.io" } },
            opts: {},
        });
        assert.deepStrictEqual(crd, { props: { metadata: { name: "telemetries.telemetry.istio.io", annotations: { "pulumi.com/patchForce": "true" } } }, opts: { retainOnDelete: true } });
        assert.strictEqual(t("kubernetes:core/v1:ConfigMap"), undefined);
    });
});
