import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SYSTEM_NAMESPACE } from "../lib/constants";
import { ArgumentProblem, childOptions, throwProblems } from "./options";
import { componentType, withTypeAliases } from "./typeTokens";

/** An external HTTPS API the mesh's workloads call: one ServiceEntry. */
export interface ExternalService {
    /** The ServiceEntry's name (a DNS label). */
    readonly name: string;
    /** The fully qualified host names it covers; at least one. */
    readonly hosts: readonly string[];
    /** @default {@link EXTERNAL_SERVICE_PORT} */
    readonly port?: number;
}

/** The port of an external service when none is given: HTTPS. */
export const EXTERNAL_SERVICE_PORT = 443;

/** Arguments of {@link ExternalServices}. */
export interface ExternalServicesArgs {
    /** One ServiceEntry per entry: a name and the hosts it covers, on HTTPS. */
    readonly services: readonly ExternalService[];
    /**
     * Namespace of the ServiceEntries (visible mesh-wide from the root namespace).
     * @default "istio-system"
     */
    readonly namespace?: string;
}

/** What is wrong with the services (each with its path, `services[<i>].hosts`), whatever the caller; the config layer reports the same. Pure. */
export function externalServicesProblems(services: readonly ExternalService[]): ArgumentProblem[] {
    return services.flatMap((s, i) => (s.hosts.length === 0 ? [{ path: ["services", i, "hosts"], value: s.hosts, reason: "a ServiceEntry needs at least one host name" }] : []));
}

/**
 * ServiceEntry spec for an external HTTPS API. `resolution: DNS` — the reference deployment's
 * `resolution: NONE` made the sidecar forward to the original destination IP and ended in NXDOMAIN.
 * @see https://istio.io/latest/docs/reference/config/networking/service-entry/#ServiceEntry-Resolution
 * @internal A value builder: tests call it; programs use the component.
 */
export function serviceEntrySpec(service: ExternalService): Record<string, unknown> {
    throwProblems(
        "ExternalServices",
        externalServicesProblems([service]).map((p) => ({ ...p, path: p.path.slice(2) })),
    );
    return {
        hosts: [...service.hosts],
        location: "MESH_EXTERNAL",
        ports: [{ number: service.port ?? EXTERNAL_SERVICE_PORT, name: "https", protocol: "HTTPS" }],
        resolution: "DNS",
    };
}

/** `ServiceEntry` resources that let mesh workloads reach external APIs by name. */
export class ExternalServices extends pulumi.ComponentResource {
    public readonly serviceEntryNames: pulumi.Output<string[]>;

    constructor(name: string, args: ExternalServicesArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("ExternalServices"), name, {}, withTypeAliases("ExternalServices", opts));
        const namespace = args.namespace ?? SYSTEM_NAMESPACE;
        throwProblems("ExternalServices", externalServicesProblems(args.services));
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
