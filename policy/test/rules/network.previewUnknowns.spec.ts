import * as assert from "assert";
import * as n from "../../rules/network";
import { jaegerEgressPolicy } from "../fixtures";
import { UNKNOWN_STRING, stackViolationsOf } from "../harness";
import { JAEGER } from "./networkTable";

describe("network rules: what the pack cannot see", () => {
    it("reports a NetworkPolicy whose spec is unknown during preview instead of a silent advisory", async () => {
        const p = jaegerEgressPolicy("auth");
        p.props.spec.egress[0].to[0].podSelector.matchLabels["app.kubernetes.io/name"] = UNKNOWN_STRING;
        const blind =
            "NetworkPolicy allow-jaeger-egress must be readable for the pack to judge egress to DNS; string value at .spec.egress.0.to.0.podSelector.matchLabels.app.kubernetes.io/name can't be known during preview.";
        assert.deepStrictEqual(await stackViolationsOf(n.egressRestrictedNamespacesMustAllowDns, [...JAEGER, p]), [blind]);
        assert.deepStrictEqual(await stackViolationsOf(n.jaegerEgressMustAllowOtlpAndZipkin, [...JAEGER, p]), [blind.replace("egress to DNS", "egress to Jaeger")]);
    });
});
