import * as assert from "assert";
import { one, resetRegistered, settle, testProvider } from "../mocks";

describe("MeshTelemetry", () => {
    let t: typeof import("../../components/meshTelemetry");
    before(async () => {
        t = await import("../../components/meshTelemetry");
    });
    beforeEach(resetRegistered);

    it("creates global-sampling in istio-system with the configured sampling and the JSON access log", async () => {
        new t.MeshTelemetry("telemetry", { provider: testProvider(), samplingPercentage: 2.5 });
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
        assert.throws(() => t.telemetrySpec(100.5), { message: "MeshTelemetry: samplingPercentage 100.5 must be from 0 to 100" });
        assert.deepStrictEqual((t.telemetrySpec(0).tracing as any)[0].randomSamplingPercentage, 0);
    });
});
