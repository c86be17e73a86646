import * as assert from "assert";
import * as c from "../../rules/charts";
import { chart, helmRelease, jaegerV1Deployment, kialiConfigMap, meshConfigMap, opaqueChart, releasesConfigMap } from "../fixtures";
import { UNKNOWN_STRING, stackViolationsOf, stackViolationsWithUrns } from "../harness";

describe(c.PINNED, () => {
    it("passes an exact version", async () => {
        assert.deepStrictEqual(await stackViolationsOf(c.chartVersionsMustBePinned, [chart("istiod", "1.30.3")]), []);
    });

    it("denies a range", async () => {
        assert.deepStrictEqual(await stackViolationsOf(c.chartVersionsMustBePinned, [chart("jaeger", "^4.0.0")]), [
            'Chart jaeger must be pinned to an exact version such as 1.30.3; version is "^4.0.0".',
        ]);
    });

    it("reads the program's releases ConfigMap (Chart v4 inputs are not visible to analyzers)", async () => {
        assert.deepStrictEqual(
            await stackViolationsOf(c.chartVersionsMustBePinned, [
                releasesConfigMap([
                    { chart: "istiod", version: "1.30.3" },
                    { chart: "jaeger", version: "4.11.1" },
                ]),
            ]),
            [],
        );
        assert.deepStrictEqual(
            await stackViolationsOf(c.chartVersionsMustBePinned, [
                releasesConfigMap([
                    { chart: "istiod", version: "1.30.3" },
                    { chart: "jaeger", version: "4.x" },
                ]),
            ]),
            ['Chart jaeger must be pinned to an exact version such as 1.30.3; version is "4.x".'],
        );
    });

    it("denies an empty or missing version", async () => {
        assert.deepStrictEqual(await stackViolationsOf(c.chartVersionsMustBePinned, [chart("kiali-server", "")]), [
            'Chart kiali-server must be pinned to an exact version such as 1.30.3; version is "".',
        ]);
        assert.deepStrictEqual(await stackViolationsOf(c.chartVersionsMustBePinned, [chart("kiali-server", undefined)]), [
            'Chart kiali-server must be pinned to an exact version such as 1.30.3; version is "".',
        ]);
    });
});

describe(`${c.PINNED}: what the pack cannot see`, () => {
    const RECORD = "ConfigMap observability-stack-charts, key charts.json";
    it("reports a Chart v4 resource (empty inputs) when the stack has no releases record, on that resource", async () => {
        assert.deepStrictEqual(await stackViolationsWithUrns(c.chartVersionsMustBePinned, [opaqueChart("observability-jaeger-chart")]), [
            {
                message: `Chart v4 resource observability-jaeger-chart must be described by the releases record (${RECORD}) for the pack to check its requested version: Chart v4 inputs reach policy packs empty, and the stack has no such record.`,
                urn: "urn:pulumi:test::observability-stack::kubernetes:helm.sh/v4:Chart::observability-jaeger-chart",
            },
        ]);
    });

    it("passes a Chart v4 resource the releases record describes", async () => {
        assert.deepStrictEqual(await stackViolationsOf(c.chartVersionsMustBePinned, [opaqueChart("observability-jaeger-chart"), releasesConfigMap([{ chart: "jaeger", version: "4.11.1" }])]), []);
    });

    it("reports a releases record that is not JSON, for every Chart v4 it leaves unseen", async () => {
        const record = releasesConfigMap([]);
        record.props.data["charts.json"] = "[{";
        assert.deepStrictEqual(await stackViolationsOf(c.chartVersionsMustBePinned, [opaqueChart("observability-jaeger-chart"), record]), [
            `Chart v4 resource observability-jaeger-chart must be described by the releases record (${RECORD}) for the pack to check its requested version: Chart v4 inputs reach policy packs empty, and the record istio-system/observability-stack-charts is unreadable (charts.json is not a JSON list).`,
        ]);
    });

    it("reports a releases record whose charts.json is unknown during preview, instead of a silent advisory", async () => {
        const record = releasesConfigMap([]);
        record.props.data["charts.json"] = UNKNOWN_STRING;
        assert.deepStrictEqual(await stackViolationsOf(c.chartVersionsMustBePinned, [record]), [
            "Releases record istio-system/observability-stack-charts must be readable for the pack to check its requested version: charts.json is unknown during preview.",
        ]);
    });

    it("reports a record without charts.json", async () => {
        const record = releasesConfigMap([]);
        delete record.props.data["charts.json"];
        assert.deepStrictEqual(await stackViolationsOf(c.chartVersionsMustBePinned, [opaqueChart("kiali")]), [
            `Chart v4 resource kiali must be described by the releases record (${RECORD}) for the pack to check its requested version: Chart v4 inputs reach policy packs empty, and the stack has no such record.`,
        ]);
        assert.deepStrictEqual(await stackViolationsOf(c.chartVersionsMustBePinned, [record]), [
            "Releases record istio-system/observability-stack-charts must be readable for the pack to check its requested version: it has no charts.json.",
        ]);
    });

    it("reads a Helm v3 Release's version and reports one that is unknown during preview", async () => {
        assert.deepStrictEqual(await stackViolationsOf(c.chartVersionsMustBePinned, [helmRelease("istiod", "1.30.3")]), []);
        assert.deepStrictEqual(await stackViolationsOf(c.chartVersionsMustBePinned, [helmRelease("istiod", "~1.30")]), [
            'Chart istiod must be pinned to an exact version such as 1.30.3; version is "~1.30".',
        ]);
        assert.deepStrictEqual(await stackViolationsOf(c.chartVersionsMustBePinned, [helmRelease("istiod", UNKNOWN_STRING)]), [
            "Helm Release istiod must have its chart and version known at preview for the pack to check its requested version: string value at .version can't be known during preview.",
        ]);
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
