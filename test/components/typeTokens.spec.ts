import * as assert from "assert";
import { parseStackConfig } from "../../config";
import { one, registered, resetRegistered, settle, testProvider, valueOf } from "../mocks";
import { stackRawConfig } from "../stackFiles";

/** The tokens the components had until commit a1d4ad7, as the state of a stack created then holds them. */
const BEFORE: Readonly<Record<string, string>> = {
    ExternalServices: "observability:istio:ExternalServices",
    IstioMesh: "observability:istio:IstioMesh",
    Jaeger: "observability:tracing:Jaeger",
    JaegerIngressPolicies: "observability:network:JaegerIngressPolicies",
    Kiali: "observability:mesh:Kiali",
    MeshTelemetry: "observability:istio:MeshTelemetry",
    PrometheusMonitors: "observability:metrics:PrometheusMonitors",
    TracingNetworkPolicies: "observability:network:TracingNetworkPolicies",
    UiExposure: "observability:ui:UiExposure",
};

/** The dev stack's component, as program.ts builds it, with `provider`. */
async function devStack(provider = testProvider()): Promise<void> {
    const { ObservabilityStack } = await import("../../components");
    const { observabilityStackArgs } = await import("../../program");
    new ObservabilityStack(
        "observability",
        observabilityStackArgs(parseStackConfig(stackRawConfig("dev")), { kialiSigningKey: "0123456789abcdef", namespaces: { "istio-system": "create" }, owner: "observability-stack/unit" }),
        { provider },
    );
}

describe("component type tokens", () => {
    let c: typeof import("../../components");
    before(async () => {
        c = await import("../../components");
    });
    beforeEach(resetRegistered);

    it("registers every component of the dev stack under observability:index, each with its token before a1d4ad7 as an alias", async () => {
        await devStack();
        await settle();
        const components = registered.filter((r) => r.type.startsWith("observability:"));
        assert.deepStrictEqual(components.map((r) => r.type).sort(), [
            "observability:index:ExternalServices",
            "observability:index:IstioMesh",
            "observability:index:Jaeger",
            "observability:index:JaegerIngressPolicies",
            "observability:index:Kiali",
            "observability:index:MeshTelemetry",
            "observability:index:ObservabilityStack",
            "observability:index:PrometheusMonitors",
            "observability:index:TracingNetworkPolicies",
            "observability:index:UiExposure",
        ]);
        // The SDK fills in the alias's parent: the component's own, whose type has not changed.
        const parentUrn = "urn:pulumi:unit::observability-stack::observability:index:ObservabilityStack::observability";
        for (const r of components) {
            const name = r.type.split(":")[2];
            assert.deepStrictEqual(r.aliases, name === "ObservabilityStack" ? [] : [{ type: BEFORE[name], parentUrn }], r.type);
        }
    });

    it("keeps the table of previous tokens the same as the tokens a1d4ad7 registered", async () => {
        const { COMPONENT_TYPES } = await import("../../components/typeTokens");
        const previous = Object.fromEntries(Object.entries(COMPONENT_TYPES).flatMap(([name, t]) => t.previous.map((p) => [name, p])));
        assert.deepStrictEqual(previous, BEFORE);
    });

    it("adds the previous token to the aliases the caller passes", async () => {
        new c.MeshTelemetry("telemetry", { samplingPercentage: 1 }, { provider: testProvider(), aliases: [{ name: "old-telemetry" }] });
        await settle();
        assert.deepStrictEqual(one("observability:index:MeshTelemetry", "telemetry").aliases, [{ name: "old-telemetry" }, { type: "observability:istio:MeshTelemetry" }]);
    });
});

/** How a request names a provider: `<urn>::<id>`. */
async function providerRef(provider: ReturnType<typeof testProvider>): Promise<string> {
    return `${await valueOf(provider.urn)}::${await valueOf(provider.id)}`;
}

describe("component Kubernetes provider", () => {
    let c: typeof import("../../components");
    before(async () => {
        c = await import("../../components");
    });
    beforeEach(resetRegistered);

    const TELEMETRY = "kubernetes:telemetry.istio.io/v1:Telemetry";

    it("gives the children the provider of the component's `provider` option", async () => {
        const provider = testProvider();
        new c.MeshTelemetry("telemetry", { samplingPercentage: 1 }, { provider });
        await settle();
        assert.strictEqual(one(TELEMETRY, "telemetry-telemetry").provider, await providerRef(provider));
    });

    it("gives the children the provider of the component's `providers` map", async () => {
        const provider = testProvider();
        new c.MeshTelemetry("telemetry", { samplingPercentage: 1 }, { providers: { kubernetes: provider } });
        await settle();
        assert.strictEqual(one(TELEMETRY, "telemetry-telemetry").provider, await providerRef(provider));
    });

    it("gives every Kubernetes object and chart of the whole stack the stack's provider", async () => {
        const provider = testProvider();
        await devStack(provider);
        await settle();
        const ref = await providerRef(provider);
        const kubernetes = registered.filter((r) => r.type.startsWith("kubernetes:"));
        assert.ok(kubernetes.length > 40, `${kubernetes.length}`);
        assert.deepStrictEqual(
            kubernetes.filter((r) => r.provider !== ref).map((r) => `${r.type} ${r.name}`),
            [],
        );
    });

    it("uses the default provider when a component is used alone without one", async () => {
        new c.MeshTelemetry("telemetry", { samplingPercentage: 1 });
        await settle();
        // An empty reference is the engine's default provider (the ambient kubeconfig).
        assert.strictEqual(one(TELEMETRY, "telemetry-telemetry").provider, "");
    });
});
