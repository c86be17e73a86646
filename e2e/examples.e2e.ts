/**
 * The programs under examples/ as a user runs them: the Pulumi CLI previews each one (its own
 * Pulumi.yaml, its own config) against the local control plane, the charts from the loopback mirror.
 */
import * as assert from "assert";
import * as path from "path";
import { EngineEvent } from "@pulumi/pulumi/automation";
import { previewedObject } from "../decoders/render";
import { CHARTS_URL, PROJECT_DIR, WORK_DIR, workspaceStack } from "./harness";

describe("examples/", function () {
    this.timeout(600_000);

    it("jaeger-standalone previews Jaeger and its ingress policies in a namespace of its own, with its values merged in", async () => {
        const stack = await workspaceStack({
            stack: "example",
            dir: path.join(WORK_DIR, "e2e", "example-jaeger"),
            passphrase: "e2e-only-passphrase",
            project: path.join(PROJECT_DIR, "examples", "jaeger-standalone"),
        });
        await stack.setConfig("jaeger-standalone:chartRepo", { value: CHARTS_URL });
        const objects: { kind: string; name: string; namespace?: string; spec?: any }[] = [];
        const onEvent = (e: EngineEvent) => {
            const o = previewedObject(e);
            if (o !== undefined) {
                objects.push({ kind: o.object.kind, name: o.object.metadata.name, namespace: o.object.metadata.namespace, spec: o.object.spec });
            }
        };
        const r = await stack.preview({ onEvent });
        assert.strictEqual(r.changeSummary.delete ?? 0, 0);
        const deployment = objects.find((o) => o.kind === "Deployment" && o.name === "jaeger");
        assert.ok(deployment !== undefined, `no jaeger Deployment among ${objects.map((o) => `${o.kind}/${o.name}`).join(", ")}`);
        assert.strictEqual(deployment.namespace, "tracing");
        assert.deepStrictEqual(deployment.spec.template.spec.tolerations, [{ key: "dedicated", operator: "Equal", value: "tracing", effect: "NoSchedule" }]);
        assert.ok(
            objects.some((o) => o.kind === "NetworkPolicy" && o.namespace === "tracing"),
            "the ingress policies are in the example's namespace",
        );
        assert.ok(objects.some((o) => o.kind === "Namespace" && o.name === "tracing"));
    });
});
