import * as assert from "assert";
import { ConfigError, parseStackConfig } from "../config";
import { OWNER_ANNOTATION, ObservedNamespace, namespaceOwnership } from "../lib/namespaces";
import { namespacePlan } from "../program";

const ME = "observability-stack/dev";
const absent: ObservedNamespace = { exists: false };
const theirs: ObservedNamespace = { exists: true, annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}" } };
const ours: ObservedNamespace = { exists: true, annotations: { [OWNER_ANNOTATION]: ME } };

describe("namespace ownership", () => {
    it("creates a missing namespace and keeps owning the ones it marked, and only those", () => {
        assert.strictEqual(namespaceOwnership(absent, ME), "create");
        assert.strictEqual(namespaceOwnership(ours, ME), "create");
        assert.strictEqual(namespaceOwnership(theirs, ME), "adopt");
        assert.strictEqual(namespaceOwnership({ exists: true, annotations: { [OWNER_ANNOTATION]: "observability-stack/production" } }, ME), "adopt", "another stack's namespace");
    });

    const settings = (createAppNamespaces: boolean) => parseStackConfig({ environment: "dev", kiali: { authStrategy: "anonymous" }, appNamespaces: ["auth", "chat"], createAppNamespaces });

    it("adopts an istio-system that exists before the first up (it may hold the user's Secrets)", () => {
        const plan = namespacePlan(settings(true), new Map([["istio-system", theirs]]), ME);
        assert.deepStrictEqual(plan, { "istio-system": "adopt", auth: "create", chat: "create" });
    });

    it("with createAppNamespaces true creates the missing app namespaces and adopts the existing ones", () => {
        assert.deepStrictEqual(namespacePlan(settings(true), new Map([["chat", theirs], ["istio-system", ours]]), ME), { "istio-system": "create", auth: "create", chat: "adopt" });
    });

    it("with createAppNamespaces false refuses a missing app namespace before registering anything", () => {
        assert.throws(
            () => namespacePlan(settings(false), new Map([["auth", theirs]]), ME),
            (e: unknown) => {
                assert.ok(e instanceof ConfigError);
                assert.deepStrictEqual(e.problems, [
                    'appNamespaces[1]: got "chat"; the namespace does not exist in the cluster: create it first, or set createAppNamespaces true to let the stack create it (and delete it on destroy)',
                ]);
                return true;
            },
        );
        assert.deepStrictEqual(namespacePlan(settings(false), new Map([["auth", theirs], ["chat", theirs]]), ME), { "istio-system": "create", auth: "adopt", chat: "adopt" });
    });
});

describe("clusterServiceNamespace", () => {
    it("reads the namespace of an in-cluster service URL, and nothing of an external one", async () => {
        const { clusterServiceNamespace } = await import("../components/observabilityStack");
        assert.deepStrictEqual(clusterServiceNamespace("http://prometheus-operated.prometheus.svc.cluster.local:9090"), ["prometheus"]);
        assert.deepStrictEqual(clusterServiceNamespace("http://prometheus.monitoring:9090"), ["monitoring"]);
        assert.deepStrictEqual(clusterServiceNamespace("http://prometheus.monitoring.svc:9090"), ["monitoring"]);
        assert.strictEqual(clusterServiceNamespace("https://prometheus.example.com"), undefined);
        assert.strictEqual(clusterServiceNamespace("http://prometheus:9090"), undefined);
    });
});
