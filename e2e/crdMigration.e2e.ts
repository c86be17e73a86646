/**
 * The move of the Istio CRDs from Chart v4 children to one Helm Release (lib/istioCrds.ts) on a real state: the
 * program as it was before, taken from git, creates a stack with `pulumi up`; a user adds a Telemetry of their own;
 * then the current program runs `up` on the same state and cluster. No CRD may be deleted or replaced (that would
 * delete every Istio resource of the cluster), and no Istio resource may be lost; the state must lose the CRDs.
 * Needs `scripts/cluster.sh up` first (`npm run test:e2e` does it).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { ISTIO_RELEASES } from "../components";
import { HELM_OWNERSHIP, SYSTEM_NAMESPACE, TELEMETRY_NAME } from "../lib/constants";
import { PRE_AMBIENT_CHART_ROLES, WORK_DIR, airGapped, configSet, exists, kubectl, kubectlJson, programAt, waitNamespacesGone, workspaceStack } from "./harness";

/**
 * The last commit of main before the CRD release (its base chart rendered every CRD as a Chart v4 child). Pinned, not
 * `main` or `HEAD~n`: the test proves that a state written by that program moves to the current layout, and must keep
 * proving it after later commits. CI clones the whole history.
 */
const BEFORE_CRD_RELEASE = "e11a5659272ff94e2e0f209a482acca4cb07025d";

const PASSPHRASE = "e2e-only-passphrase";
const dir = path.join(WORK_DIR, "e2e", "crd-migration");
const STACK = "crd-migration";
const CRD_TYPE = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition";
const PATCH_TYPE = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinitionPatch";
/** A namespace of the user's, outside the stack, holding a Telemetry of their own. */
const USER_NAMESPACE = "user-mesh";
const USER_TELEMETRY = "user-sampling";

interface StateResource {
    readonly urn: string;
    readonly type: string;
    readonly retainOnDelete?: boolean;
    readonly outputs?: { metadata?: { name?: string; uid?: string } };
}

async function state(stack: Stack): Promise<{ resources: StateResource[]; bytes: number }> {
    const deployment = (await stack.exportStack()).deployment;
    return { resources: (deployment.resources ?? []) as StateResource[], bytes: JSON.stringify(deployment).length };
}

/** Every Istio CRD of the cluster: name -> uid. */
function istioCrdUids(): Record<string, string> {
    const list = kubectlJson(["get", "crd"]) as { items: { metadata: { name: string; uid: string } }[] };
    return Object.fromEntries(list.items.filter((c) => c.metadata.name.endsWith(".istio.io")).map((c) => [c.metadata.name, c.metadata.uid]));
}

/** Every Istio custom resource of the cluster (Telemetry, ServiceEntry): `kind namespace/name` -> uid. */
function istioResourceUids(): Record<string, string> {
    const list = kubectlJson(["get", "telemetries.telemetry.istio.io,serviceentries.networking.istio.io", "-A"]) as {
        items: { kind: string; metadata: { namespace: string; name: string; uid: string } }[];
    };
    return Object.fromEntries(list.items.map((o) => [`${o.kind} ${o.metadata.namespace}/${o.metadata.name}`, o.metadata.uid]));
}

/** The steps of a CLI run that are not `same`, as `op type name`. */
function stepsOf(into: string[]): (e: EngineEvent) => void {
    return (e) => {
        const m = e.resourcePreEvent?.metadata;
        if (m !== undefined && m.op !== "same") {
            into.push(`${m.op} ${m.type} ${m.urn.split("::").pop() ?? ""}`);
        }
    };
}

