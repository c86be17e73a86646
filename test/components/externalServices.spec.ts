import * as assert from "assert";
import { ofType, resetRegistered, settle, testProvider } from "../mocks";

describe("ExternalServices", () => {
    let e: typeof import("../../components/externalServices");
    before(async () => {
        e = await import("../../components/externalServices");
    });
    beforeEach(resetRegistered);

    it("creates one MESH_EXTERNAL ServiceEntry with resolution DNS per configured service", async () => {
        new e.ExternalServices("external", {
            provider: testProvider(),
            services: [
                { name: "kakao-oauth", hosts: ["kauth.kakao.com", "kapi.kakao.com"], port: 443 },
                { name: "openai-external", hosts: ["api.openai.com"], port: 443 },
            ],
        });
        await settle();
        const entries = ofType("kubernetes:networking.istio.io/v1:ServiceEntry");
        assert.deepStrictEqual(
            entries.map((r) => r.inputs).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)),
            [
                {
                    apiVersion: "networking.istio.io/v1",
                    kind: "ServiceEntry",
                    metadata: { name: "kakao-oauth", namespace: "istio-system" },
                    spec: { hosts: ["kauth.kakao.com", "kapi.kakao.com"], location: "MESH_EXTERNAL", ports: [{ number: 443, name: "https", protocol: "HTTPS" }], resolution: "DNS" },
                },
                {
                    apiVersion: "networking.istio.io/v1",
                    kind: "ServiceEntry",
                    metadata: { name: "openai-external", namespace: "istio-system" },
                    spec: { hosts: ["api.openai.com"], location: "MESH_EXTERNAL", ports: [{ number: 443, name: "https", protocol: "HTTPS" }], resolution: "DNS" },
                },
            ],
        );
    });

    it("refuses a service without hosts", () => {
        assert.throws(() => e.serviceEntrySpec({ name: "empty", hosts: [], port: 443 }), { message: 'ExternalServices: service "empty" needs at least one host' });
    });
});
