/**
 * The type-token rename (components/typeTokens.ts: every component under `observability:index`, the old tokens as
 * aliases) on a real state: the program as it was before the rename, taken from git, creates a stack (Istio 1.24.2) with
 * `pulumi up`; then the current program previews and runs `up` on the same state and the same cluster. A URN holds
 * the types of the resource and its parents, so without the aliases every object of the stack would be deleted and
 * created again; with them the engine must find each resource under its new URN (the children through their
 * parents' aliases, down to the objects Chart v4 renders) and change nothing.
 * Needs `scripts/cluster.sh up` first (`npm run test:e2e` does it).
 */
import * as assert from "assert";
import * as path from "path";
import { Stack } from "@pulumi/pulumi/automation";
import { COMPONENT_TYPES } from "../components/typeTokens";
import { REFERENCE_VERSIONS } from "../lib/charts";
import { SYSTEM_NAMESPACE } from "../lib/constants";
import { PRE_AMBIENT_CHART_ROLES, WORK_DIR, airGapped, configSet, exists, kubectl, programAt, workspaceStack } from "./harness";
import { shareDir } from "./tools";

/**
 * The last commit of main before the rename (its components registered `observability:istio:IstioMesh`,
 * `observability:tracing:Jaeger`, ...). Pinned, not `main` or `HEAD~n`: the test proves that a state written by
 * that program survives the current one, and must keep proving it after later commits. CI clones the whole history.
 */
const BEFORE_RENAME = "a1d4ad75375d3fd09b7c355b6f318a3735ab3fe4";

/**
 * What the program changed on purpose since that commit, besides the tokens: each updates in place, under its new URN
 * (the end of its URN, the step's diff keys where the engine reports them).
 */
const CHANGED_SINCE: readonly { readonly urn: string; readonly diffs: readonly string[]; readonly why: string }[] = [
    {
        urn: "::pulumi:providers:kubernetes::k8s",
        diffs: ["enableConfigMapMutable", "enableSecretMutable", "helmReleaseSettings"],
        why: "a ConfigMap or Secret deleted by hand is created again under its name, not left missing; Helm's release records in ConfigMaps (program.ts)",
    },
    {
        urn: ":Kiali$kubernetes:helm.sh/v4:Chart$kubernetes:core/v1:ConfigMap::observability-kiali-chart:istio-system/kiali",
        diffs: [],
        why: "clustering.autodetect_secrets off: Kiali lists no Secrets, so the preview ClusterRole needs none",
    },
    {
        urn: ":Kiali$kubernetes:helm.sh/v4:Chart$kubernetes:apps/v1:Deployment::observability-kiali-chart:istio-system/kiali",
        diffs: [],
        why: "the chart's checksum of that ConfigMap on the pod template",
    },
    { urn: ":ObservabilityStack$kubernetes:core/v1:ConfigMap::observability-charts", diffs: [], why: "the releases record holds Kiali's values" },
];

const PASSPHRASE = "e2e-only-passphrase";
const dir = path.join(WORK_DIR, "e2e", "type-aliases");
const STACK = "type-aliases";

interface StateResource {
    readonly urn: string;
    readonly type: string;
    readonly custom?: boolean;
    readonly outputs?: { metadata?: { uid?: string } };
}

async function resources(stack: Stack): Promise<StateResource[]> {
    return ((await stack.exportStack()).deployment.resources ?? []) as StateResource[];
}

/** A URN written before the rename, with each old token replaced by the new one (in the type and in the parent chain). */
function renamed(urn: string): string {
    let out = urn;
    for (const t of Object.values(COMPONENT_TYPES)) {
        for (const previous of t.previous) {
            out = out.split(previous).join(t.type);
        }
    }
    return out;
}

/** The server's uid of every Kubernetes object in the state, by URN: a recreated object gets a new one. */
function uids(state: readonly StateResource[], urnOf: (urn: string) => string = (u) => u): Record<string, string> {
    return Object.fromEntries(state.filter((r) => r.outputs?.metadata?.uid !== undefined).map((r) => [urnOf(r.urn), r.outputs!.metadata!.uid!]));
}

