import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { one, resetRegistered, settle, testProvider } from "../mocks";

describe("MeshTelemetry", () => {
    let t: typeof import("../../components/meshTelemetry");
    before(async () => {
        t = await import("../../components/meshTelemetry");
    });
    beforeEach(resetRegistered);

    it("creates global-sampling in istio-system with the configured sampling and the JSON access log", async () => {
        new t.MeshTelemetry("telemetry", { samplingPercentage: 2.5 }, { provider: testProvider() });
        await settle();
        const r = one("kubernetes:telemetry.istio.io/v1:Telemetry", "telemetry-telemetry");
        assert.deepStrictEqual(r.inputs, {
            apiVersion: "telemetry.istio.io/v1",
            kind: "Telemetry",
            metadata: { name: "global-sampling", namespace: "istio-system" },
            spec: {
                tracing: [{ providers: [{ name: "jaeger" }], randomSamplingPercentage: 2.5 }],
                accessLogging: [{ providers: [{ name: "json-access-log" }] }],
            },
        });
    });

    it("refuses a sampling percentage outside 0-100", () => {
        assert.throws(
            () => t.telemetrySpec(100.5),
            (e: Error) => {
                assert.ok(pulumi.InputPropertyError.isInstance(e), String(e));
                assert.deepStrictEqual([e.propertyPath, e.message], ["samplingPercentage", "MeshTelemetry: samplingPercentage 100.5 must be from 0 to 100"]);
                return true;
            },
        );
        assert.throws(() => new t.MeshTelemetry("bad", { samplingPercentage: -1 }), { propertyPath: "samplingPercentage", message: "MeshTelemetry: samplingPercentage -1 must be from 0 to 100" });
        assert.deepStrictEqual((t.telemetrySpec(0).tracing as any)[0].randomSamplingPercentage, 0);
    });
});
