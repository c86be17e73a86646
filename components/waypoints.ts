import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AMBIENT_LABELS, GATEWAY_API, WAYPOINT } from "../lib/constants";
import { childOptions } from "./options";
import { componentType, withTypeAliases } from "./typeTokens";

/** Arguments of {@link Waypoints}. */
export interface WaypointsArgs {
    /** Ambient app namespaces: each gets one waypoint for its Services. They must exist (or be created by the caller first). */
    readonly namespaces: readonly string[];
}

/**
 * The waypoint of one namespace: a Gateway API `Gateway` of istiod's `istio-waypoint` class, as `istioctl waypoint
 * generate` writes it (istio/istio 1.30.3 istioctl/pkg/waypoint/waypoint.go): the one listener `mesh` on 15008 (HBONE),
 * serving the namespace's Services (`istio.io/waypoint-for: service`, istiod's default). istiod deploys the proxy, its
 * Service and ServiceAccount under the same name (pilot/pkg/config/kube/gatewaycommon/deploymentcontroller.go).
 */
function waypointGateway(namespace: string): { apiVersion: string; kind: string; metadata: Record<string, unknown>; spec: Record<string, unknown> } {
    return {
        apiVersion: `${GATEWAY_API.group}/${GATEWAY_API.version}`,
        kind: "Gateway",
        metadata: { name: WAYPOINT.name, namespace, labels: { [AMBIENT_LABELS.waypointFor]: WAYPOINT.for } },
        spec: { gatewayClassName: WAYPOINT.gatewayClassName, listeners: [{ ...WAYPOINT.listener }] },
    };
}

/**
 * Labels of an ambient app namespace: its pods are enrolled in ambient mode (the istio-cni agent reads
 * `istio.io/dataplane-mode`), its Services' traffic goes through the namespace's waypoint (`istio.io/use-waypoint`,
 * which istiod resolves: pilot/pkg/serviceregistry/ambient/waypoints.go), the ingress gateway's included
 * (`istio.io/ingress-use-waypoint`; otherwise the gateway sends straight to the pods and the waypoint's span is missing
 * from every request that enters through it). ztunnel emits no spans: without the waypoint the proxy spans are lost.
 */
export const AMBIENT_NAMESPACE_LABELS: Readonly<Record<string, string>> = {
    [AMBIENT_LABELS.dataplaneMode]: "ambient",
    [AMBIENT_LABELS.useWaypoint]: WAYPOINT.name,
    [AMBIENT_LABELS.ingressUseWaypoint]: "true",
};

/**
 * One waypoint per ambient app namespace. The Gateway API CRDs must be on the cluster (a prerequisite, like the
 * cluster itself: the program checks for them before it registers anything). istiod serves the `istio-waypoint`
 * class once it runs with the ambient profile; a Gateway applied before that waits for it.
 */
export class Waypoints extends pulumi.ComponentResource {
    /** `namespace/name` of each waypoint. */
    public readonly waypointNames: string[];

    constructor(name: string, args: WaypointsArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("Waypoints"), name, {}, withTypeAliases("Waypoints", opts));
        for (const ns of args.namespaces) {
            new k8s.apiextensions.CustomResource(`${name}-${ns}`, waypointGateway(ns), childOptions(this, opts));
        }
        this.waypointNames = args.namespaces.map((ns) => `${ns}/${WAYPOINT.name}`);
        this.registerOutputs({ waypointNames: this.waypointNames });
    }
}
