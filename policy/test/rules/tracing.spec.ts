import * as assert from "assert";
import * as t from "../../rules/tracing";
import { appDeployment, accessLogEnvoyFilter, collectorService, headlessChartCollector, jaegerV1Deployment, meshConfig, meshConfigMap, telemetry } from "../fixtures";
import { Fixture, remediate, stackViolationsOf, violationsOf } from "../harness";

const ZIPKIN = (service: string, port = 9411) => meshConfig({ extensionProviders: [{ name: "jaeger", zipkin: { service, port } }] });

describe(t.ZIPKIN_TARGET, () => {
    it("passes the stack's collector ClusterIP Service selecting the Jaeger pod", async () => {
        assert.deepStrictEqual(await stackViolationsOf(t.zipkinTargetMustBeClusterIpService, [meshConfigMap(), collectorService(), jaegerV1Deployment()]), []);
    });

    it("denies a zipkin target that is not a Service of the stack", async () => {
        assert.deepStrictEqual(
            await stackViolationsOf(t.zipkinTargetMustBeClusterIpService, [meshConfigMap(ZIPKIN("zipkin.istio-system.svc.cluster.local")), collectorService(), jaegerV1Deployment()]),
            ["Zipkin provider jaeger must target a Service defined in the stack; zipkin.istio-system.svc.cluster.local is not one (expected jaeger-collector-clusterip in the Jaeger namespace)."],
        );
    });

    it("denies the chart's headless collector Service", async () => {
        assert.deepStrictEqual(
            await stackViolationsOf(t.zipkinTargetMustBeClusterIpService, [meshConfigMap(ZIPKIN("jaeger-collector.istio-system.svc.cluster.local")), headlessChartCollector(), jaegerV1Deployment()]),
            [
                "Service istio-system/jaeger-collector must not be headless (clusterIP: None) to be the target of zipkin provider jaeger; expected a ClusterIP Service such as jaeger-collector-clusterip.",
            ],
        );
    });

    it("denies a Service without the zipkin port", async () => {
        assert.deepStrictEqual(
            await stackViolationsOf(t.zipkinTargetMustBeClusterIpService, [
                meshConfigMap(ZIPKIN("jaeger-collector-clusterip.istio-system.svc.cluster.local", 9412)),
                collectorService(),
                jaegerV1Deployment(),
            ]),
            ["Service istio-system/jaeger-collector-clusterip must expose port 9412 for zipkin provider jaeger."],
        );
    });

    it("denies a Service whose selector matches no pods of the stack", async () => {
        const svc = collectorService({ selector: { app: "jaeger" } });
        assert.deepStrictEqual(await stackViolationsOf(t.zipkinTargetMustBeClusterIpService, [meshConfigMap(), svc, jaegerV1Deployment()]), [
            'Service istio-system/jaeger-collector-clusterip must select the pods of a workload in the stack for zipkin provider jaeger; its selector {"app":"jaeger"} matches none.',
        ]);
    });
});

describe(t.NO_LEGACY_TRACING, () => {
    it("passes a mesh config without defaultConfig.tracing", async () => {
        assert.deepStrictEqual(await violationsOf(t.meshConfigMustNotUseDeprecatedTracing, meshConfigMap()), []);
    });

    it("denies the reference's defaultConfig.tracing block", async () => {
        const mesh = meshConfig({ defaultConfig: { tracing: { sampling: 100, zipkin: { address: "jaeger-collector-clusterip.istio-system.svc.cluster.local:9411" } } } });
        assert.deepStrictEqual(await violationsOf(t.meshConfigMustNotUseDeprecatedTracing, meshConfigMap(mesh)), [
            "Mesh config istio-system/istio must not set defaultConfig.tracing (deprecated; Istio >= 1.22 ignores it for the Telemetry API); expected no defaultConfig.tracing block.",
        ]);
    });
});

