/**
 * What the program renders, as the engine sees it: a stack variant is a committed stack file changed only
 * with `pulumi config set` (chart repos -> this run's mirror, a test signing key as a secret, ...), previewed
 * by the Pulumi CLI (`pulumi preview`, the users' command) against the decoder suite's own control plane;
 * every resource the preview registers (our own and every object a Chart v4 renders) is collected from the
 * engine's events with its inputs. Secret inputs arrive masked as `[secret]`.
 *
 * Not the provider's `renderYamlToDirectory` mode: without a cluster Helm renders with
 * its built-in default capabilities, Kubernetes v1.20.0 (helm.sh/helm/v3 pkg/chartutil/capabilities.go,
 * `k8sVersionMinor = "20"` unless set by ldflags), and the jaeger charts require `kubeVersion >= 1.21-0`
 * ("chart requires kubeVersion: >= 1.21-0 which is incompatible with Kubernetes v1.20.0"). A preview against
 * kube-apiserver 1.32 renders with the server's version and API groups, as on a user's cluster.
 */
import * as fs from "fs";
import * as path from "path";
import { EngineEvent } from "@pulumi/pulumi/automation";
import { ConfigChange, WORK_DIR, airGapped, configSet, ensureNamespace, kubectl, workspaceStack } from "../e2e/harness";
import { applyGatewayApiCrds } from "../e2e/gatewayApi";
import { TEST_SIGNING_KEY } from "../e2e/lines";
import { shareDir } from "../e2e/tools";
import { stackRawConfig } from "../test/stackFiles";

/** A rendered Kubernetes object. */
export interface Rendered {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> };
    readonly spec?: any;
    readonly data?: Record<string, string>;
    readonly [key: string]: unknown;
}

/** One rendered stack variant: its objects, and lookups by kind and name. */
export class Rendering {
    constructor(
        readonly name: string,
        readonly objects: readonly Rendered[],
    ) {}

    ofKind(kind: string): Rendered[] {
        return this.objects.filter((o) => o.kind === kind);
    }

    /** The one object of `kind` named `name` (in `namespace` when given); throws when there is not exactly one. */
    get(kind: string, name: string, namespace?: string): Rendered {
        const found = this.ofKind(kind).filter((o) => o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
        if (found.length !== 1) {
            throw new Error(`${this.name}: expected one ${kind} ${name}, found ${found.length}`);
        }
        return found[0];
    }

    has(kind: string, name: string): boolean {
        return this.ofKind(kind).some((o) => o.metadata.name === name);
    }
}

/** A stack variant: the committed stack file it starts from and the `pulumi config set` changes on top of the air-gapped ones. */
export interface Variant {
    readonly name: string;
    readonly from: "dev" | "production" | "local";
    readonly changes: readonly ConfigChange[];
}

export const SIGNING_KEY: ConfigChange = { key: "kiali.signingKey", value: TEST_SIGNING_KEY, secret: true };

/**
 * The user's cluster as the stack file expects it: the app namespaces it adopts exist, an ambient stack's cluster has
 * the Gateway API CRDs, and a cluster whose Prometheus the operator runs has the operator's CRDs (the real ones, scripts/toolchain.sh prometheus-operator-crds).
 */
function prepareCluster(v: Variant): void {
    const raw = stackRawConfig(v.from);
    if (raw.createAppNamespaces !== true) {
        ((raw.appNamespaces as string[] | undefined) ?? []).forEach(ensureNamespace);
    }
    // Ambient mode's prerequisite (waypoints are Gateways): the real Gateway API CRDs, which the program checks for.
    if (v.changes.some((c) => c.key === "mesh.dataPlane" && c.value === "ambient")) {
        applyGatewayApiCrds();
    }
    if ((raw.prometheus as { operator?: boolean } | undefined)?.operator === true) {
        kubectl(["apply", "--server-side", "--force-conflicts", "-f", path.join(shareDir(), "prometheus-operator-crds.yaml")]);
        kubectl(["wait", "--for=condition=Established", "crd/podmonitors.monitoring.coreos.com", "crd/servicemonitors.monitoring.coreos.com", "--timeout=60s"]);
    }
}

/**
 * The Kubernetes object a preview step would send to the provider (our own resources and Chart v4 children;
 * not charts, Helm releases, patches of existing objects, providers or components), with its Pulumi type and whether
 * a Chart v4 rendered it.
 */
export function previewedObject(e: EngineEvent): { type: string; fromChart: boolean; object: Rendered } | undefined {
    const step = e.resourcePreEvent?.metadata;
    const inputs = step?.new?.inputs;
    if (step === undefined || !step.type.startsWith("kubernetes:") || step.type.startsWith("kubernetes:helm.sh/") || step.type.endsWith("Patch") || inputs?.kind === undefined) {
        return undefined;
    }
    return { type: step.type, fromChart: step.urn.includes("kubernetes:helm.sh/v4:Chart$"), object: inputs as Rendered };
}

/** Previews a variant with the CLI (a fresh workspace and file backend each run) and collects every object it would create. */
export async function render(v: Variant): Promise<Rendering> {
    prepareCluster(v);
    const root = path.join(WORK_DIR, "decoders", v.name);
    const stack = await workspaceStack({ stack: v.name, dir: root, from: v.from, passphrase: "decoders-only" });
    await configSet(stack, [...airGapped(), ...v.changes]);
    const objects: Rendered[] = [];
    const onEvent = (e: EngineEvent) => {
        const o = previewedObject(e);
        if (o !== undefined) {
            objects.push(o.object);
        }
    };
    await stack.preview({ onEvent });
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(path.join(root, "objects.json"), JSON.stringify(objects, null, 2));
    return new Rendering(v.name, objects);
}
