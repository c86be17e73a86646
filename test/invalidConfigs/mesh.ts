/** Invalid configs: the mesh's gateway, tracing and ext-authz provider (`gateway`, `tracing`, `extAuthz`). */
import { Case, DEV } from "./shared";

const GRPC = { protocol: "grpc", service: "authz.auth.svc.cluster.local", port: 9000 };
const HTTP = { protocol: "http", service: "authz.auth.svc.cluster.local", port: 8000 };
const ISTIO_1_24 = { istioBase: { version: "1.24.2" }, istiod: { version: "1.24.2" }, istioGateway: { version: "1.24.2" } };
const NEEDS_1_28 = "needs Istio 1.28 or later (charts.istiod.version is 1.24.2): the zipkin provider's traceContextOption is new in Istio 1.28; use b3, or Istio 1.28 or later";
const OTEL_ONLY = "only for the zipkin provider: the opentelemetry provider propagates W3C trace context (traceparent) only; remove it, or use provider zipkin";
const GRPC_FIELD = "not a field of the gRPC ext-authz provider (gRPC ext_authz already sends every request header); remove it or use protocol http";

const AMBIENT = { mesh: { dataPlane: "ambient" } };

export const MESH_CASES: readonly Case[] = [
    // data plane
    { mistake: "an unknown data plane", raw: { ...DEV, mesh: { dataPlane: "ztunnel" } }, first: 'mesh.dataPlane: got "ztunnel"; allowed: sidecar, ambient' },
    { mistake: "an unknown mesh key", raw: { ...DEV, mesh: { ambient: true } }, first: "mesh.ambient: got true; unknown key; allowed keys of mesh: dataPlane" },
    {
        mistake: "ambient on Istio 1.24",
        raw: { ...DEV, ...AMBIENT, charts: ISTIO_1_24 },
        first: 'mesh.dataPlane: got "ambient"; needs Istio 1.30 or later (charts.istiod.version is 1.24.2): the stack installs and proves ambient mode on the 1.30 line; use sidecar, or Istio 1.30 or later',
    },
    {
        mistake: "an ambient cni chart of another Istio version",
        raw: { ...DEV, ...AMBIENT, charts: { istioCni: { version: "1.29.1" } } },
        first: "charts.istioCni.version: got \"1.29.1\"; must be istiod's version (charts.istiod.version is 1.30.3): ambient mode's charts are one Istio release",
    },
    {
        mistake: "an ambient ztunnel chart of another Istio version",
        raw: { ...DEV, ...AMBIENT, charts: { ztunnel: { version: "1.30.2" } } },
        first: "charts.ztunnel.version: got \"1.30.2\"; must be istiod's version (charts.istiod.version is 1.30.3): ambient mode's charts are one Istio release",
    },
    {
        mistake: "ambient with a Kiali that cannot read waypoint spans",
        raw: { ...DEV, ...AMBIENT, charts: { kiali: { version: "2.1.0" } } },
        first: "charts.kiali.version: got \"2.1.0\"; must be 2.22 or later with mesh.dataPlane ambient: older Kiali looks for a workload's proxy spans under the app's name, and in ambient mode only its waypoint emits them (external_services.tracing.use_waypoint_name, Kiali 2.22)",
    },
    // gateway and tracing
    { mistake: "an ExternalName gateway", raw: { ...DEV, gateway: { serviceType: "ExternalName" } }, first: 'gateway.serviceType: got "ExternalName"; allowed: ClusterIP, NodePort, LoadBalancer' },
    { mistake: "an unknown gateway key", raw: { ...DEV, gateway: { type: "NodePort" } }, first: 'gateway.type: got "NodePort"; unknown key; allowed keys of gateway: serviceType' },
    { mistake: "a string for gateway", raw: { ...DEV, gateway: "LoadBalancer" }, first: 'gateway: got "LoadBalancer"; expected an object' },
    { mistake: "sampling above 100", raw: { ...DEV, tracing: { samplingPercentage: 150 } }, first: "tracing.samplingPercentage: got 150; expected a number from 0 to 100" },
    { mistake: "sampling as a word", raw: { ...DEV, tracing: { samplingPercentage: "all" } }, first: 'tracing.samplingPercentage: got "all"; expected a number from 0 to 100' },
    { mistake: "null sampling", raw: { ...DEV, tracing: { samplingPercentage: null } }, first: "tracing.samplingPercentage: got null; expected a number from 0 to 100" },
    { mistake: "an unknown tracing key", raw: { ...DEV, tracing: { sampling: 5 } }, first: "tracing.sampling: got 5; unknown key; allowed keys of tracing: samplingPercentage, provider, propagation" },
    { mistake: "an unknown tracing provider", raw: { ...DEV, tracing: { provider: "jaeger" } }, first: 'tracing.provider: got "jaeger"; allowed: zipkin, opentelemetry' },
    {
        mistake: "the provider's Envoy name",
        raw: { ...DEV, tracing: { provider: "envoy.tracers.opentelemetry" } },
        first: 'tracing.provider: got "envoy.tracers.opentelemetry"; allowed: zipkin, opentelemetry',
    },
    { mistake: "null tracing provider", raw: { ...DEV, tracing: { provider: null } }, first: "tracing.provider: got null; allowed: zipkin, opentelemetry" },
    { mistake: "an unknown propagation", raw: { ...DEV, tracing: { propagation: "w3c" } }, first: 'tracing.propagation: got "w3c"; allowed: b3, b3+w3c' },
    { mistake: "propagation as a list", raw: { ...DEV, tracing: { propagation: ["b3", "w3c"] } }, first: 'tracing.propagation: got ["b3","w3c"]; allowed: b3, b3+w3c' },
    {
        mistake: "B3 with W3C on Istio 1.24",
        raw: { ...DEV, charts: ISTIO_1_24, tracing: { propagation: "b3+w3c" } },
        first: `tracing.propagation: got "b3+w3c"; ${NEEDS_1_28}`,
    },
    {
        mistake: "a propagation with the opentelemetry provider",
        raw: { ...DEV, tracing: { provider: "opentelemetry", propagation: "b3+w3c" } },
        first: `tracing.propagation: got "b3+w3c"; ${OTEL_ONLY}`,
    },
    // ext-authz
    { mistake: "an unknown ext-authz protocol", raw: { ...DEV, extAuthz: { ...GRPC, protocol: "tcp" } }, first: 'extAuthz.protocol: got "tcp"; allowed: grpc, http' },
    { mistake: "an ext-authz provider without service", raw: { ...DEV, extAuthz: { port: 9000 } }, first: 'extAuthz.service: got ""; expected a non-empty string' },
    {
        mistake: "an ext-authz service that is not a host name",
        raw: { ...DEV, extAuthz: { ...GRPC, service: "Auth_Service" } },
        first: 'extAuthz.service: got "Auth_Service"; required: the authorization service host, e.g. ext-authz.auth.svc.cluster.local',
    },
    { mistake: "an ext-authz provider without port", raw: { ...DEV, extAuthz: { service: "authz.auth.svc.cluster.local" } }, first: "extAuthz.port: got nothing; required: a port from 1 to 65535" },
    { mistake: "port 0", raw: { ...DEV, extAuthz: { ...GRPC, port: 0 } }, first: "extAuthz.port: got 0; expected an integer from 1 to 65535" },
    { mistake: "a fractional port", raw: { ...DEV, extAuthz: { ...GRPC, port: 80.5 } }, first: "extAuthz.port: got 80.5; expected an integer from 1 to 65535" },
    { mistake: "a duration in words", raw: { ...DEV, extAuthz: { ...GRPC, timeout: "2 seconds" } }, first: 'extAuthz.timeout: got "2 seconds"; expected a duration such as 500ms or 2s' },
    { mistake: "a word for failOpen", raw: { ...DEV, extAuthz: { ...GRPC, failOpen: "sometimes" } }, first: 'extAuthz.failOpen: got "sometimes"; expected true or false' },
    {
        mistake: "a header list on the gRPC provider",
        raw: { ...DEV, extAuthz: { ...GRPC, includeHeadersInCheck: ["authorization"] } },
        first: 'extAuthz.includeHeadersInCheck: got ["authorization"]; not a field of the gRPC ext-authz provider (gRPC ext_authz already sends every request header); remove it',
    },
    { mistake: "a path prefix on the gRPC provider", raw: { ...DEV, extAuthz: { ...GRPC, pathPrefix: "/authz" } }, first: `extAuthz.pathPrefix: got "/authz"; ${GRPC_FIELD}` },
    {
        mistake: "upstream headers on the gRPC provider",
        raw: { ...DEV, extAuthz: { ...GRPC, headersToUpstreamOnAllow: ["x-user-id"] } },
        first: `extAuthz.headersToUpstreamOnAllow: got ["x-user-id"]; ${GRPC_FIELD}`,
    },
    {
        mistake: "the deprecated header list on the HTTP provider",
        raw: { ...DEV, extAuthz: { ...HTTP, includeHeadersInCheck: ["authorization"] } },
        first: 'extAuthz.includeHeadersInCheck: got ["authorization"]; deprecated in Istio\'s MeshConfig; use includeRequestHeadersInCheck',
    },
    {
        mistake: "an upper-case header name",
        raw: { ...DEV, extAuthz: { ...HTTP, includeRequestHeadersInCheck: ["authorization", "X-B3-TraceId"] } },
        first: 'extAuthz.includeRequestHeadersInCheck[1]: got "X-B3-TraceId"; expected a lower-case HTTP header name',
    },
    {
        mistake: "a null header name",
        raw: { ...DEV, extAuthz: { ...HTTP, includeRequestHeadersInCheck: [null] } },
        first: "extAuthz.includeRequestHeadersInCheck[0]: got null; expected a non-empty string",
    },
    {
        mistake: "a header string instead of a list",
        raw: { ...DEV, extAuthz: { ...HTTP, headersToUpstreamOnAllow: "x-user-id" } },
        first: 'extAuthz.headersToUpstreamOnAllow: got "x-user-id"; expected a list',
    },
    { mistake: "an empty path prefix", raw: { ...DEV, extAuthz: { ...HTTP, pathPrefix: "" } }, first: 'extAuthz.pathPrefix: got ""; expected a non-empty string' },
    {
        mistake: "an unknown ext-authz key",
        raw: { ...DEV, extAuthz: { ...GRPC, retries: 3 } },
        first: "extAuthz.retries: got 3; unknown key; allowed keys of extAuthz: protocol, service, port, timeout, failOpen, pathPrefix, includeRequestHeadersInCheck, headersToUpstreamOnAllow, includeHeadersInCheck",
    },
];
