import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PROVIDER_NAMES, SYSTEM_NAMESPACE, TELEMETRY_NAME } from "../lib/constants";
import { childOptions } from "./options";
import { componentType, withTypeAliases } from "./typeTokens";

/** Arguments of {@link MeshTelemetry}. */
export interface MeshTelemetryArgs {
    /**
     * Percentage of requests traced, 0-100 (100 in dev; production needs a lower figure).
     * @see https://istio.io/latest/docs/reference/config/telemetry/#Tracing
     */
    readonly samplingPercentage: number;
    /**
     * Istio root namespace: a Telemetry there applies to the whole mesh.
     * @default "istio-system"
     */
    readonly namespace?: string;
}

/**
 * The Telemetry spec: sampling through the `jaeger` provider and access logs through the JSON provider.
 * @internal A value builder: tests call it; programs use the component.
 */
export function telemetrySpec(samplingPercentage: number): Record<string, unknown> {
    if (!(samplingPercentage >= 0 && samplingPercentage <= 100)) {
        throw new pulumi.InputPropertyError({ propertyPath: "samplingPercentage", reason: `MeshTelemetry: samplingPercentage ${samplingPercentage} must be from 0 to 100` });
    }
    return {
        tracing: [{ providers: [{ name: PROVIDER_NAMES.tracing }], randomSamplingPercentage: samplingPercentage }],
        accessLogging: [{ providers: [{ name: PROVIDER_NAMES.accessLog }] }],
    };
}

/**
 * The mesh-wide `Telemetry` resource (one per root namespace: Istio merges no two selector-less
 * Telemetry resources in one namespace, so tracing and access logging live in one).
 */
export class MeshTelemetry extends pulumi.ComponentResource {
    public readonly telemetryName: pulumi.Output<string>;
    public readonly samplingPercentage: number;

    constructor(name: string, args: MeshTelemetryArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("MeshTelemetry"), name, {}, withTypeAliases("MeshTelemetry", opts));
        const namespace = args.namespace ?? SYSTEM_NAMESPACE;
        const spec = telemetrySpec(args.samplingPercentage);
        const telemetry = new k8s.apiextensions.CustomResource(
            `${name}-telemetry`,
            {
                apiVersion: "telemetry.istio.io/v1",
                kind: "Telemetry",
                metadata: { name: TELEMETRY_NAME, namespace },
                spec,
            },
            childOptions(this, opts),
        );
        this.telemetryName = telemetry.metadata.name;
        this.samplingPercentage = args.samplingPercentage;
        this.registerOutputs({ telemetryName: this.telemetryName, samplingPercentage: this.samplingPercentage });
    }
}
