import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ExternalServiceSettings } from "../config";
import { SYSTEM_NAMESPACE } from "../lib/constants";
import { childOptions } from "./options";

/** Arguments of {@link ExternalServices}. */
export interface ExternalServicesArgs {
    /** Kubernetes provider every child uses. */
    readonly provider: k8s.Provider;
    /** One ServiceEntry per entry: a name and the hosts it covers, on HTTPS. */
    readonly services: readonly ExternalServiceSettings[];
    /**
     * Namespace of the ServiceEntries (visible mesh-wide from the root namespace).
     * @default "istio-system"
     */
    readonly namespace?: string;
}

/**
 * ServiceEntry spec for an external HTTPS API. `resolution: DNS` — the reference deployment's
 * `resolution: NONE` made the sidecar forward to the original destination IP and ended in NXDOMAIN.
 * @see https://istio.io/latest/docs/reference/config/networking/service-entry/#ServiceEntry-Resolution
 */
export function serviceEntrySpec(service: ExternalServiceSettings): Record<string, unknown> {
    if (service.hosts.length === 0) {
        throw new Error(`ExternalServices: service ${JSON.stringify(service.name)} needs at least one host`);
    }
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
        super("observability:istio:ExternalServices", name, {}, opts);
        const namespace = args.namespace ?? SYSTEM_NAMESPACE;
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
                    childOptions(this, args.provider, opts),
                ),
        );
        this.serviceEntryNames = pulumi.all(entries.map((e) => e.metadata.name));
        this.registerOutputs({ serviceEntryNames: this.serviceEntryNames });
    }
}
