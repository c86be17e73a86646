import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    AMBIENT_LABELS,
    DataPlane,
    DNS_PORT,
    HBONE_PORT,
    ISTIOD_POD_LABEL,
    ISTIOD_XDS_PORT,
    JAEGER_EGRESS_POLICY_NAME,
    JAEGER_EGRESS_PORTS,
    JAEGER_NAME_LABEL,
    SYSTEM_NAMESPACE,
} from "../lib/constants";
import { PolicySpec, namespaceNamed, tcp } from "./networkPolicies";
import { ArgumentProblem, childOptions, kubernetesProvider, throwProblems } from "./options";
import { componentType, withTypeAliases } from "./typeTokens";

/** `complete`: every egress a mesh workload needs; `baseline`: only Jaeger egress, beside an existing baseline policy. */
export const NETWORK_POLICY_MODES = ["complete", "baseline"] as const;
export type NetworkPolicyMode = (typeof NETWORK_POLICY_MODES)[number];

/** The cluster DNS pods: where they run and their labels (CoreDNS in kube-system by default). */
export const DEFAULT_DNS = { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } } as const;

/**
 * What is wrong with the mode and the baseline policy, whatever the caller: `baseline` needs the policy's name, and
 * `complete` takes none. Pure; the config layer reports the same problems under `networkPolicies`.
 */
export function networkPolicyProblems(args: { readonly mode?: NetworkPolicyMode; readonly baselinePolicy?: string }): ArgumentProblem[] {
    const mode = args.mode ?? "complete";
    if (mode === "baseline" && args.baselinePolicy === undefined) {
        return [
            { path: ["baselinePolicy"], value: undefined, reason: "required when mode is baseline: the name of the existing NetworkPolicy in every app namespace that allows DNS and istiod egress" },
        ];
    }
    if (mode === "complete" && args.baselinePolicy !== undefined) {
        return [{ path: ["baselinePolicy"], value: args.baselinePolicy, reason: "only allowed when mode is baseline" }];
    }
    return [];
}

/** Arguments of {@link TracingNetworkPolicies}. */
export interface TracingNetworkPoliciesArgs {
    /** App namespaces; they must exist (or be created by the caller first). */
    readonly namespaces: readonly string[];
    /**
     * `complete`: once an Egress policy selects a pod all other egress is denied, so also allow
     * DNS, istiod, the other app namespaces and the external services. `baseline`: only the Jaeger
     * policy; `baselinePolicy` must already exist in every namespace and is read to prove it.
     * @default "complete"
     * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies
     */
    readonly mode?: NetworkPolicyMode;
    /** Name of the existing policy that allows DNS and istiod egress (mode `baseline`). */
    readonly baselinePolicy?: string;
    /**
     * Namespace and labels of the cluster DNS pods.
     * @default kube-system, { "k8s-app": "kube-dns" }
     */
    readonly dns?: { readonly namespace: string; readonly podLabels: Readonly<Record<string, string>> };
    /** TCP ports of external services (ServiceEntries) the apps call; none when empty. */
    readonly externalPorts?: readonly number[];
    /**
     * Namespace of Jaeger and istiod.
     * @default "istio-system"
     */
    readonly systemNamespace?: string;
    /**
     * Ambient mode: in `complete` mode also HBONE ({@link HBONE_PORT}) to the pods of every enrolled namespace. ztunnel
     * tunnels a pod's traffic to a waypoint or an ambient pod on 15008 from inside the pod's network namespace, so
     * the pod's egress policies apply to it (istio.io/latest/docs/ambient/usage/networkpolicy); the app namespaces are
     * open on every port already. The waypoint's own needs are a pod's: istiod (15012), DNS, the collector.
     * @default "sidecar"
     */
    readonly dataPlane?: DataPlane;
}

/**
 * An object the program read from the cluster and relied on, as recorded for the policy pack in the
 * releases ConfigMap (`RELEASES_CONFIGMAP.readsKey`): read resources never reach policy analyzers.
 */
export interface ReadRecord {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata: { readonly name: string; readonly namespace: string };
    /** The spec as read from the cluster (with the API server's defaults). */
    readonly spec: k8s.types.output.networking.v1.NetworkPolicySpec;
}

/**
 * Egress from every pod of a namespace to the Jaeger pods on 4317, 4318 and 9411.
 * @internal A value builder: tests call it; programs use the component.
 */
export function jaegerEgressSpec(systemNamespace: string): PolicySpec {
    return {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
            {
                to: [{ namespaceSelector: namespaceNamed(systemNamespace), podSelector: { matchLabels: { [JAEGER_NAME_LABEL.key]: JAEGER_NAME_LABEL.value } } }],
                ports: tcp(JAEGER_EGRESS_PORTS),
            },
        ],
    };
}

/**
 * The rest of what a mesh workload needs once its egress is restricted, by policy name.
 * @internal A value builder: tests call it; programs use the component.
 */
