/**
 * The project's program plus one object registered last, after the whole stack (it depends on the stack
 * component, so an update creates it after every other object), for the real-engine test that a deploy is
 * judged before anything changes (e2e/guard.e2e.ts). Stack config `guardTest:violation` chooses the object:
 *
 * - `resource`: a second mesh config (`istio-canary`) with the deprecated `defaultConfig.tracing` block,
 *   denied by the resource policy mesh-config-must-not-use-deprecated-tracing;
 * - `stack`: a namespace `guard-isolated` whose only NetworkPolicy restricts egress without a DNS rule, denied by
 *   the stack policy egress-restricted-namespaces-must-allow-dns (judged after every resource is registered);
 * - unset: nothing more (the stack passes).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as yaml from "js-yaml";
import { buildStack } from "../../../program";
import { COLLECTOR_SERVICE, JAEGER_PORTS, PROVIDER_NAMES, SYSTEM_NAMESPACE } from "../../../lib/constants";

const GUARD_NAMESPACE = "guard-isolated";

export = async () => {
    const { stack, outputs } = await buildStack();
    const violation = new pulumi.Config("guardTest").get("violation");
    const opts = { provider: new k8s.Provider("guard-k8s", { enableServerSideApply: true }), dependsOn: [stack] };
    if (violation === "resource") {
        const mesh = {
            defaultConfig: { tracing: { sampling: 100 } },
            defaultProviders: { tracing: [PROVIDER_NAMES.tracing], metrics: ["prometheus"] },
            extensionProviders: [{ name: PROVIDER_NAMES.tracing, zipkin: { service: `${COLLECTOR_SERVICE.name}.${SYSTEM_NAMESPACE}.svc.cluster.local`, port: JAEGER_PORTS.zipkin } }],
        };
        new k8s.core.v1.ConfigMap("guard-canary-mesh", { metadata: { name: "istio-canary", namespace: SYSTEM_NAMESPACE }, data: { mesh: yaml.dump(mesh) } }, opts);
    } else if (violation === "stack") {
        // A namespace of its own: in an app namespace the stack's DNS policy would still allow DNS (policies add up).
        const ns = new k8s.core.v1.Namespace("guard-isolated", { metadata: { name: GUARD_NAMESPACE } }, opts);
        new k8s.networking.v1.NetworkPolicy(
            "guard-egress-without-dns",
            { metadata: { name: "deny-egress-but-https", namespace: GUARD_NAMESPACE }, spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{ ports: [{ port: 443, protocol: "TCP" }] }] } },
            { ...opts, dependsOn: [stack, ns] },
        );
    } else if (violation !== undefined) {
        throw new pulumi.RunError(`guardTest:violation: got ${JSON.stringify(violation)}; expected resource, stack or unset`);
    }
    return outputs;
};
