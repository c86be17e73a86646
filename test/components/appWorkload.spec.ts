import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { valueOf } from "../mocks";

describe("tracedContainer", () => {
    let a: typeof import("../../components/appWorkload");
    before(async () => {
        a = await import("../../components/appWorkload");
    });

    it("adds the tracing environment to a kubernetesx container and keeps the app's own variables", async () => {
        const pod = a.tracedPod("auth-api", { name: "app", image: "auth-api:1", env: { PORT: "8080" } });
        const spec = await valueOf(pod.asDeploymentSpec());
        const env = (spec as any).template.spec.containers[0].env as { name: string; value: string }[];
        assert.deepStrictEqual(Object.fromEntries(env.map((e) => [e.name, e.value])), {
            OTEL_SERVICE_NAME: "auth-api",
            OTEL_TRACES_EXPORTER: "otlp",
            OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
            OTEL_EXPORTER_OTLP_ENDPOINT: "http://jaeger-collector-clusterip.istio-system.svc.cluster.local:4317",
            OTEL_METRICS_EXPORTER: "none",
            OTEL_LOGS_EXPORTER: "none",
            OTEL_PROPAGATORS: "b3,tracecontext,baggage",
            PORT: "8080",
        });
    });

    it("hands a container the propagators of the stack's tracing provider", () => {
        const env = a.tracedContainer("auth-api", { image: "x" }, "opentelemetry").env as Record<string, string>;
        assert.strictEqual(env.OTEL_PROPAGATORS, "tracecontext,baggage");
    });

    it("hands a container the propagators of what the proxies send (the stack's traceContext)", () => {
        const propagators = (sent: "b3" | "b3+w3c" | "w3c") => (a.tracedContainer("auth-api", { image: "x" }, sent).env as Record<string, string>).OTEL_PROPAGATORS;
        assert.deepStrictEqual([propagators("b3"), propagators("b3+w3c"), propagators("w3c")], ["b3,tracecontext,baggage", "tracecontext,baggage", "tracecontext,baggage"]);
    });

    it("rejects a container that sets a tracing variable itself", () => {
        assert.throws(() => a.tracedContainer("auth-api", { image: "x", env: { OTEL_PROPAGATORS: "tracecontext" } }), {
            message: "tracedContainer: env OTEL_PROPAGATORS is set by the tracing stack; remove it from the container",
            propertyPath: "container.env",
        });
        assert.throws(
            () => a.tracedContainer("auth-api", { image: "x", env: [{ name: "LOG_LEVEL", value: "debug" }] }),
            (e: Error) => {
                assert.ok(pulumi.InputPropertyError.isInstance(e));
                assert.deepStrictEqual([e.propertyPath, e.message], ["container.env", "tracedContainer: pass env as a map (kx EnvMap) so the tracing variables can be merged"]);
                return true;
            },
        );
    });
});
