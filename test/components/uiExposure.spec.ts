import * as assert from "assert";
import { ofType, resetRegistered, settle, testProvider } from "../mocks";

describe("UiExposure", () => {
    let u: typeof import("../../components/uiExposure");
    before(async () => {
        u = await import("../../components/uiExposure");
    });
    beforeEach(resetRegistered);

    it("routes each configured host to the Kiali Service and the Jaeger query ClusterIP Service", async () => {
        const ui = new u.UiExposure(
            "ui",
            {
                kialiHost: "kiali.dev.growbin.app",
                jaegerHost: "jaeger.dev.growbin.app",
                tlsSecretName: "tls",
                annotations: { "nginx.ingress.kubernetes.io/auth-url": "https://auth" },
            },
            { provider: testProvider() },
        );
        await settle();
        const ingresses = ofType("kubernetes:networking.k8s.io/v1:Ingress").sort((a, b) => a.name.localeCompare(b.name));
        assert.deepStrictEqual(
            ingresses.map((i) => [i.inputs.metadata.name, i.inputs.spec.rules[0].host, i.inputs.spec.rules[0].http.paths[0].backend.service, i.inputs.spec.tls]),
            [
                ["jaeger-ui", "jaeger.dev.growbin.app", { name: "jaeger-query-clusterip", port: { number: 16686 } }, [{ hosts: ["jaeger.dev.growbin.app"], secretName: "tls" }]],
                ["kiali-ui", "kiali.dev.growbin.app", { name: "kiali", port: { number: 20001 } }, [{ hosts: ["kiali.dev.growbin.app"], secretName: "tls" }]],
            ],
        );
        assert.deepStrictEqual(ingresses[0].inputs.metadata.annotations, { "nginx.ingress.kubernetes.io/auth-url": "https://auth" });
        assert.strictEqual(ingresses[0].inputs.spec.ingressClassName, "nginx");
        assert.deepStrictEqual(ui.urls, { kiali: "https://kiali.dev.growbin.app", jaeger: "https://jaeger.dev.growbin.app" });
    });

    it("exposes nothing when no host is configured", async () => {
        new u.UiExposure("ui", {}, { provider: testProvider() });
        await settle();
        assert.strictEqual(ofType("kubernetes:networking.k8s.io/v1:Ingress").length, 0);
    });
});
