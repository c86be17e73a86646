/**
 * The public API: every component, its argument types, and the helpers a program of yours needs. Each rule a
 * component enforces is also a pure `xxxProblems(args)` here, so a caller can check arguments before constructing.
 * The value builders (chart values, object specs, transforms) are `@internal`: their modules export them for the
 * unit tests, and they change with the charts.
 */
export { ObservabilityStack, anonymousSigningKey, chartsProblems, kialiDataPlaneProblems } from "./observabilityStack";
export type { ObservabilityStackArgs, StackChart } from "./observabilityStack";
export { DEFAULT_JAEGER_RESOURCES, Jaeger, jaegerPodSelector, jaegerProblems, resolveJaegerStorage } from "./jaeger";
export type { ImageOverride, JaegerArgs, JaegerStorage, MemoryStorage, ResourceQuantities, ResourceRequirements } from "./jaeger";
export { DEPENDENCIES_IMAGE, ELASTICSEARCH_DEFAULTS, resolveElasticsearchStorage } from "./jaegerElasticsearch";
export type { DependenciesJob, ElasticsearchStorage, ElasticsearchTls, IndexCleanerJob, RolloverJob, SecretKeyRef } from "./jaegerElasticsearch";
export { GATEWAY_SERVICE_TYPES, ISTIO_RELEASES, IstioMesh, dataPlaneProblems } from "./istioMesh";
export type { AdoptedCrd, ExtAuthz, GatewayServiceType, GrpcExtAuthz, HttpExtAuthz, IstioMeshArgs, MeshTracing } from "./istioMesh";
export { KIALI_AUTH_STRATEGIES, Kiali } from "./kiali";
export type { KialiArgs, KialiAuthStrategy } from "./kiali";
export { MeshTelemetry } from "./meshTelemetry";
export type { MeshTelemetryArgs } from "./meshTelemetry";
export { EXTERNAL_SERVICE_PORT, ExternalServices, externalServicesProblems } from "./externalServices";
export type { ExternalService, ExternalServicesArgs } from "./externalServices";
export { DEFAULT_DNS, NETWORK_POLICY_MODES, TracingNetworkPolicies, networkPolicyProblems } from "./tracingNetworkPolicies";
export type { NetworkPolicyMode, TracingNetworkPoliciesArgs } from "./tracingNetworkPolicies";
export { JaegerIngressPolicies } from "./jaegerIngressPolicies";
export type { JaegerIngressPoliciesArgs } from "./jaegerIngressPolicies";
export { PrometheusMonitors } from "./prometheusMonitors";
export type { PrometheusMonitorsArgs } from "./prometheusMonitors";
export { UiExposure } from "./uiExposure";
export type { UiExposureArgs } from "./uiExposure";
export { AMBIENT_NAMESPACE_LABELS, Waypoints } from "./waypoints";
export type { WaypointsArgs } from "./waypoints";
export { tracedContainer, tracedPod } from "./appWorkload";
export type { ChartRendering, HelmValues } from "./helm";
export type { ArgumentProblem } from "./options";