describe("pulumi CLI, component type tokens renamed on an existing stack", function () {
    this.timeout(600_000);
    let stack: Stack;
    let created: StateResource[];

    before(async () => {
        // The stack file sets prometheus.operator: the user's cluster has the operator's CRDs (they stay, as an operator's would).
        kubectl(["apply", "--server-side", "--force-conflicts", "-f", path.join(shareDir(), "prometheus-operator-crds.yaml")]);
        kubectl(["wait", "--for=condition=Established", "crd/podmonitors.monitoring.coreos.com", "crd/servicemonitors.monitoring.coreos.com", "--timeout=60s"]);
        // Outside `dir`: a fresh workspace (below) starts by removing that directory.
        const program = programAt(BEFORE_RENAME, path.join(WORK_DIR, "e2e", "type-aliases-program"));
        // The stack file and the chart roles as that program knew them (it refuses keys it does not know).
        stack = await workspaceStack({ stack: STACK, dir, from: "local", fromCommit: BEFORE_RENAME, passphrase: PASSPHRASE, program });
        // Pulumi.local.yaml plus what makes every component create objects: the monitors and both UIs. On the Istio 1.24.2
        // line, whose CRDs stay Chart v4 children (lib/istioCrds.ts): the renamed tokens are the only change the current
        // program brings to this state (the move of 1.30's CRDs into a Helm release has its test, crdMigration.e2e.ts).
        await configSet(stack, [
            ...airGapped(PRE_AMBIENT_CHART_ROLES),
            ...(["istioBase", "istiod", "istioGateway"] as const).map((role) => ({ key: `charts.${role}.version`, value: REFERENCE_VERSIONS[role] })),
            { key: "prometheus.operator", value: "true" },
            { key: "ui.kialiHost", value: "kiali.example.com" },
            { key: "ui.jaegerHost", value: "jaeger.example.com" },
            { key: "kiali.tracingExternalUrl", value: "https://jaeger.example.com" },
        ]);
    });

    after(async () => {
        if (exists(["namespace", SYSTEM_NAMESPACE])) {
            kubectl(["wait", "--for=delete", `namespace/${SYSTEM_NAMESPACE}`, "--timeout=120s"]);
        }
    });

    it(`creates the stack with the program of ${BEFORE_RENAME.slice(0, 7)}, under the old type tokens`, async () => {
        const up = await stack.up();
        assert.strictEqual(up.summary.result, "succeeded");
        created = await resources(stack);
        const componentTypes = [...new Set(created.filter((r) => r.type.startsWith("observability:")).map((r) => r.type))].sort();
        assert.deepStrictEqual(componentTypes, ["observability:index:ObservabilityStack", ...Object.values(COMPONENT_TYPES).flatMap((t) => t.previous)].sort());
        assert.ok(created.length > 80, `${created.length} resources`);
    });

    it("previews and runs up with the current program on that state: every resource found under its new URN, none created, replaced or deleted, only the program's later changes updated in place", async () => {
        // The same workspace and state; only Pulumi.yaml's main changes, to the project itself (the stack file is kept).
        stack = await workspaceStack({ stack: STACK, dir, passphrase: PASSPHRASE, keep: true });
        const steps: { op: string; urn: string; diffs: readonly string[] }[] = [];
        const preview = await stack.preview({
            onEvent: (e) =>
                e.resourcePreEvent !== undefined && steps.push({ op: e.resourcePreEvent.metadata.op, urn: e.resourcePreEvent.metadata.urn, diffs: e.resourcePreEvent.metadata.diffs ?? [] }),
        });
        // Every resource of the state gets a step, and every step is `same` but the updates of CHANGED_SINCE. The summary leaves out default providers:
        // the state holds one, `pulumi:providers:pulumi::default` (the built-in package's), and the program's own
        // Kubernetes provider `k8s` is counted like any resource.
        const defaultProviders = created.filter((r) => r.type.startsWith("pulumi:providers:") && /::default(_[0-9_]+)?$/.test(r.urn)).map((r) => r.urn.split("::").slice(2).join("::"));
        assert.deepStrictEqual(defaultProviders, ["pulumi:providers:pulumi::default"]);
        const updated = CHANGED_SINCE.length;
        const same = created.length - defaultProviders.length - updated;
        const stepUrns = new Set(steps.map((x) => x.urn));
        assert.deepStrictEqual(
            {
                summary: preview.changeSummary,
                notStepped: created.map((r) => renamed(r.urn)).filter((u) => !stepUrns.has(u)),
                changed: steps.filter((x) => x.op !== "same").map((x) => `${x.op} ${x.urn} [${x.diffs.join(", ")}]`),
            },
            {
                summary: { same, update: updated },
                notStepped: [],
                changed: steps
                    .filter((x) => x.op !== "same")
                    .map((x) => {
                        const expected = CHANGED_SINCE.find((c) => x.urn.endsWith(c.urn));
                        return `update ${x.urn} [${(expected?.diffs ?? ["not a change the program made since"]).join(", ")}]`;
                    }),
            },
        );
        const up = await stack.up();
        assert.strictEqual(up.summary.result, "succeeded");
        assert.deepStrictEqual(up.summary.resourceChanges, { same, update: updated });

        const after = await resources(stack);
        // Each resource is the one it was, under its new URN, and no object was recreated on the server.
        assert.deepStrictEqual(after.map((r) => r.urn).sort(), created.map((r) => renamed(r.urn)).sort());
        assert.ok(
            after.some((r) => r.urn.includes("observability:index:Jaeger$kubernetes:helm.sh/v4:Chart$")),
            "the chart's objects under the renamed parents",
        );
        assert.deepStrictEqual(uids(after), uids(created, renamed));
        assert.ok(Object.keys(uids(after)).length > 60);

        // The state no longer holds an old token, and the next up changes nothing either.
        assert.deepStrictEqual(
            after.filter((r) => Object.values(COMPONENT_TYPES).some((t) => (t.previous as readonly string[]).some((p) => r.urn.includes(p)))),
            [],
        );
        assert.deepStrictEqual((await stack.up()).summary.resourceChanges, { same: same + updated });
    });

    it("destroys the stack with the current program", async () => {
        await stack.destroy();
        assert.deepStrictEqual(
            (await resources(stack)).map((r) => r.type),
            [],
        );
    });
});
