/**
 * The validating webhooks istiod patches at runtime (failurePolicy Fail and a caBundle, under its own field
 * manager): no istiod runs on the e2e control plane, so the stack tests patch and restore them the same way.
 */
import { SYSTEM_NAMESPACE } from "../lib/constants";
import { kubectl, kubectlJson } from "./harness";

export const VALIDATORS = { default: "istiod-default-validator", istiod: `istio-validator-${SYSTEM_NAMESPACE}` };
export const FAKE_CA = Buffer.from("-----BEGIN CERTIFICATE-----\nZmFrZS1jYS1mb3ItdGVzdHM=\n-----END CERTIFICATE-----\n").toString("base64");

/** Patches a validating webhook the way istiod does at runtime: Fail + caBundle, under its own field manager. */
export function patchLikeIstiod(name: string): void {
    const webhooks = kubectlJson(["get", "validatingwebhookconfiguration", name]).webhooks as unknown[];
    const ops = webhooks.flatMap((_, i) => [
        { op: "replace", path: `/webhooks/${i}/failurePolicy`, value: "Fail" },
        { op: "add", path: `/webhooks/${i}/clientConfig/caBundle`, value: FAKE_CA },
    ]);
    kubectl(["patch", "validatingwebhookconfiguration", name, "--type=json", "--field-manager=pilot-discovery", `-p=${JSON.stringify(ops)}`]);
}

export function restoreWithoutIstiod(name: string): void {
    const webhooks = kubectlJson(["get", "validatingwebhookconfiguration", name]).webhooks as unknown[];
    const ops = webhooks.flatMap((_, i) => [
        { op: "replace", path: `/webhooks/${i}/failurePolicy`, value: "Ignore" },
        { op: "remove", path: `/webhooks/${i}/clientConfig/caBundle` },
    ]);
    kubectl(["patch", "validatingwebhookconfiguration", name, "--type=json", "--field-manager=pilot-discovery", `-p=${JSON.stringify(ops)}`]);
}

export function webhookState(name: string): { failurePolicy: string; caBundle: string }[] {
    return (kubectlJson(["get", "validatingwebhookconfiguration", name]).webhooks as any[]).map((w) => ({ failurePolicy: w.failurePolicy, caBundle: w.clientConfig.caBundle ?? "" }));
}
