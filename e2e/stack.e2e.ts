/**
 * The users' own commands against a real API server: `pulumi preview --policy-pack ./policy
 * --policy-pack-config policy/config/<kind>.json`, `pulumi up`, `pulumi up --refresh` and
 * `pulumi destroy --stack <name>` run by the Pulumi CLI with the Node.js language host, on copies of
 * the committed stack files (e2e/lines.ts), the upstream charts from the loopback mirror.
 * Needs `scripts/cluster.sh up` first (`npm run test:e2e` does it).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { Stack } from "@pulumi/pulumi/automation";
import { jaegerChartLine } from "../lib/charts";
import { SYSTEM_NAMESPACE } from "../lib/constants";
import { checkObjects, checkProductionObjects, gone } from "./clusterState";
import { WORK_DIR, changes, configSet, ensureNamespace, exists, kubectl, kubectlJson, previewWithPolicies, workspaceStack } from "./harness";
import { FAKE_CA, VALIDATORS, patchLikeIstiod, restoreWithoutIstiod, webhookState } from "./istiodWebhooks";
import { shareDir } from "./tools";
import { STACKS, StackCase, TEST_SIGNING_KEY } from "./lines";

const PASSPHRASE = "e2e-only-passphrase";
const root = path.join(WORK_DIR, "e2e");

/**
 * The user's cluster runs the prometheus-operator: its PodMonitor and ServiceMonitor CRDs, as the operator's
 * module ships them (scripts/toolchain.sh prometheus-operator-crds), so the API server checks the monitors
 * against the real schemas. They stay after the test, as an operator's would.
 */
function applyPrometheusOperatorCrds(): void {
    kubectl(["apply", "--server-side", "--force-conflicts", "-f", path.join(shareDir(), "prometheus-operator-crds.yaml")]);
    kubectl(["wait", "--for=condition=Established", "crd/podmonitors.monitoring.coreos.com", "crd/servicemonitors.monitoring.coreos.com", "--timeout=60s"]);
}

/** The advisories a stack must report: exactly the end-of-life lines it installs (none on current versions). */
function expectedAdvisories(c: StackCase): string[] {
    const out: string[] = [];
    if (jaegerChartLine(c.versions.jaeger) === "v1") {
        out.push(`chart-versions-must-not-be-end-of-life: Chart jaeger ${c.versions.jaeger} must not be used: it runs Jaeger v1, end of life 2025-12-31; expected jaeger 4.x (Jaeger v2).`);
    }
    if (c.versions.istio.startsWith("1.24.")) {
        for (const chart of ["base", "gateway", "istiod"]) {
            out.push(`chart-versions-must-not-be-end-of-life: Chart ${chart} ${c.versions.istio} must not be used: Istio 1.24 is past its end of life (2025-06-24); expected Istio 1.28 or later.`);
        }
    }
    return out.sort();
}

/** Every place the plaintext of a secret could land: the stack's export, the backend's files (history and backups included), every ConfigMap. */
async function assertNoPlaintext(stack: Stack, backendDir: string, plaintext: string): Promise<void> {
    assert.ok(!JSON.stringify(await stack.exportStack()).includes(plaintext), "pulumi stack export holds the plaintext");
    const files = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
    const backendFiles = files(backendDir);
    assert.ok(backendFiles.length > 0);
    for (const f of backendFiles) {
        assert.ok(!fs.readFileSync(f).includes(plaintext), `${f} holds the plaintext`);
    }
    assert.ok(!kubectl(["get", "configmaps", "-A", "-o", "json"]).includes(plaintext), "a ConfigMap holds the plaintext");
}

