/**
 * `charts.<role>.values` from a stack file through the CLI: the values reach what the charts render,
 * the releases record, and the policy pack, which judges the merged result like any other.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { EngineEvent } from "@pulumi/pulumi/automation";
import { previewedObject } from "../decoders/render";
import { COLLECTOR_SERVICE, RELEASES_CONFIGMAP } from "../lib/constants";
import { WORK_DIR, POLICY_PACK, PolicyEvent, airGapped, configSet, policyConfig, policyEventOf, workspaceStack } from "./harness";

const TOLERATIONS = [{ key: "dedicated", operator: "Equal", value: "observability", effect: "NoSchedule" }];
/** A zipkin provider copied from an old values file: lists replace the stack's, so the mesh would report to a Service that does not exist. */
const STALE_PROVIDERS = [{ name: "jaeger", zipkin: { service: "zipkin.istio-system.svc.cluster.local", port: 9411 } }];

describe("charts.<role>.values", function () {
    this.timeout(600_000);

    it("merges a stack file's values into the rendered objects and the releases record, and the pack judges the result", async () => {
        const stack = await workspaceStack({ stack: "values", dir: path.join(WORK_DIR, "e2e", "values"), from: "local", passphrase: "e2e-only-passphrase" });
        await configSet(stack, airGapped());
        // Edited in the stack file, as a user writes a values block.
        const file = path.join(stack.workspace.workDir, "Pulumi.values.yaml");
        const doc = yaml.load(fs.readFileSync(file, "utf8")) as { config: Record<string, any> };
        const charts = doc.config["observability-stack:charts"];
        charts.kiali.values = { deployment: { tolerations: TOLERATIONS, image_pull_secrets: ["registry-credentials"] } };
        charts.istiod.values = { meshConfig: { extensionProviders: STALE_PROVIDERS } };
        fs.writeFileSync(file, yaml.dump(doc));

        const policies: PolicyEvent[] = [];
        const objects: any[] = [];
        const onEvent = (e: EngineEvent) => {
            const o = previewedObject(e);
            if (o !== undefined) {
                objects.push(o.object);
            }
            const p = policyEventOf(e);
            if (p !== undefined) {
                policies.push(p);
            }
        };
        await assert.rejects(stack.preview({ policyPacks: [POLICY_PACK], policyPackConfigs: [policyConfig("dev")], onEvent }));

        const kiali = objects.find((o) => o.kind === "Deployment" && o.metadata.name === "kiali");
        assert.deepStrictEqual(kiali?.spec.template.spec.tolerations, TOLERATIONS);
        assert.deepStrictEqual(kiali?.spec.template.spec.imagePullSecrets, [{ name: "registry-credentials" }]);
        const record = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === RELEASES_CONFIGMAP.name);
        const releases = JSON.parse(record.data[RELEASES_CONFIGMAP.key]) as { chart: string; values: any }[];
        assert.deepStrictEqual(releases.find((r) => r.chart === "istiod")?.values.meshConfig.extensionProviders, STALE_PROVIDERS);

        const mandatory = policies.filter((p) => p.level === "mandatory");
        assert.ok(
            mandatory.some(
                (p) =>
                    p.policy === "zipkin-target-must-be-clusterip-service-selecting-pods" && p.message.includes("zipkin.istio-system.svc.cluster.local") && p.message.includes(COLLECTOR_SERVICE.name),
            ),
            `the pack did not judge the merged mesh config; it reported:\n  ${policies.map((p) => `${p.level} ${p.policy}: ${p.message}`).join("\n  ")}`,
        );
        assert.ok(!mandatory.some((p) => p.policy.startsWith("kiali")), "the tolerations and pull secrets are fine");
    });
});