describe(t.ACCESS_LOG_TRACE_ID, () => {
    it("passes the JSON access-log provider with %TRACE_ID% and an EnvoyFilter using it", async () => {
        assert.deepStrictEqual(await violationsOf(t.accessLogMustUseTraceId, meshConfigMap()), []);
        assert.deepStrictEqual(await violationsOf(t.accessLogMustUseTraceId, accessLogEnvoyFilter("%TRACE_ID%")), []);
    });

    it("denies the reference's EnvoyFilter that logs %REQ(X-B3-TRACEID)%", async () => {
        assert.deepStrictEqual(await violationsOf(t.accessLogMustUseTraceId, accessLogEnvoyFilter("%REQ(X-B3-TRACEID)%")), [
            "EnvoyFilter istio-system/access-log-json must log the trace id with %TRACE_ID%, not %REQ(X-B3-TRACEID)% (empty when the client sent no B3 header).",
        ]);
    });

    it("denies an access-log provider whose format has no trace id", async () => {
        const mesh = meshConfig({ extensionProviders: [{ name: "json-access-log", envoyFileAccessLog: { path: "/dev/stdout", logFormat: { labels: { "url.path": "%REQ(:PATH)%" } } } }] });
        assert.deepStrictEqual(await violationsOf(t.accessLogMustUseTraceId, meshConfigMap(mesh)), ["Access-log provider json-access-log must carry the trace id; expected a field with %TRACE_ID%."]);
    });

    it("denies %REQ(X-B3-TRACEID)% in the mesh accessLogFormat", async () => {
        const mesh = meshConfig({ accessLogFormat: '{"trace.id":"%REQ(X-B3-TRACEID)%"}' });
        assert.deepStrictEqual(await violationsOf(t.accessLogMustUseTraceId, meshConfigMap(mesh)), [
            "MeshConfig.accessLogFormat must log the trace id with %TRACE_ID%, not %REQ(X-B3-TRACEID)% (empty when the client sent no B3 header).",
        ]);
    });

    it("remediates by rewriting the operator to %TRACE_ID%", async () => {
        const fixed = await remediate(t.accessLogMustUseTraceId, accessLogEnvoyFilter("%REQ(X-B3-TRACEID)%"));
        assert.ok(fixed !== undefined);
        assert.deepStrictEqual(await violationsOf(t.accessLogMustUseTraceId, { type: accessLogEnvoyFilter("").type, props: fixed }), []);
        assert.strictEqual(await remediate(t.accessLogMustUseTraceId, accessLogEnvoyFilter("%TRACE_ID%")), undefined);
    });
});

describe(t.EXT_AUTHZ_B3, () => {
    const withProvider = (p: object) => meshConfigMap(meshConfig({ extensionProviders: [{ name: "ext-authz", ...p }] }));

    it("passes a gRPC provider without a list and an HTTP provider forwarding the B3 ids", async () => {
        assert.deepStrictEqual(await violationsOf(t.extAuthzMustForwardB3Headers, meshConfigMap()), []);
        assert.deepStrictEqual(
            await violationsOf(
                t.extAuthzMustForwardB3Headers,
                withProvider({ envoyExtAuthzHttp: { service: "a", port: 80, includeRequestHeadersInCheck: ["authorization", "x-b3-traceid", "x-b3-spanid"] } }),
            ),
            [],
        );
    });

    it("denies an HTTP provider that does not forward x-b3-spanid", async () => {
        assert.deepStrictEqual(
            await violationsOf(t.extAuthzMustForwardB3Headers, withProvider({ envoyExtAuthzHttp: { service: "a", port: 80, includeRequestHeadersInCheck: ["authorization", "x-b3-traceid"] } })),
            ["HTTP ext-authz provider ext-authz must forward x-b3-traceid and x-b3-spanid in includeRequestHeadersInCheck; missing: x-b3-spanid."],
        );
    });

    it("denies the reference's gRPC provider with includeHeadersInCheck", async () => {
        assert.deepStrictEqual(
            await violationsOf(
                t.extAuthzMustForwardB3Headers,
                withProvider({ envoyExtAuthzGrpc: { service: "a", port: 9000, includeHeadersInCheck: ["authorization", "x-request-id", "x-b3-traceid", "x-b3-spanid"] } }),
            ),
            ["gRPC ext-authz provider ext-authz must not set includeHeadersInCheck (not a field of the gRPC provider; gRPC ext_authz sends every request header); expected no header list."],
        );
    });
});

