import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ofType, resetRegistered, settle, testProvider } from "../mocks";

describe("ExternalServices", () => {
    let e: typeof import("../../components/externalServices");
    before(async () => {
        e = await import("../../components/externalServices");
    });
    beforeEach(resetRegistered);

    it("creates one MESH_EXTERNAL ServiceEntry with resolution DNS per configured service", async () => {
        new e.ExternalServices(
            "external",
            {
                services: [
                    { name: "kakao-oauth", hosts: ["kauth.kakao.com", "kapi.kakao.com"], port: 443 },
                    { name: "openai-external", hosts: ["api.openai.com"], port: 443 },
                ],
            },
            { provider: testProvider() },
        );
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
        assert.throws(
            () => e.serviceEntrySpec({ name: "empty", hosts: [], port: 443 }),
            (err: Error) => {
                assert.ok(pulumi.InputPropertyError.isInstance(err), String(err));
                assert.deepStrictEqual([err.propertyPath, err.message], ["hosts", "ExternalServices: hosts: got []; a ServiceEntry needs at least one host name"]);
                return true;
            },
        );
    });

    it("names the path of every service without hosts at once, before registering any ServiceEntry", async () => {
        const services = [
            { name: "empty", hosts: [], port: 443 },
            { name: "ok", hosts: ["api.openai.com"], port: 443 },
            { name: "none", hosts: [], port: 443 },
        ];
        assert.throws(
            () => new e.ExternalServices("bad", { services }, { provider: testProvider() }),
            (err: Error) => {
                assert.ok(pulumi.InputPropertiesError.isInstance(err), String(err));
                assert.deepStrictEqual(err.errors, [
                    { propertyPath: "services[0].hosts", reason: "ExternalServices: services[0].hosts: got []; a ServiceEntry needs at least one host name" },
                    { propertyPath: "services[2].hosts", reason: "ExternalServices: services[2].hosts: got []; a ServiceEntry needs at least one host name" },
                ]);
                assert.strictEqual(
                    err.message,
                    "ExternalServices: 2 invalid arguments:\n  - ExternalServices: services[0].hosts: got []; a ServiceEntry needs at least one host name\n  - ExternalServices: services[2].hosts: got []; a ServiceEntry needs at least one host name",
                );
                return true;
            },
        );
        assert.throws(() => new e.ExternalServices("bad", { services: services.slice(0, 2) }, { provider: testProvider() }), {
            propertyPath: "services[0].hosts",
            message: "ExternalServices: services[0].hosts: got []; a ServiceEntry needs at least one host name",
        });
        await settle();
        assert.deepStrictEqual(ofType("kubernetes:networking.istio.io/v1:ServiceEntry"), []);
    });
});