for (const c of STACKS) {
    describe(`pulumi CLI, stack ${c.title}`, function () {
        this.timeout(600_000);
        let stack: Stack;

        before(async () => {
            // The user's cluster: app namespaces the stack does not create already exist.
            if (!c.createsAppNamespaces) {
                c.appNamespaces.forEach(ensureNamespace);
            }
            for (const o of c.userObjects ?? []) {
                ensureNamespace(o.namespace);
                kubectl(["-n", o.namespace, "create", o.kind, ...(o.kind === "secret" ? ["generic"] : []), o.name, ...Object.entries(o.data).map(([k, v]) => `--from-literal=${k}=${v}`)]);
            }
            if (c.prometheusOperator) {
                applyPrometheusOperatorCrds();
            }
            stack = await workspaceStack({ stack: c.stack, dir: path.join(root, c.stack), from: c.from, passphrase: PASSPHRASE });
            await configSet(stack, c.changes);
        });

        after(async () => {
            // What the user created is the user's to delete.
            const userNamespaces = new Set([...(c.createsAppNamespaces ? [] : c.appNamespaces), ...(c.userObjects ?? []).map((o) => o.namespace)]);
            for (const ns of userNamespaces) {
                kubectl(["delete", "namespace", ns, "--ignore-not-found", "--wait=true", "--timeout=120s"]);
            }
        });

        it(`previews under the pack with policy/config/${c.policy}.json: no mandatory violation, exactly the end-of-life advisories`, async () => {
            const r = await previewWithPolicies(stack, c.policy);
            assert.ok(r.ok, r.error);
            assert.deepStrictEqual(
                r.policies.filter((p) => p.level === "mandatory"),
                [],
            );
            assert.deepStrictEqual(r.policies.map((p) => `${p.policy}: ${p.message}`).sort(), expectedAdvisories(c));
            assert.ok((r.changes.create ?? 0) > 60, JSON.stringify(r.changes));
        });

        it("runs pulumi up and the API server holds what the stack file says", async () => {
            const up = await stack.up();
            assert.strictEqual(up.summary.result, "succeeded");
            assert.ok((up.summary.resourceChanges?.create ?? 0) > 60, JSON.stringify(up.summary.resourceChanges));
            checkObjects(c);
            if (c.from === "production") {
                checkProductionObjects();
            }
            await assertNoPlaintext(stack, path.join(root, c.stack, "state"), TEST_SIGNING_KEY);
        });

        it("changes nothing on a second pulumi up", async () => {
            const up = await stack.up();
            assert.deepStrictEqual(changes(up.summary), {});
        });

        it("neither reverts nor conflicts with the webhook fields istiod patches at runtime (up --refresh)", async () => {
            patchLikeIstiod(VALIDATORS.default);
            patchLikeIstiod(VALIDATORS.istiod);
            try {
                const patched = { default: webhookState(VALIDATORS.default), istiod: webhookState(VALIDATORS.istiod) };
                assert.ok(patched.default.every((w) => w.failurePolicy === "Fail" && w.caBundle === FAKE_CA));
                // With refresh the drift is read into the state: without ignoreChanges this up would revert it (or conflict).
                const up = await stack.up({ refresh: true });
                assert.strictEqual(up.summary.result, "succeeded");
                assert.deepStrictEqual(changes(up.summary), {});
                assert.deepStrictEqual({ default: webhookState(VALIDATORS.default), istiod: webhookState(VALIDATORS.istiod) }, patched);
                assert.deepStrictEqual(changes((await stack.up()).summary), {});
            } finally {
                // No istiod runs here (no nodes), so with failurePolicy Fail every later write to an Istio resource,
                // including the garbage collector removing its foregroundDeletion finalizer on destroy, would be
                // refused. A live istiod answers those calls; here its patch is undone by the same field manager.
                restoreWithoutIstiod(VALIDATORS.default);
                restoreWithoutIstiod(VALIDATORS.istiod);
            }
        });

        it("leaves nothing of its own behind on destroy but the Istio CRDs, and keeps what the user had", async () => {
            await stack.destroy();
            const adopted = new Set((c.userObjects ?? []).map((o) => o.namespace));
            if (!adopted.has(SYSTEM_NAMESPACE)) {
                assert.ok(gone(["namespace", SYSTEM_NAMESPACE]), "the stack created istio-system and deletes it");
            }
            for (const o of c.userObjects ?? []) {
                assert.strictEqual(kubectlJson(["get", "namespace", o.namespace]).status.phase, "Active", `namespace ${o.namespace} survives`);
                const kept = kubectlJson(["-n", o.namespace, "get", o.kind, o.name]).data;
                assert.deepStrictEqual(Object.fromEntries(Object.entries(kept).map(([k, v]) => [k, o.kind === "secret" ? Buffer.from(String(v), "base64").toString() : v])), o.data);
            }
            for (const ns of c.createsAppNamespaces ? [] : c.appNamespaces) {
                assert.strictEqual(kubectlJson(["get", "namespace", ns]).status.phase, "Active", `app namespace ${ns} existed before and survives`);
            }
            await assertNoPlaintext(stack, path.join(root, c.stack, "state"), TEST_SIGNING_KEY);
            assert.ok(!exists(["validatingwebhookconfiguration", VALIDATORS.default]));
            assert.ok(!exists(["mutatingwebhookconfiguration", "istio-sidecar-injector"]));
            assert.ok(!exists(["clusterrole", `istiod-clusterrole-${SYSTEM_NAMESPACE}`]));
            assert.ok(!exists(["clusterrole", "kiali"]));
            assert.ok(exists(["crd", "telemetries.telemetry.istio.io"]), "Istio CRDs are retained (README, Operations: what destroy keeps)");
            const state = await stack.exportStack();
            assert.deepStrictEqual(
                (state.deployment.resources ?? []).map((r: any) => r.type),
                [],
            );
            // Let the namespace controller finish before the next stack installs into istio-system again.
            if (!adopted.has(SYSTEM_NAMESPACE) && exists(["namespace", SYSTEM_NAMESPACE])) {
                kubectl(["wait", "--for=delete", `namespace/${SYSTEM_NAMESPACE}`, "--timeout=120s"]);
            }
        });
    });
}
