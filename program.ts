/**
 * The program body: `index.ts` (the Pulumi CLI's entry point) runs it, and so do the test programs
 * under `e2e/programs/` (the guardrail objects, the render-to-YAML provider), which the CLI starts
 * the same way. Configuration is read here, once, validated by `config/` before any resource is
 * registered, and handed down as typed settings.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ObservabilityStack } from "./components";
import { CONFIG_NAMESPACE, RawConfig, parseStackConfig } from "./config";
import { RenderableChart, renderableChart } from "./lib/chartSchema";
import { ChartSource } from "./lib/charts";

/** Every `observability-stack:*` key of the stack, objects and booleans parsed from their JSON text. */
export function readRawConfig(): RawConfig {
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

/** What `main` reaches outside the engine; tests replace it. */
export interface MainDeps {
    /** Fetches a chart and decides whether it renders as published (lib/chartSchema.ts). */
    readonly renderable: (source: ChartSource) => Promise<RenderableChart>;
    /** Extra Kubernetes provider arguments (the benchmark renders to a directory). */
    readonly providerArgs?: k8s.ProviderArgs;
}

/** Builds the stack and returns its outputs. Throws ConfigError before registering anything when the config is bad. */
export async function main(deps: MainDeps = { renderable: renderableChart }): Promise<Record<string, unknown>> {
    const settings = parseStackConfig(readRawConfig());
    const gateway = await deps.renderable(settings.charts.istioGateway);
    const provider = new k8s.Provider("k8s", { enableServerSideApply: true, ...deps.providerArgs });
    const stack = new ObservabilityStack("observability", {
        provider,
        settings,
        gatewayLocalChart: gateway.localPath !== undefined ? { path: gateway.localPath, note: gateway.note ?? "" } : undefined,
    });
    return {
        environment: settings.environment,
        samplingPercentage: settings.samplingPercentage,
        istioVersion: stack.istioVersion,
        jaegerChartLine: stack.jaegerChartLine,
        zipkinEndpoint: stack.zipkinEndpoint,
        otlpEndpoint: stack.otlpEndpoint,
        kialiTracingUrl: stack.kialiTracingUrl,
        appTracingEnvironment: stack.appTracingEnvironment,
        uiUrls: stack.uiUrls,
        networkPolicies: stack.networkPolicies,
    };
}
