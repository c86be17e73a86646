/**
 * How the Istio `base` chart's CRDs are installed. As Chart v4 children every CRD is a resource of the stack,
 * and the engine keeps each one's schema three times in the state (inputs, outputs and `outputs.__inputs`):
 * two thirds of a 2.3 MB state, written again after every step of an `up` (docs/performance.md). A Helm v3
 * Release keeps no manifest in the state (pulumi-kubernetes 4.25.0 provider/pkg/provider/helm_release.go), so
 * the CRDs go into one Release, `istio-crds`, and the rest of `base` (the default validating webhook and the
 * reader ServiceAccount) stays a Chart v4 the pack judges, rendered with every CRD in `base.excludedCRDs`.
 *
 * The Release renders the CRDs alone with `global.resourceScope: cluster` and `defaultRevision: ""`, and a
 * destroy uninstalls it while Helm keeps every CRD annotated `helm.sh/resource-policy: keep` (so the CRDs, and
 * every Istio resource of the cluster, outlive the stack as before). A chart where either does not hold keeps the
 * CRDs as Chart v4 children ({@link istioCrdLayout}): base 1.24.2 has no `global.resourceScope` (its reader
 * ServiceAccount always renders) and ships workloadgroups.networking.istio.io without the keep annotation.
 *
 * Helm installs over an existing object only when it carries the release's ownership metadata, and provider 4.25.0
 * has no take-ownership input: a stack created before this layout (or CRDs some other tool installed) gets the
 * annotations first, through a `CustomResourceDefinitionPatch` per CRD the cluster holds without them
 * ({@link observeCrdOwnership}), under a field manager of its own and retained on delete; the next `up` finds the
 * annotations and registers no patch.
 */
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import * as k8sClient from "@kubernetes/client-node";
import { ChartSource } from "./charts";
import { Unauthorized, cachedChart, defaultChartCache } from "./chartSchema";
import { ClusterAccess, kubeconfigSetting, loadKubeConfig, readCluster } from "./clusterAccess";
import { GATEWAY_API, HELM_OWNERSHIP } from "./constants";

/** Where the base chart's CRDs go. */
export type IstioCrdLayout =
    /** One Helm Release; `names` are excluded from the Chart v4 of the rest of `base`. */
    | { readonly kind: "release"; readonly names: readonly string[] }
    /** Chart v4 children, as before, and why. */
    | { readonly kind: "chart"; readonly reason: string };

type Json = Record<string, unknown>;

/** The layout a base chart allows, from its files (`files/crd-all.gen.yaml`, `values.yaml`). */
function crdLayoutOfChart(chartDir: string): IstioCrdLayout {
    const crdFile = path.join(chartDir, "files", "crd-all.gen.yaml");
    if (!fs.existsSync(crdFile)) {
        return { kind: "chart", reason: "the chart has no files/crd-all.gen.yaml" };
    }
    const defaults = (yaml.load(fs.readFileSync(path.join(chartDir, "values.yaml"), "utf8")) ?? {}) as Json;
    const global = (defaults._internal_defaults_do_not_set as Json | undefined)?.global as Json | undefined;
    if (global?.resourceScope === undefined) {
        return { kind: "chart", reason: "the chart has no global.resourceScope, so it cannot render its CRDs alone" };
    }
    const crds = yaml.loadAll(fs.readFileSync(crdFile, "utf8")).filter((d): d is Json => typeof d === "object" && d !== null && (d as Json).kind === "CustomResourceDefinition");
    const meta = (d: Json) => (d.metadata ?? {}) as { name?: string; annotations?: Record<string, string> };
    const unkept = crds.filter((d) => meta(d).annotations?.["helm.sh/resource-policy"] !== "keep").map((d) => meta(d).name ?? "");
    if (unkept.length > 0) {
        return { kind: "chart", reason: `${unkept.join(", ")} lack${unkept.length === 1 ? "s" : ""} helm.sh/resource-policy: keep, so a destroy would delete ${unkept.length === 1 ? "it" : "them"}` };
    }
    return { kind: "release", names: crds.map((d) => meta(d).name ?? "").sort() };
}

/**
 * The layout for the stack's base chart: the chart is fetched once into the chart cache (lib/chartSchema.ts, digest
 * checked) and read. OCI and authenticated repositories are not fetched: their CRDs stay Chart v4 children.
 */
export async function istioCrdLayout(source: ChartSource, cacheDir: string = defaultChartCache()): Promise<IstioCrdLayout> {
    if (!/^https?:\/\//.test(source.repo)) {
        return { kind: "chart", reason: `${source.repo} is not an HTTP chart repository the program can read` };
    }
    try {
        return crdLayoutOfChart(await cachedChart(source, cacheDir));
    } catch (e) {
        if (e instanceof Unauthorized) {
            return { kind: "chart", reason: `${source.repo} needs credentials (${e.message})` };
        }
        throw e;
    }
}

/** True when an object's metadata names the release as its Helm owner. */
export function ownedByRelease(metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } | undefined, release: string, namespace: string): boolean {
    return (
        metadata?.labels?.[HELM_OWNERSHIP.label.key] === HELM_OWNERSHIP.label.value &&
        metadata.annotations?.[HELM_OWNERSHIP.releaseName] === release &&
        metadata.annotations[HELM_OWNERSHIP.releaseNamespace] === namespace
    );
}

/**
 * The CRDs among `names` the cluster holds without the release's ownership metadata: the ones Helm would refuse to
 * install over. Reads each CRD (get on customresourcedefinitions, which rbac/preview.yaml grants).
 */
export async function observeCrdOwnership(names: readonly string[], release: string, namespace: string, access: ClusterAccess): Promise<{ name: string; group: string; kind: string }[]> {
    const kc = loadKubeConfig(access);
    const setting = kubeconfigSetting(access);
    const api = kc.makeApiClient(k8sClient.ApiextensionsV1Api);
    const found = await Promise.all(
        names.map(async (name) => ({ name, crd: await readCluster(`get customresourcedefinition ${name}`, kc, setting, () => api.readCustomResourceDefinition({ name })) })),
    );
    return found.flatMap((f) => (f.crd !== undefined && !ownedByRelease(f.crd.metadata, release, namespace) ? [{ name: f.name, group: f.crd.spec.group, kind: f.crd.spec.names.kind }] : []));
}

/**
 * The Gateway API CRDs ambient mode needs that the cluster lacks (waypoints are `Gateway`s of the `istio-waypoint`
 * class, and istiod serves that class only where `GatewayClass` exists): a prerequisite, like the cluster, which the
 * program checks before it registers anything. A CRD that is there but does not serve `v1` counts as missing.
 */
export async function missingGatewayApiCrds(access: ClusterAccess): Promise<string[]> {
    const kc = loadKubeConfig(access);
    const setting = kubeconfigSetting(access);
    const api = kc.makeApiClient(k8sClient.ApiextensionsV1Api);
    const names = [GATEWAY_API.gatewayCrd, GATEWAY_API.gatewayClassCrd];
    const found = await Promise.all(names.map((name) => readCluster(`get customresourcedefinition ${name}`, kc, setting, () => api.readCustomResourceDefinition({ name }))));
    return names.filter((_, i) => !(found[i]?.spec.versions.some((v) => v.name === GATEWAY_API.version && v.served) ?? false));
}
