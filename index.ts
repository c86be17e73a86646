/**
 * observability-stack: Istio, Jaeger and Kiali as one distributed-tracing stack.
 * Configuration is read here, once, validated by `config.ts` before any resource is registered,
 * and handed down as typed settings.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, RawConfig, parseStackConfig } from "./config";
import { ObservabilityStack } from "./components";

/** Every `observability-stack:*` key of the stack, objects and booleans parsed from their JSON text. */
function readRawConfig(): RawConfig {
    const prefix = `${CONFIG_NAMESPACE}:`;
    const raw: Record<string, unknown> = {};
    for (const [key, text] of Object.entries(pulumi.runtime.allConfig())) {
        if (!key.startsWith(prefix)) {
            continue;
        }
        try {
            raw[key.slice(prefix.length)] = JSON.parse(text);
        } catch {
            raw[key.slice(prefix.length)] = text;
        }
    }
    return raw;
}

const settings = parseStackConfig(readRawConfig());

const provider = new k8s.Provider("k8s", { enableServerSideApply: true });

const stack = new ObservabilityStack("observability", { provider, settings });

export const environment = settings.environment;
export const istioVersion = stack.istioVersion;
export const jaegerChartLine = stack.jaegerChartLine;
export const zipkinEndpoint = stack.zipkinEndpoint;
export const otlpEndpoint = stack.otlpEndpoint;
export const kialiTracingUrl = stack.kialiTracingUrl;
export const samplingPercentage = settings.samplingPercentage;
export const appTracingEnvironment = stack.appTracingEnvironment;
export const uiUrls = stack.uiUrls;
export const networkPolicies = stack.networkPolicies;
