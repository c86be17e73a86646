import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ExternalServiceSettings } from "../config";
import { SYSTEM_NAMESPACE } from "../lib/constants";
import { childOptions, throwInputErrors } from "./options";
import { componentType, withTypeAliases } from "./typeTokens";

/** Arguments of {@link ExternalServices}. */
export interface ExternalServicesArgs {
    /** One ServiceEntry per entry: a name and the hosts it covers, on HTTPS. */
    readonly services: readonly ExternalServiceSettings[];
    /**
     * Namespace of the ServiceEntries (visible mesh-wide from the root namespace).
     * @default "istio-system"
     */
    readonly namespace?: string;
}

/** The problems of the services (each with its property path, `services[<i>].hosts`); none when they are valid. */
export function externalServicesProblems(services: readonly ExternalServiceSettings[]): pulumi.InputPropertyErrorDetails[] {
    return services.flatMap((s, i) => (s.hosts.length === 0 ? [{ propertyPath: `services[${i}].hosts`, reason: `ExternalServices: service ${JSON.stringify(s.name)} needs at least one host` }] : []));
}

/**
 * ServiceEntry spec for an external HTTPS API. `resolution: DNS` — the reference deployment's
 * `resolution: NONE` made the sidecar forward to the original destination IP and ended in NXDOMAIN.
 * @see https://istio.io/latest/docs/reference/config/networking/service-entry/#ServiceEntry-Resolution
 */
export function serviceEntrySpec(service: ExternalServiceSettings): Record<string, unknown> {
    throwInputErrors(
        "ExternalServices",
        externalServicesProblems([service]).map((e) => ({ ...e, propertyPath: "hosts" })),
    );
    return {
        hosts: [...service.hosts],
        location: "MESH_EXTERNAL",
        ports: [{ number: service.port, name: "https", protocol: "HTTPS" }],
        resolution: "DNS",
    };
}

/** `ServiceEntry` resources that let mesh workloads reach external APIs by name. */
export class ExternalServices extends pulumi.ComponentResource {
    public readonly serviceEntryNames: pulumi.Output<string[]>;

    constructor(name: string, args: ExternalServicesArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("ExternalServices"), name, {}, withTypeAliases("ExternalServices", opts));
        const namespace = args.namespace ?? SYSTEM_NAMESPACE;
        throwInputErrors("ExternalServices", externalServicesProblems(args.services));
        const entries = args.services.map(
            (s) =>
                new k8s.apiextensions.CustomResource(
                    `${name}-${s.name}`,
                    {
                        apiVersion: "networking.istio.io/v1",
                        kind: "ServiceEntry",
                        metadata: { name: s.name, namespace },
                        spec: serviceEntrySpec(s),
                    },
                    childOptions(this, opts),
                ),
        );
        this.serviceEntryNames = pulumi.all(entries.map((e) => e.metadata.name));
        this.registerOutputs({ serviceEntryNames: this.serviceEntryNames });
    }
}
