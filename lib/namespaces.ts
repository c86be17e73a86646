/**
 * Which namespaces the stack owns. A namespace the stack creates is deleted on `destroy` with
 * everything in it; a namespace that existed before (istio-system holding a user's Elasticsearch
 * password Secret, an app namespace with the user's workloads) is adopted: the stack sets its labels
 * but never deletes it. Server-side apply would otherwise upsert an existing namespace and `destroy`
 * would delete it, user objects included.
 *
 * Ownership is marked on the namespace itself (annotation {@link OWNER_ANNOTATION}), so every later
 * `up` of the same stack reads the same decision back, and a namespace with no mark is never ours.
 */
import * as k8sClient from "@kubernetes/client-node";
import { ClusterAccess, kubeconfigSetting, loadKubeConfig, readCluster } from "./clusterAccess";

/** Annotation on the namespaces this stack created: `<project>/<stack>`. */
export const OWNER_ANNOTATION = "observability-stack/created-by";

/** What the cluster holds for one namespace before this run. */
export type ObservedNamespace = { readonly exists: false } | { readonly exists: true; readonly annotations: Readonly<Record<string, string>> };

/**
 * `create`: the stack creates the namespace (or created it in an earlier run) and deletes it on destroy.
 * `adopt`: it existed before; the stack patches its labels and leaves it on destroy.
 */
export type NamespaceOwnership = "create" | "adopt";

/** The stack's decision for one namespace. */
export function namespaceOwnership(observed: ObservedNamespace, owner: string): NamespaceOwnership {
    return !observed.exists || observed.annotations[OWNER_ANNOTATION] === owner ? "create" : "adopt";
}

/**
 * Reads the namespaces from the cluster the provider deploys to (read access to namespaces is all it needs).
 * Any failure but "not found" is one {@link ClusterAccessError} line (lib/clusterAccess.ts).
 */
export async function observeNamespaces(names: readonly string[], access: ClusterAccess): Promise<Map<string, ObservedNamespace>> {
    const kc = loadKubeConfig(access);
    const setting = kubeconfigSetting(access);
    const api = kc.makeApiClient(k8sClient.CoreV1Api);
    const out = new Map<string, ObservedNamespace>();
    for (const name of new Set(names)) {
        const ns = await readCluster(`get namespace ${name}`, kc, setting, () => api.readNamespace({ name }));
        out.set(name, ns === undefined ? { exists: false } : { exists: true, annotations: ns.metadata?.annotations ?? {} });
    }
    return out;
}