describe("pulumi CLI, the Istio CRDs moved into one Helm Release on an existing stack", function () {
    this.timeout(900_000);
    let stack: Stack;
    let initial: { resources: StateResource[]; bytes: number };
    let crds: Record<string, string>;
    let istioObjects: Record<string, string>;

    before(() => {
        // A cluster the stack of e11a565 installed Istio's CRDs in: earlier tests' stacks keep theirs on destroy, with
        // the CRD release's Helm ownership, which that program never set. Remove them first (no Istio resource is left).
        const istioCrds = kubectl(["get", "crd", "-o", "jsonpath={.items[*].metadata.name}"])
            .split(" ")
            .filter((n) => n.endsWith(".istio.io"));
        if (istioCrds.length > 0) {
            kubectl(["delete", "crd", ...istioCrds, "--wait=true"]);
        }
    });

    after(async () => {
        kubectl(["delete", "namespace", USER_NAMESPACE, "--ignore-not-found", "--wait=false"]);
        waitNamespacesGone([USER_NAMESPACE, SYSTEM_NAMESPACE, "auth", "chat"]);
    });

    it(`creates the stack with the program of ${BEFORE_CRD_RELEASE.slice(0, 7)}: the CRDs are Chart v4 children, retained on delete`, async () => {
        const program = programAt(BEFORE_CRD_RELEASE, path.join(WORK_DIR, "e2e", "crd-migration-program"));
        // The stack file and the chart roles as that program knew them (it refuses keys it does not know).
        stack = await workspaceStack({ stack: STACK, dir, from: "local", fromCommit: BEFORE_CRD_RELEASE, passphrase: PASSPHRASE, program });
        await configSet(stack, airGapped(PRE_AMBIENT_CHART_ROLES));
        assert.strictEqual((await stack.up()).summary.result, "succeeded");
        initial = await state(stack);
        const crdResources = initial.resources.filter((r) => r.type === CRD_TYPE);
        assert.strictEqual(crdResources.length, 15, "base 1.30.3 renders 15 CRDs");
        assert.ok(crdResources.every((r) => r.retainOnDelete === true));
        crds = istioCrdUids();
        assert.deepStrictEqual(Object.keys(crds).sort(), crdResources.map((r) => r.outputs?.metadata?.name ?? "").sort());
        // The user's own Istio resource, in a namespace of theirs.
        kubectl(["create", "namespace", USER_NAMESPACE]);
        const telemetry = {
            apiVersion: "telemetry.istio.io/v1",
            kind: "Telemetry",
            metadata: { name: USER_TELEMETRY, namespace: USER_NAMESPACE },
            spec: { tracing: [{ randomSamplingPercentage: 5 }] },
        };
        const file = path.join(WORK_DIR, "e2e", "user-telemetry.json");
        fs.writeFileSync(file, JSON.stringify(telemetry));
        kubectl(["apply", "-f", file]);
        istioObjects = istioResourceUids();
        assert.ok(istioObjects[`Telemetry ${USER_NAMESPACE}/${USER_TELEMETRY}`] !== undefined);
        assert.ok(istioObjects[`Telemetry ${SYSTEM_NAMESPACE}/${TELEMETRY_NAME}`] !== undefined);
    });

    it("moves to the CRD release with the current program: no CRD deleted or replaced, no Istio resource lost, the state without the CRDs", async () => {
        // The same workspace and state; only Pulumi.yaml's main changes, to the project itself (the stack file is kept).
        stack = await workspaceStack({ stack: STACK, dir, passphrase: PASSPHRASE, keep: true });
        const steps: string[] = [];
        const up = await stack.up({ onEvent: stepsOf(steps) });
        assert.strictEqual(up.summary.result, "succeeded");
        // Nothing is replaced; the only deletes are the CRD children, which the old state retains (the object stays).
        assert.deepStrictEqual(
            steps.filter((s) => s.split(" ")[0].includes("replace")),
            [],
        );
        const deletes = steps.filter((s) => s.startsWith("delete "));
        assert.deepStrictEqual(
            deletes.map((s) => s.split(" ")[1]),
            new Array<string>(15).fill(CRD_TYPE),
            steps.join("\n"),
        );
        // Each CRD got Helm's ownership first (one patch each), then the release installed over them.
        assert.strictEqual(steps.filter((s) => s.startsWith(`create ${PATCH_TYPE}`)).length, 15, steps.join("\n"));
        assert.ok(steps.includes(`create kubernetes:helm.sh/v3:Release observability-istio-crds`), steps.join("\n"));

        assert.deepStrictEqual(istioCrdUids(), crds, "every CRD keeps its uid");
        assert.deepStrictEqual(istioResourceUids(), istioObjects, "every Istio resource, the user's included, keeps its uid");
        for (const name of Object.keys(crds)) {
            const meta = kubectlJson(["get", "crd", name]).metadata as { labels: Record<string, string>; annotations: Record<string, string> };
            assert.deepStrictEqual(
                [meta.labels[HELM_OWNERSHIP.label.key], meta.annotations[HELM_OWNERSHIP.releaseName], meta.annotations[HELM_OWNERSHIP.releaseNamespace]],
                [HELM_OWNERSHIP.label.value, ISTIO_RELEASES.crds, SYSTEM_NAMESPACE],
            );
        }
        const after = await state(stack);
        assert.deepStrictEqual(
            after.resources.filter((r) => r.type === CRD_TYPE),
            [],
        );
    });

    it("drops the ownership patches on the next up (retained: the CRDs keep Helm's metadata), then changes nothing; the state is under half its old size", async () => {
        const steps: string[] = [];
        await stack.up({ onEvent: stepsOf(steps) });
        assert.deepStrictEqual([...new Set(steps.map((s) => s.split(" ").slice(0, 2).join(" ")))], [`delete ${PATCH_TYPE}`]);
        assert.strictEqual(steps.length, 15);
        assert.deepStrictEqual(istioCrdUids(), crds);
        assert.ok(Object.keys(crds).every((name) => kubectlJson(["get", "crd", name]).metadata.annotations[HELM_OWNERSHIP.releaseName] === ISTIO_RELEASES.crds));
        const again = await stack.up();
        assert.deepStrictEqual(
            Object.keys(again.summary.resourceChanges ?? {}).filter((k) => k !== "same"),
            [],
        );
        const now = await state(stack);
        assert.ok(now.bytes < initial.bytes / 2, `state ${now.bytes} bytes, ${initial.bytes} before`);
    });

    it("destroys the stack and keeps every CRD and the user's Telemetry", async () => {
        await stack.destroy();
        assert.deepStrictEqual(istioCrdUids(), crds);
        assert.ok(exists(["telemetries.telemetry.istio.io", USER_TELEMETRY, "-n", USER_NAMESPACE]));
        assert.strictEqual(istioResourceUids()[`Telemetry ${USER_NAMESPACE}/${USER_TELEMETRY}`], istioObjects[`Telemetry ${USER_NAMESPACE}/${USER_TELEMETRY}`]);
    });
});