describe(t.SAMPLING_CEILING, () => {
    it("passes sampling at the default ceiling of 10", async () => {
        assert.deepStrictEqual(await violationsOf(t.telemetrySamplingMustNotExceedCeiling, telemetry(10)), []);
    });

    it("denies 100% sampling under the default ceiling, naming the ceiling", async () => {
        assert.deepStrictEqual(await violationsOf(t.telemetrySamplingMustNotExceedCeiling, telemetry(100)), [
            "Telemetry istio-system/global-sampling must sample at most 10% of requests; randomSamplingPercentage is 100.",
        ]);
    });

    it("allows 100% where the stack's policy config raises the ceiling", async () => {
        assert.deepStrictEqual(await violationsOf(t.telemetrySamplingMustNotExceedCeiling, telemetry(100), { maxSamplingPercentage: 100 }), []);
        assert.deepStrictEqual(await violationsOf(t.telemetrySamplingMustNotExceedCeiling, telemetry(5), { maxSamplingPercentage: 1 }), [
            "Telemetry istio-system/global-sampling must sample at most 1% of requests; randomSamplingPercentage is 5.",
        ]);
    });
});

describe(t.OTEL_PROPAGATION, () => {
    const endpoint = "http://jaeger-collector-clusterip.istio-system.svc.cluster.local:4317";
    const OTEL = meshConfig({ extensionProviders: [{ name: "jaeger", opentelemetry: { service: "jaeger-collector-clusterip.istio-system.svc.cluster.local", port: 4317 } }] });
    const check = (mesh: Fixture[], env: Record<string, string>) => stackViolationsOf(t.otlpExportersMustPropagateMeshTraceContext, [...mesh, appDeployment(env)]);

    it("passes an app with the stack's propagators for each provider", async () => {
        assert.deepStrictEqual(await check([meshConfigMap()], { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_PROPAGATORS: "b3,tracecontext,baggage" }), []);
        assert.deepStrictEqual(await check([meshConfigMap()], { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_PROPAGATORS: "b3multi" }), []);
        assert.deepStrictEqual(await check([meshConfigMap(OTEL)], { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_PROPAGATORS: "tracecontext,baggage" }), []);
    });

    it("denies an app exporting to the collector with W3C propagation only when the mesh traces with zipkin", async () => {
        assert.deepStrictEqual(await check([meshConfigMap()], { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_PROPAGATORS: "tracecontext,baggage" }), [
            "Container app of auth/auth-api must list b3 or b3multi in OTEL_PROPAGATORS to join the mesh's traces (zipkin provider jaeger sends B3 headers); it has tracecontext,baggage, expected b3,tracecontext,baggage.",
        ]);
    });

    it("denies an app with B3 only when the mesh traces with opentelemetry", async () => {
        assert.deepStrictEqual(await check([meshConfigMap(OTEL)], { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_PROPAGATORS: "b3,baggage" }), [
            "Container app of auth/auth-api must list tracecontext in OTEL_PROPAGATORS to join the mesh's traces (opentelemetry provider jaeger sends W3C traceparent); it has b3,baggage, expected tracecontext,baggage.",
        ]);
    });

    it("reads the provider a Telemetry selects when the mesh config names no default", async () => {
        const mesh = meshConfigMap(meshConfig({ defaultProviders: { metrics: ["prometheus"] }, extensionProviders: [...(OTEL.extensionProviders as object[])] }));
        assert.deepStrictEqual(await check([mesh, telemetry(10)], { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_PROPAGATORS: "b3" }), [
            "Container app of auth/auth-api must list tracecontext in OTEL_PROPAGATORS to join the mesh's traces (opentelemetry provider jaeger sends W3C traceparent); it has b3, expected tracecontext,baggage.",
        ]);
    });

    it("denies an app that leaves OTEL_PROPAGATORS at the SDK default, and requires B3 when the stack has no mesh config", async () => {
        assert.deepStrictEqual(await check([meshConfigMap()], { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }), [
            "Container app of auth/auth-api must list b3 or b3multi in OTEL_PROPAGATORS to join the mesh's traces (zipkin provider jaeger sends B3 headers); it has tracecontext,baggage, expected b3,tracecontext,baggage.",
        ]);
        assert.deepStrictEqual(await check([], { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_PROPAGATORS: "tracecontext" }), [
            "Container app of auth/auth-api must list b3 or b3multi in OTEL_PROPAGATORS to join the mesh's traces (the default zipkin provider sends B3 headers); it has tracecontext, expected b3,tracecontext,baggage.",
        ]);
    });

    it("ignores workloads that export elsewhere", async () => {
        assert.deepStrictEqual(await check([meshConfigMap()], { OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector:4317" }), []);
    });

    describe("with a zipkin provider that propagates B3 and W3C (traceContextOption USE_B3_WITH_W3C_PROPAGATION)", () => {
        const zipkin = { service: "jaeger-collector-clusterip.istio-system.svc.cluster.local", port: 9411 };
        const withOption = (option: Record<string, unknown>) => meshConfig({ extensionProviders: [{ name: "jaeger", zipkin: { ...zipkin, ...option } }] });
        const DUAL = withOption({ traceContextOption: "USE_B3_WITH_W3C_PROPAGATION" });

        it("passes an app propagating either format, W3C alone included, and the SDK default", async () => {
            for (const propagators of ["tracecontext,baggage", "tracecontext", "b3multi", "b3,tracecontext,baggage"]) {
                assert.deepStrictEqual(await check([meshConfigMap(DUAL)], { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_PROPAGATORS: propagators }), [], propagators);
            }
            assert.deepStrictEqual(await check([meshConfigMap(DUAL)], { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }), []);
        });

        it("reads the option as istiod decodes it: the proto field name and the enum number too", async () => {
            for (const option of [{ trace_context_option: "USE_B3_WITH_W3C_PROPAGATION" }, { traceContextOption: 1 }]) {
                assert.deepStrictEqual(await check([meshConfigMap(withOption(option))], { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_PROPAGATORS: "tracecontext" }), [], JSON.stringify(option));
            }
        });

        it("denies an app that reads neither format, expecting W3C trace context", async () => {
            assert.deepStrictEqual(await check([meshConfigMap(DUAL)], { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_PROPAGATORS: "jaeger,baggage" }), [
                "Container app of auth/auth-api must list b3, b3multi or tracecontext in OTEL_PROPAGATORS to join the mesh's traces (zipkin provider jaeger sends B3 headers and W3C traceparent); it has jaeger,baggage, expected tracecontext,baggage.",
            ]);
        });

        it("keeps denying W3C alone when the option says USE_B3, is unknown, or the istiod chart predates Istio 1.28", async () => {
            for (const mesh of [withOption({ traceContextOption: "USE_B3" }), withOption({ traceContextOption: 0 }), withOption({ traceContextOption: "USE_W3C" })]) {
                assert.deepStrictEqual(await check([meshConfigMap(mesh)], { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_PROPAGATORS: "tracecontext,baggage" }), [
                    "Container app of auth/auth-api must list b3 or b3multi in OTEL_PROPAGATORS to join the mesh's traces (zipkin provider jaeger sends B3 headers); it has tracecontext,baggage, expected b3,tracecontext,baggage.",
                ]);
            }
            assert.deepStrictEqual(await check([meshConfigMap(DUAL, "1.24.2")], { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_PROPAGATORS: "tracecontext,baggage" }), [
                "Container app of auth/auth-api must list b3 or b3multi in OTEL_PROPAGATORS to join the mesh's traces (zipkin provider jaeger sends B3 headers: its traceContextOption USE_B3_WITH_W3C_PROPAGATION needs Istio 1.28 or later, and the istiod chart is 1.24.2); it has tracecontext,baggage, expected b3,tracecontext,baggage.",
            ]);
            assert.deepStrictEqual(await check([meshConfigMap(DUAL, "1.28.0")], { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_PROPAGATORS: "tracecontext,baggage" }), []);
        });
    });
});
