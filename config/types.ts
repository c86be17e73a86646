/**
 * The settings types, all inferred from the schema (`schema.ts`): `StackConfig` is what
 * `parseStackConfig` returns, the others name its parts for the components that take them.
 */
import { z } from "zod";
import { image, resources } from "./jaegerSchema";
import { extAuthz, externalServices, stackConfig } from "./schema";

/** `T` with every property and list read-only, all the way down. */
type DeepReadonly<T> = T extends readonly (infer U)[] ? readonly DeepReadonly<U>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/** Everything the program needs, validated and with defaults applied. */
export type StackConfig = DeepReadonly<z.output<typeof stackConfig>>;

export type Environment = StackConfig["environment"];
export type GatewayServiceType = StackConfig["gatewayServiceType"];

export type ResourceRequirements = DeepReadonly<z.output<typeof resources>>;
/** CPU and memory quantities, Kubernetes syntax. */
export type ResourceQuantities = ResourceRequirements["requests"];
/** Trace storage with its defaults applied (memory: `maxTraces` sized to the memory limit). */
export type JaegerStorage = StackConfig["jaeger"]["storage"];
export type MemoryStorage = Extract<JaegerStorage, { type: "memory" }>;
export type ElasticsearchStorage = Extract<JaegerStorage, { type: "elasticsearch" }>;
/** Reference to a key of an existing Kubernetes Secret in the Jaeger namespace. */
export type SecretKeyRef = ElasticsearchStorage["passwordSecret"];
export type ImageOverride = DeepReadonly<z.output<typeof image>>;
export type JaegerSettings = StackConfig["jaeger"];

export type PrometheusSettings = StackConfig["prometheus"];

export type KialiSettings = StackConfig["kiali"];
/** Login strategies the program configures completely (openid needs client settings this program does not model). */
export type KialiAuthStrategy = KialiSettings["authStrategy"];

export type ExtAuthzSettings = DeepReadonly<z.output<typeof extAuthz>>;
export type ExternalServiceSettings = DeepReadonly<z.output<typeof externalServices>[number]>;

export type NetworkPolicySettings = StackConfig["networkPolicies"];
export type NetworkPolicyMode = NetworkPolicySettings["mode"];

export type UiSettings = StackConfig["ui"];
export type UiHost = NonNullable<UiSettings["kiali"]>;
