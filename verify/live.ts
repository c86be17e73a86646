/**
 * What the cluster holds now, read with the stack's cluster settings (lib/clusterAccess.ts: `kubernetes:kubeconfig`,
 * `kubernetes:context`, else KUBECONFIG): list and get only, the reads rbac/preview.yaml grants plus pods, endpoint
 * slices and nodes.
 */
import * as k8sClient from "@kubernetes/client-node";
import { AMBIENT_LABELS, COLLECTOR_SERVICE, DataPlane, GATEWAY_API, QUERY_SERVICE, SYSTEM_NAMESPACE } from "../lib/constants";
import { ClusterAccess, kubeconfigSetting, loadKubeConfig, readCluster } from "../lib/clusterAccess";
import { JsonObject, asObject, parseYaml } from "../policy/lib/k8s";
import { Labels } from "../policy/lib/networkPolicy";
import { Live } from "./checks";

/**
 * Reads what the checks compare, for the app namespaces and the DNS namespace of the stack; for an ambient stack also
 * the app namespaces' Gateways and Deployments (its waypoints) and the system namespace's DaemonSets.
 */
export async function readLive(
    access: ClusterAccess,
    namespaces: { readonly app: readonly string[]; readonly dns: string; readonly dataPlane?: DataPlane },
    env: NodeJS.ProcessEnv = process.env,
): Promise<{ live: Live; server: string; context: string }> {
    const kc = loadKubeConfig(access, env);
    const setting = kubeconfigSetting(access, env);
    const core = kc.makeApiClient(k8sClient.CoreV1Api);
    const apps = kc.makeApiClient(k8sClient.AppsV1Api);
    const networking = kc.makeApiClient(k8sClient.NetworkingV1Api);
    const discovery = kc.makeApiClient(k8sClient.DiscoveryV1Api);
    const custom = kc.makeApiClient(k8sClient.CustomObjectsApi);
    const read = <T>(what: string, f: () => Promise<T>) => readCluster(what, kc, setting, f);

    const configMaps = (await read(`list configmaps in ${SYSTEM_NAMESPACE}`, () => core.listNamespacedConfigMap({ namespace: SYSTEM_NAMESPACE })))?.items ?? [];
    const meshConfigs = configMaps
        .filter((cm) => /^istio(-.+)?$/.test(cm.metadata?.name ?? "") && cm.data?.mesh !== undefined)
        .map((cm) => ({ name: cm.metadata?.name ?? "", mesh: parseYaml(cm.data?.mesh) }));
    const kialiConfig = parseYaml(configMaps.find((cm) => cm.metadata?.name === "kiali")?.data?.["config.yaml"]);

    // Telemetry is a custom resource: a cluster without Istio's CRDs has none (404).
    const telemetryList: unknown = await read("list telemetries.telemetry.istio.io", () => custom.listClusterCustomObject({ group: "telemetry.istio.io", version: "v1", plural: "telemetries" }));
    const telemetries = ((asObject(telemetryList)?.items as JsonObject[] | undefined) ?? []).map((t) => ({
        namespace: String((t.metadata as JsonObject).namespace),
        name: String((t.metadata as JsonObject).name),
        spec: asObject(t.spec) ?? {},
    }));

    const namespaceList = (await read("list namespaces", () => core.listNamespace()))?.items ?? [];
    const podNamespaces = [...new Set([...namespaces.app, namespaces.dns, SYSTEM_NAMESPACE])];
    const pods = [];
    for (const ns of podNamespaces) {
        for (const p of (await read(`list pods in ${ns}`, () => core.listNamespacedPod({ namespace: ns })))?.items ?? []) {
            pods.push({
                namespace: ns,
                name: p.metadata?.name ?? "",
                labels: (p.metadata?.labels ?? {}) as Labels,
                annotations: (p.metadata?.annotations ?? {}) as Labels,
                containers: [...(p.spec?.containers ?? []), ...(p.spec?.initContainers ?? [])].map((c) => c.name),
                phase: p.status?.phase,
            });
        }
    }
    const policies = (await read("list networkpolicies", () => networking.listNetworkPolicyForAllNamespaces()))?.items ?? [];
    const services = (await read(`list services in ${SYSTEM_NAMESPACE}`, () => core.listNamespacedService({ namespace: SYSTEM_NAMESPACE })))?.items ?? [];
    const deployments = (await read(`list deployments in ${SYSTEM_NAMESPACE}`, () => apps.listNamespacedDeployment({ namespace: SYSTEM_NAMESPACE })))?.items ?? [];
    const slices = (await read(`list endpointslices in ${SYSTEM_NAMESPACE}`, () => discovery.listNamespacedEndpointSlice({ namespace: SYSTEM_NAMESPACE })))?.items ?? [];
    const nodes = (await read("list nodes", () => core.listNode()))?.items ?? [];

    // Ambient mode: the waypoints (Gateways, a custom resource: a cluster without the Gateway API CRDs answers 404),
    // the Deployments istiod makes of them, and the cni and ztunnel DaemonSets.
    const ambient = namespaces.dataPlane === "ambient";
    const gatewayList: NonNullable<Live["gateways"]>[number][] = [];
    let gatewayApi = ambient;
    const appDeployments = new Map<string, number>();
    for (const ns of ambient ? namespaces.app : []) {
        const plural = GATEWAY_API.gatewayCrd.split(".")[0];
        const list: unknown = await read(`list ${GATEWAY_API.gatewayCrd} in ${ns}`, () =>
            custom.listNamespacedCustomObject({ group: GATEWAY_API.group, version: GATEWAY_API.version, namespace: ns, plural }),
        );
        if (list === undefined) {
            gatewayApi = false;
        } else {
            for (const g of (asObject(list)?.items as JsonObject[] | undefined) ?? []) {
                const spec = asObject(g.spec);
                const metadata = g.metadata as JsonObject;
                const waypointFor = asObject(metadata.labels)?.[AMBIENT_LABELS.waypointFor];
                gatewayList.push({
                    namespace: ns,
                    name: String(metadata.name),
                    gatewayClassName: typeof spec?.gatewayClassName === "string" ? spec.gatewayClassName : undefined,
                    waypointFor: typeof waypointFor === "string" ? waypointFor : undefined,
                    labels: asObject(metadata.labels) as Record<string, string> | undefined,
                    infrastructure: asObject(spec?.infrastructure),
                });
            }
        }
        for (const d of (await read(`list deployments in ${ns}`, () => apps.listNamespacedDeployment({ namespace: ns })))?.items ?? []) {
            appDeployments.set(`${ns}/${d.metadata?.name ?? ""}`, d.status?.availableReplicas ?? 0);
        }
    }
    const daemonSets = ambient ? ((await read(`list daemonsets in ${SYSTEM_NAMESPACE}`, () => apps.listNamespacedDaemonSet({ namespace: SYSTEM_NAMESPACE })))?.items ?? []) : [];

    const readyEndpoints = new Map<string, Map<string, number>>();
    for (const name of [COLLECTOR_SERVICE.name, QUERY_SERVICE.name]) {
        const perPort = new Map<string, number>();
        for (const slice of slices.filter((s) => s.metadata?.labels?.["kubernetes.io/service-name"] === name)) {
            const ready = (slice.endpoints ?? []).filter((e) => e.conditions?.ready === true).length;
            for (const port of slice.ports ?? []) {
                perPort.set(port.name ?? "", (perPort.get(port.name ?? "") ?? 0) + ready);
            }
        }
        readyEndpoints.set(name, perPort);
    }
    const live: Live = {
        meshConfigs,
        telemetries,
        namespaces: namespaceList.map((n) => ({ name: n.metadata?.name ?? "", labels: n.metadata?.labels ?? {} })),
        pods,
        networkPolicies: policies.map((p) => ({ namespace: p.metadata?.namespace ?? "", name: p.metadata?.name ?? "", spec: (p.spec ?? {}) as unknown as JsonObject })),
        services: services.map((s) => ({
            namespace: s.metadata?.namespace ?? "",
            name: s.metadata?.name ?? "",
            selector: s.spec?.selector,
            ports: (s.spec?.ports ?? []).map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort })),
        })),
        deployments: new Map(deployments.map((d) => [d.metadata?.name ?? "", (d.spec?.template.metadata?.labels ?? {}) as Labels])),
        readyEndpoints,
        nodes: nodes.length,
        kialiConfig,
        gateways: gatewayApi ? gatewayList : undefined,
        daemonSets: new Map(daemonSets.map((d) => [d.metadata?.name ?? "", { desired: d.status?.desiredNumberScheduled ?? 0, ready: d.status?.numberReady ?? 0 }])),
        appDeployments,
    };
    return { live, server: kc.getCurrentCluster()?.server ?? "", context: kc.getCurrentContext() };
}