export function meshEgressSpecs(args: {
    systemNamespace: string;
    dns: { namespace: string; podLabels: Readonly<Record<string, string>> };
    appNamespaces: readonly string[];
    externalPorts: readonly number[];
    dataPlane?: DataPlane;
}): Record<string, PolicySpec> {
    const specs: Record<string, PolicySpec> = {
        "allow-dns-egress": {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [
                {
                    to: [{ namespaceSelector: namespaceNamed(args.dns.namespace), podSelector: { matchLabels: { ...args.dns.podLabels } } }],
                    ports: [
                        { protocol: "UDP", port: DNS_PORT },
                        { protocol: "TCP", port: DNS_PORT },
                    ],
                },
            ],
        },
        "allow-istiod-egress": {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [
                {
                    to: [{ namespaceSelector: namespaceNamed(args.systemNamespace), podSelector: { matchLabels: { [ISTIOD_POD_LABEL.key]: ISTIOD_POD_LABEL.value } } }],
                    ports: tcp([ISTIOD_XDS_PORT]),
                },
            ],
        },
        "allow-app-namespaces-egress": {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [
                {
                    to: [
                        {
                            namespaceSelector: {
                                matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: [...args.appNamespaces] }],
                            },
                        },
                    ],
                },
            ],
        },
    };
    if (args.dataPlane === "ambient") {
        specs["allow-hbone-egress"] = {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [{ to: [{ namespaceSelector: { matchLabels: { [AMBIENT_LABELS.dataplaneMode]: "ambient" } } }], ports: tcp([HBONE_PORT]) }],
        };
    }
    if (args.externalPorts.length > 0) {
        specs["allow-external-services-egress"] = {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: tcp([...new Set(args.externalPorts)].sort((a, b) => a - b)) }],
        };
    }
    return specs;
}

/** NetworkPolicies that let app namespaces send spans to Jaeger without cutting off anything else. */
export class TracingNetworkPolicies extends pulumi.ComponentResource {
    public readonly policyNames: pulumi.Output<string[]>;
    /**
     * The baseline policies read in `baseline` mode, as read (empty in `complete` mode). Reads happen in
     * previews too, so the values are known when the policy pack runs.
     */
    public readonly reads: pulumi.Output<ReadRecord[]>;

    constructor(name: string, args: TracingNetworkPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("TracingNetworkPolicies"), name, {}, withTypeAliases("TracingNetworkPolicies", opts));
        const mode = args.mode ?? "complete";
        const systemNamespace = args.systemNamespace ?? SYSTEM_NAMESPACE;
        const dns = args.dns ?? DEFAULT_DNS;
        const childOpts = childOptions(this, opts);
        throwProblems("TracingNetworkPolicies", networkPolicyProblems(args));
        const names: pulumi.Output<string>[] = [];
        const reads: pulumi.Output<ReadRecord>[] = [];
        for (const ns of args.namespaces) {
            const specs: Record<string, PolicySpec> = { [JAEGER_EGRESS_POLICY_NAME]: jaegerEgressSpec(systemNamespace) };
            if (mode === "complete") {
                Object.assign(specs, meshEgressSpecs({ systemNamespace, dns, appNamespaces: args.namespaces, externalPorts: args.externalPorts ?? [], dataPlane: args.dataPlane }));
            } else {
                // Reading the baseline policy fails the preview when it is missing: the dependency is checked, not
                // assumed. The read is not parented: the SDK cannot compute the NetworkPolicy type aliases of a
                // read resource under a component ("No valid 'name' passed in for alias").
                // eslint-disable-next-line @typescript-eslint/restrict-template-expressions -- baselinePolicy is set in baseline mode (checked above)
                const baseline = k8s.networking.v1.NetworkPolicy.get(`${name}-${ns}-baseline`, `${ns}/${args.baselinePolicy}`, { provider: kubernetesProvider(this) });
                const policyName = args.baselinePolicy;
                reads.push(
                    pulumi.all([baseline.metadata, baseline.spec]).apply(([metadata, spec]) => ({
                        apiVersion: "networking.k8s.io/v1",
                        kind: "NetworkPolicy",
                        metadata: { name: metadata?.name ?? policyName, namespace: metadata?.namespace ?? ns },
                        spec,
                    })),
                );
            }
            for (const [policy, spec] of Object.entries(specs)) {
                const np = new k8s.networking.v1.NetworkPolicy(`${name}-${ns}-${policy}`, { metadata: { name: policy, namespace: ns }, spec }, childOpts);
                names.push(pulumi.interpolate`${ns}/${np.metadata.name}`);
            }
        }
        this.policyNames = pulumi.all(names);
        this.reads = pulumi.all(reads);
        this.registerOutputs({ policyNames: this.policyNames, reads: this.reads });
    }
}
