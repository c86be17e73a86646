import * as assert from "assert";
import * as c from "../../rules/charts";
import { chart, jaegerV1Deployment, kialiConfigMap, meshConfigMap, releasesConfigMap } from "../fixtures";
import { stackViolationsOf, violationsOf } from "../harness";

describe(c.PINNED, () => {
    it("passes an exact version", async () => {
        assert.deepStrictEqual(await violationsOf(c.chartVersionsMustBePinned, chart("istiod", "1.30.3")), []);
    });

    it("denies a range", async () => {
        assert.deepStrictEqual(await violationsOf(c.chartVersionsMustBePinned, chart("jaeger", "^4.0.0")), ['Chart jaeger must be pinned to an exact version such as 1.30.3; version is "^4.0.0".']);
    });

    it("reads the program's releases ConfigMap (Chart v4 inputs are not visible to analyzers)", async () => {
        assert.deepStrictEqual(await violationsOf(c.chartVersionsMustBePinned, releasesConfigMap([{ chart: "istiod", version: "1.30.3" }, { chart: "jaeger", version: "4.11.1" }])), []);
        assert.deepStrictEqual(await violationsOf(c.chartVersionsMustBePinned, releasesConfigMap([{ chart: "istiod", version: "1.30.3" }, { chart: "jaeger", version: "4.x" }])), [
            'Chart jaeger must be pinned to an exact version such as 1.30.3; version is "4.x".',
        ]);
    });

    it("denies an empty or missing version", async () => {
        assert.deepStrictEqual(await violationsOf(c.chartVersionsMustBePinned, chart("kiali-server", "")), ['Chart kiali-server must be pinned to an exact version such as 1.30.3; version is "".']);
        assert.deepStrictEqual(await violationsOf(c.chartVersionsMustBePinned, chart("kiali-server", undefined)), ['Chart kiali-server must be pinned to an exact version such as 1.30.3; version is "".']);
    });
});

describe(c.END_OF_LIFE, () => {
    it("passes the current versions", async () => {
        assert.deepStrictEqual(await stackViolationsOf(c.chartVersionsMustNotBeEndOfLife, [chart("istiod", "1.30.3"), chart("jaeger", "4.11.1"), meshConfigMap(), kialiConfigMap()]), []);
    });

    it("reports Jaeger v1 and Istio 1.24 from Chart resources", async () => {
        assert.deepStrictEqual(await stackViolationsOf(c.chartVersionsMustNotBeEndOfLife, [chart("jaeger", "3.4.1"), chart("istiod", "1.24.2")]), [
            "Chart jaeger 3.4.1 must not be used: it runs Jaeger v1, end of life 2025-12-31; expected jaeger 4.x (Jaeger v2).",
            "Chart istiod 1.24.2 must not be used: Istio 1.24 is past its end of life (2025-06-24); expected Istio 1.28 or later.",
        ]);
    });

    it("reports end-of-life lines from the rendered objects' helm.sh/chart labels, once per chart", async () => {
        assert.deepStrictEqual(await stackViolationsOf(c.chartVersionsMustNotBeEndOfLife, [jaegerV1Deployment("memory"), meshConfigMap(undefined, "1.24.2"), meshConfigMap(undefined, "1.24.2")]), [
            "Chart jaeger 3.4.1 must not be used: it runs Jaeger v1, end of life 2025-12-31; expected jaeger 4.x (Jaeger v2).",
            "Chart istiod 1.24.2 must not be used: Istio 1.24 is past its end of life (2025-06-24); expected Istio 1.28 or later.",
        ]);
    });

    it("takes the oldest supported Istio minor from the policy config", async () => {
        assert.deepStrictEqual(await stackViolationsOf(c.chartVersionsMustNotBeEndOfLife, [chart("istiod", "1.30.3")], { oldestSupportedIstioMinor: 31 }), [
            "Chart istiod 1.30.3 must not be used: Istio 1.30 is past its end of life; expected Istio 1.31 or later.",
        ]);
    });
});
