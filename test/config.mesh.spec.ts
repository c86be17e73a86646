/** The mesh settings: tracing, the gateway, ext-authz, external services, app namespaces and network policies. */
import * as assert from "assert";
import { parseStackConfig } from "../config";
import { DEV_MINIMAL, problems } from "./configParsing";
import { deepFreeze } from "./stackFiles";

describe("parseStackConfig", () => {
    it("takes the opentelemetry tracing provider, with the sampling percentage beside it", () => {
        const c = parseStackConfig(deepFreeze({ ...DEV_MINIMAL, tracing: { provider: "opentelemetry", samplingPercentage: 5 } }));
        assert.strictEqual(c.tracingProvider, "opentelemetry");
        assert.strictEqual(c.samplingPercentage, 5);
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, tracing: { provider: "otlp" } }), ['tracing.provider: got "otlp"; allowed: zipkin, opentelemetry']);
    });

    it("defaults the zipkin provider's propagation by the Istio line: B3 with W3C from Istio 1.28, B3 before; none for opentelemetry", () => {
        const ISTIO_1_24 = { istioBase: { version: "1.24.2" }, istiod: { version: "1.24.2" }, istioGateway: { version: "1.24.2" } };
        assert.strictEqual(parseStackConfig(deepFreeze({ ...DEV_MINIMAL })).tracePropagation, "b3+w3c");
        assert.strictEqual(parseStackConfig(deepFreeze({ ...DEV_MINIMAL, charts: ISTIO_1_24 })).tracePropagation, "b3");
        assert.strictEqual(parseStackConfig(deepFreeze({ ...DEV_MINIMAL, tracing: { propagation: "b3" } })).tracePropagation, "b3");
        assert.strictEqual(parseStackConfig(deepFreeze({ ...DEV_MINIMAL, charts: ISTIO_1_24, tracing: { propagation: "b3" } })).tracePropagation, "b3");
        assert.strictEqual(parseStackConfig(deepFreeze({ ...DEV_MINIMAL, tracing: { provider: "opentelemetry" } })).tracePropagation, undefined);
    });

    it("lists a propagation the Istio line or the provider cannot carry with the other problems, each naming key, value and what is allowed", () => {
        const ISTIO_1_24 = { istioBase: { version: "1.24.2" }, istiod: { version: "1.24.2" }, istioGateway: { version: "1.24.2" } };
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, charts: ISTIO_1_24, gateway: { serviceType: "ExternalName" }, tracing: { samplingPercentage: 150, propagation: "b3+w3c" } }), [
            'gateway.serviceType: got "ExternalName"; allowed: ClusterIP, NodePort, LoadBalancer',
            "tracing.samplingPercentage: got 150; expected a number from 0 to 100",
            'tracing.propagation: got "b3+w3c"; needs Istio 1.28 or later (charts.istiod.version is 1.24.2): the zipkin provider\'s traceContextOption is new in Istio 1.28; use b3, or Istio 1.28 or later',
        ]);
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, tracing: { provider: "opentelemetry", propagation: "b3" } }), [
            'tracing.propagation: got "b3"; only for the zipkin provider: the opentelemetry provider propagates W3C trace context (traceparent) only; remove it, or use provider zipkin',
        ]);
        // The rule reads only keys that parsed: a bad chart version is reported once, at its key.
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, charts: { ...ISTIO_1_24, istiod: { version: "1.24" } }, tracing: { propagation: "b3+w3c" } }), [
            'charts.istiod.version: got "1.24"; expected an exact chart version such as 1.30.3 (no range, no empty value)',
        ]);
    });

    it("rejects sampling outside 0-100", () => {
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, tracing: { samplingPercentage: 150 } }), ["tracing.samplingPercentage: got 150; expected a number from 0 to 100"]);
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, tracing: { samplingPercentage: -1 } }), ["tracing.samplingPercentage: got -1; expected a number from 0 to 100"]);
    });

    it("rejects an unknown gateway Service type and an unknown environment", () => {
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, gateway: { serviceType: "ExternalName" } }), ['gateway.serviceType: got "ExternalName"; allowed: ClusterIP, NodePort, LoadBalancer']);
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, environment: "staging" }).slice(0, 1), ['environment: got "staging"; allowed: dev, production']);
    });

    it("rejects a port outside 1-65535", () => {
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, externalServices: [{ name: "openai-external", hosts: ["api.openai.com"], port: 70000 }] }), [
            "externalServices[0].port: got 70000; expected an integer from 1 to 65535",
        ]);
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, extAuthz: { protocol: "grpc", service: "authz.auth.svc.cluster.local", port: 0 } }), [
            "extAuthz.port: got 0; expected an integer from 1 to 65535",
        ]);
    });

    it("rejects a gRPC ext-authz provider with a header list", () => {
        assert.deepStrictEqual(
            problems({
                ...DEV_MINIMAL,
                extAuthz: { protocol: "grpc", service: "authz.auth.svc.cluster.local", port: 9000, includeHeadersInCheck: ["authorization", "x-b3-traceid"] },
            }),
            ['extAuthz.includeHeadersInCheck: got ["authorization","x-b3-traceid"]; not a field of the gRPC ext-authz provider (gRPC ext_authz already sends every request header); remove it'],
        );
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, extAuthz: { protocol: "grpc", service: "authz.auth.svc.cluster.local", port: 9000, includeRequestHeadersInCheck: ["authorization"] } }), [
            'extAuthz.includeRequestHeadersInCheck: got ["authorization"]; not a field of the gRPC ext-authz provider (gRPC ext_authz already sends every request header); remove it or use protocol http',
        ]);
    });

    it("gives an HTTP ext-authz provider the B3 headers by default", () => {
        const c = parseStackConfig({ ...DEV_MINIMAL, extAuthz: { protocol: "http", service: "authz.auth.svc.cluster.local", port: 8000 } });
        assert.deepStrictEqual(c.extAuthz, {
            protocol: "http",
            service: "authz.auth.svc.cluster.local",
            port: 8000,
            timeout: undefined,
            failOpen: false,
            pathPrefix: undefined,
            includeRequestHeadersInCheck: ["authorization", "x-request-id", "x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid", "x-b3-sampled"],
            headersToUpstreamOnAllow: [],
        });
    });

    it("rejects a ServiceEntry without hosts", () => {
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, externalServices: [{ name: "openai-external", hosts: [] }] }), [
            "externalServices[0].hosts: got []; a ServiceEntry needs at least one host name",
        ]);
    });

    it("rejects an app namespace that is not a DNS label", () => {
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, appNamespaces: ["auth", "Chat_API"] }), [
            "appNamespaces[1]: got \"Chat_API\"; expected a DNS label (lower-case letters, digits and '-', at most 63 characters)",
        ]);
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, appNamespaces: ["istio-system"] }), ['appNamespaces[0]: got "istio-system"; system namespaces cannot be app namespaces']);
    });

    it("requires the baseline policy name in baseline mode", () => {
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, networkPolicies: { mode: "baseline" } }), [
            "networkPolicies.baselinePolicy: got nothing; required when mode is baseline: the name of the existing NetworkPolicy in every app namespace that allows DNS and istiod egress",
        ]);
    });
});
