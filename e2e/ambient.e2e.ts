/**
 * Ambient mode through the users' commands (#25): the local stack with `mesh.dataPlane ambient`, changed only with
 * `pulumi config set`, against the e2e control plane and the upstream 1.30.3 charts (cni and ztunnel included) from the
 * loopback mirror. A cluster without the Gateway API CRDs is refused in one line before anything changes; with them
 * the stack previews under the pack with no mandatory violation, `up` creates what ambient mode needs, a second `up`
 * changes nothing, and `destroy` leaves no object of the stack's behind.
 */
import * as assert from "assert";
import * as path from "path";
import { Stack } from "@pulumi/pulumi/automation";
import { AMBIENT_DAEMONSETS, AMBIENT_LABELS, SYSTEM_NAMESPACE, WAYPOINT } from "../lib/constants";
import { WORK_DIR, airGapped, changes, configSet, exists, kubectlJson, previewWithPolicies, waitNamespacesGone, workspaceStack } from "./harness";
import { applyGatewayApiCrds, deleteGatewayApiCrds } from "./gatewayApi";

const APP_NAMESPACES = ["auth", "chat"];

describe("pulumi CLI, the local stack in ambient mode (mesh.dataPlane ambient, Istio 1.30.3)", function () {
    this.timeout(600_000);
    let stack: Stack;

    before(async () => {
        waitNamespacesGone([...APP_NAMESPACES, SYSTEM_NAMESPACE]);
        deleteGatewayApiCrds();
        stack = await workspaceStack({ stack: "ambient", dir: path.join(WORK_DIR, "e2e", "ambient"), from: "local", passphrase: "e2e-only-passphrase" });
        await configSet(stack, [...airGapped(), { key: "mesh.dataPlane", value: "ambient" }]);
    });

    after(async () => {
        await stack.destroy().catch(() => undefined);
        waitNamespacesGone([...APP_NAMESPACES, SYSTEM_NAMESPACE]);
    });

    it("refuses a cluster without the Gateway API CRDs in one line with the fix, and changes nothing", async () => {
        const r = await previewWithPolicies(stack, "dev");
        assert.strictEqual(r.ok, false);
        assert.ok(r.error.includes("invalid stack configuration:"), r.error);
        assert.ok(
            r.error.includes(
                'mesh.dataPlane: got "ambient"; the cluster lacks the Gateway API CRDs gateways.gateway.networking.k8s.io, gatewayclasses.gateway.networking.k8s.io (v1), which waypoints need: install them first (kubectl apply --server-side -f https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/standard-install.yaml), or use sidecar',
            ),
            r.error,
        );
        assert.ok(!/\n\s+at /.test(r.error), `no stack trace: ${r.error}`);
        assert.ok(!exists(["namespace", SYSTEM_NAMESPACE]));
    });

    it("previews under the pack with policy/config/dev.json: no mandatory violation", async () => {
        applyGatewayApiCrds();
        const r = await previewWithPolicies(stack, "dev");
        assert.ok(r.ok, r.error);
        assert.deepStrictEqual(
            r.policies.filter((p) => p.level === "mandatory"),
            [],
        );
        assert.ok((r.changes.create ?? 0) > 60, JSON.stringify(r.changes));
    });

    it("runs pulumi up: the cni agent and ztunnel, istiod in ambient mode, the app namespaces enrolled, one waypoint each", async () => {
        const up = await stack.up();
        assert.strictEqual(up.summary.result, "succeeded");
        for (const ds of Object.values(AMBIENT_DAEMONSETS)) {
            assert.strictEqual(kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "daemonset", ds]).metadata.name, ds);
        }
        const istiod = kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "deployment", "istiod"]);
        const env: { name: string; value?: string }[] = istiod.spec.template.spec.containers[0].env;
        assert.strictEqual(env.find((e) => e.name === "PILOT_ENABLE_AMBIENT")?.value, "true");
        for (const ns of APP_NAMESPACES) {
            const labels = kubectlJson(["get", "namespace", ns]).metadata.labels;
            assert.strictEqual(labels[AMBIENT_LABELS.dataplaneMode], "ambient");
            assert.strictEqual(labels[AMBIENT_LABELS.useWaypoint], WAYPOINT.name);
            assert.strictEqual(labels["istio-injection"], undefined);
            const gw = kubectlJson(["-n", ns, "get", "gateways.gateway.networking.k8s.io", WAYPOINT.name]);
            assert.deepStrictEqual(gw.spec.listeners, [{ ...WAYPOINT.listener, allowedRoutes: { namespaces: { from: "Same" } } }]);
            assert.strictEqual(gw.spec.gatewayClassName, WAYPOINT.gatewayClassName);
        }
    });

    it("changes nothing on a second pulumi up", async () => {
        const up = await stack.up();
        assert.deepStrictEqual(changes(up.summary), {});
    });

    it("leaves no waypoint, DaemonSet or namespace of its own behind on destroy", async () => {
        await stack.destroy();
        waitNamespacesGone([...APP_NAMESPACES, SYSTEM_NAMESPACE]);
        for (const ns of APP_NAMESPACES) {
            assert.ok(!exists(["namespace", ns]), `namespace ${ns} is gone`);
        }
        assert.ok(!exists(["-n", SYSTEM_NAMESPACE, "daemonset", AMBIENT_DAEMONSETS.ztunnel]));
    });
});
