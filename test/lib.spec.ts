import * as assert from "assert";
import { OTLP_GRPC_ENDPOINT, ZIPKIN_HOST, appTracingEnv, appTracingEnvMap } from "../lib/appTracing";
import { EXACT_VERSION, jaegerChartLine, parseVersion } from "../lib/charts";

describe("appTracingEnv", () => {
    it("hands apps the collector endpoint, the B3 + W3C propagators and no metrics or logs exporters", () => {
        assert.deepStrictEqual(appTracingEnv("auth-api"), [
            { name: "OTEL_SERVICE_NAME", value: "auth-api" },
            { name: "OTEL_TRACES_EXPORTER", value: "otlp" },
            { name: "OTEL_EXPORTER_OTLP_PROTOCOL", value: "grpc" },
            { name: "OTEL_EXPORTER_OTLP_ENDPOINT", value: "http://jaeger-collector-clusterip.istio-system.svc.cluster.local:4317" },
            { name: "OTEL_METRICS_EXPORTER", value: "none" },
            { name: "OTEL_LOGS_EXPORTER", value: "none" },
            { name: "OTEL_PROPAGATORS", value: "b3,tracecontext,baggage" },
        ]);
        assert.strictEqual(OTLP_GRPC_ENDPOINT, "http://jaeger-collector-clusterip.istio-system.svc.cluster.local:4317");
        assert.strictEqual(ZIPKIN_HOST, "jaeger-collector-clusterip.istio-system.svc.cluster.local");
    });

    it("follows the mesh's tracing provider: W3C trace context without B3 for opentelemetry, B3 first for zipkin", () => {
        const propagators = (provider: "zipkin" | "opentelemetry") => appTracingEnvMap("auth-api", undefined, provider).OTEL_PROPAGATORS;
        assert.strictEqual(propagators("opentelemetry"), "tracecontext,baggage");
        assert.strictEqual(propagators("zipkin"), "b3,tracecontext,baggage");
        assert.deepStrictEqual(appTracingEnv("auth-api", OTLP_GRPC_ENDPOINT, "opentelemetry").slice(0, 6), appTracingEnv("auth-api").slice(0, 6));
    });

    it("follows what the proxies send: B3 first for b3, W3C trace context for b3+w3c (either would do) and for w3c", () => {
        const propagators = (sent: "b3" | "b3+w3c" | "w3c") => appTracingEnvMap("auth-api", undefined, sent).OTEL_PROPAGATORS;
        assert.deepStrictEqual([propagators("b3"), propagators("b3+w3c"), propagators("w3c")], ["b3,tracecontext,baggage", "tracecontext,baggage", "tracecontext,baggage"]);
        assert.deepStrictEqual(appTracingEnv("auth-api", OTLP_GRPC_ENDPOINT, "zipkin"), appTracingEnv("auth-api", OTLP_GRPC_ENDPOINT, "b3"));
        assert.deepStrictEqual(appTracingEnv("auth-api", OTLP_GRPC_ENDPOINT, "opentelemetry"), appTracingEnv("auth-api", OTLP_GRPC_ENDPOINT, "w3c"));
    });

    it("takes an endpoint override and returns the same values as a map", () => {
        assert.deepStrictEqual(appTracingEnvMap("auth-api", "http://127.0.0.1:4317").OTEL_EXPORTER_OTLP_ENDPOINT, "http://127.0.0.1:4317");
        assert.strictEqual(Object.keys(appTracingEnvMap("x")).length, 7);
    });

    it("rejects an empty or malformed service name", () => {
        assert.throws(() => appTracingEnv(""), { message: "appTracingEnv: serviceName \"\" must be 1-127 characters of letters, digits, '.', '_' or '-'" });
        assert.throws(() => appTracingEnv("a b"), { message: "appTracingEnv: serviceName \"a b\" must be 1-127 characters of letters, digits, '.', '_' or '-'" });
    });
});

describe("chart versions", () => {
    it("accepts exact versions only", () => {
        assert.deepStrictEqual(
            ["1.30.3", "4.11.1", "2.0.0-rc.1", "^4.0.0", "4.x", "~1.2.3", "", "v1.2.3", "1.2"].map((v) => EXACT_VERSION.test(v)),
            [true, true, true, false, false, false, false, false, false],
        );
        assert.deepStrictEqual(parseVersion("1.24.2"), { major: 1, minor: 24, patch: 2 });
        assert.strictEqual(parseVersion(">=1.0.0"), undefined);
    });

    it("picks the Jaeger line from the chart major", () => {
        assert.deepStrictEqual(["3.4.1", "4.0.0", "4.11.1", "5.0.0"].map(jaegerChartLine), ["v1", "v2", "v2", "v2"]);
    });
});

describe("in-memory trace store sizing", () => {
    it("reads Kubernetes memory quantities in bytes", async () => {
        const { quantityBytes } = await import("../lib/sizing");
        assert.deepStrictEqual(["512Mi", "2Gi", "1G", "500M", "1024Ki", "1073741824", "1.5Gi", "lots"].map(quantityBytes), [
            512 * 1024 ** 2,
            2 * 1024 ** 3,
            1e9,
            5e8,
            1024 ** 2,
            1073741824,
            1.5 * 1024 ** 3,
            undefined,
        ]);
    });

    it("gives three quarters of the memory beyond 64Mi to traces of 32 KiB (v1) or 16 KiB (v2), at least 1000", async () => {
        const { defaultMaxTraces } = await import("../lib/sizing");
        const limits = ["512Mi", "2Gi", "128Mi", "64Mi"];
        assert.deepStrictEqual(
            limits.map((l) => defaultMaxTraces(l, "v1")),
            [10752, 47616, 1536, 1000],
        );
        assert.deepStrictEqual(
            limits.map((l) => defaultMaxTraces(l, "v2")),
            [21504, 95232, 3072, 1000],
        );
        assert.throws(() => defaultMaxTraces("lots", "v1"), { message: 'defaultMaxTraces: "lots" is not a Kubernetes memory quantity' });
    });
});
