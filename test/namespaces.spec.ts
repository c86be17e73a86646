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
        assert.deepStrictEqual(
            namespacePlan(
                settings(true),
                new Map([
                    ["chat", theirs],
                    ["istio-system", ours],
                ]),
                ME,
            ),
            { "istio-system": "create", auth: "create", chat: "adopt" },
        );
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
        assert.deepStrictEqual(
            namespacePlan(
                settings(false),
                new Map([
                    ["auth", theirs],
                    ["chat", theirs],
                ]),
                ME,
            ),
            { "istio-system": "create", auth: "adopt", chat: "adopt" },
        );
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

describe("fieldManagerTransform", () => {
    it("gives every Kubernetes object the stack's field manager, and leaves charts, providers and components alone", async () => {
        const { fieldManagerTransform, FIELD_MANAGER } = await import("../components/options");
        const args = (type: string, custom: boolean, props: Record<string, unknown>) => ({ type, name: "x", custom, props, opts: {} });
        const out = fieldManagerTransform(args("kubernetes:apps/v1:Deployment", true, { metadata: { name: "kiali", annotations: { a: "b" } } }));
        assert.deepStrictEqual(out?.props.metadata, { name: "kiali", annotations: { a: "b", "pulumi.com/patchFieldManager": FIELD_MANAGER } });
        assert.deepStrictEqual(fieldManagerTransform(args("kubernetes:core/v1:Namespace", true, {}))?.props.metadata, { annotations: { "pulumi.com/patchFieldManager": "observability-stack" } });
        for (const [type, custom] of [
            ["kubernetes:helm.sh/v4:Chart", false],
            ["pulumi:providers:kubernetes", true],
            ["observability:index:Jaeger", false],
        ] as const) {
            assert.strictEqual(fieldManagerTransform(args(type, custom, { metadata: {} })), undefined, type);
        }
        const own = { metadata: { annotations: { "pulumi.com/patchFieldManager": "mine" } } };
        assert.strictEqual(fieldManagerTransform(args("kubernetes:core/v1:Service", true, own)), undefined, "an explicit manager wins");
    });
});
