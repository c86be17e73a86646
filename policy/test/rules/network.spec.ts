import * as assert from "assert";
import * as n from "../../rules/network";
import { dnsEgressPolicy, jaegerEgressPolicy, serviceEntry } from "../fixtures";
import { stackViolationsOf, violationsOf } from "../harness";

describe(n.JAEGER_EGRESS, () => {
    it("passes egress to Jaeger on 4317, 4318 and 9411", async () => {
        assert.deepStrictEqual(await violationsOf(n.jaegerEgressMustAllowOtlpAndZipkin, jaegerEgressPolicy()), []);
    });

    it("denies the reference's policy without 9411", async () => {
        assert.deepStrictEqual(await violationsOf(n.jaegerEgressMustAllowOtlpAndZipkin, jaegerEgressPolicy("chat", [4317, 4318])), [
            "NetworkPolicy chat/allow-jaeger-egress must allow egress to Jaeger on TCP 4317, 4318, 9411; missing: 9411.",
        ]);
    });

    it("accepts a Jaeger rule without ports (all ports)", async () => {
        const p = jaegerEgressPolicy();
        delete p.props.spec.egress[0].ports;
        assert.deepStrictEqual(await violationsOf(n.jaegerEgressMustAllowOtlpAndZipkin, p), []);
    });
});

describe(n.EGRESS_DNS, () => {
    it("passes a namespace that allows DNS over UDP and TCP next to its Jaeger egress", async () => {
        assert.deepStrictEqual(await stackViolationsOf(n.egressRestrictedNamespacesMustAllowDns, [jaegerEgressPolicy("auth"), dnsEgressPolicy("auth")]), []);
    });

    it("denies a namespace whose only egress policy is the Jaeger one (the reference)", async () => {
        assert.deepStrictEqual(await stackViolationsOf(n.egressRestrictedNamespacesMustAllowDns, [jaegerEgressPolicy("scan"), jaegerEgressPolicy("auth"), dnsEgressPolicy("auth")]), [
            "Namespace scan must allow egress to DNS on UDP 53 once Egress policies select its pods (policies: scan/allow-jaeger-egress).",
            "Namespace scan must allow egress to DNS on TCP 53 once Egress policies select its pods (policies: scan/allow-jaeger-egress).",
        ]);
    });

    it("denies DNS over UDP only", async () => {
        assert.deepStrictEqual(await stackViolationsOf(n.egressRestrictedNamespacesMustAllowDns, [jaegerEgressPolicy("auth"), dnsEgressPolicy("auth", ["UDP"])]), [
            "Namespace auth must allow egress to DNS on TCP 53 once Egress policies select its pods (policies: auth/allow-jaeger-egress, auth/allow-dns-egress).",
        ]);
    });
});

describe(n.SERVICE_ENTRY_DNS, () => {
    it("passes a MESH_EXTERNAL ServiceEntry with resolution DNS", async () => {
        assert.deepStrictEqual(await violationsOf(n.externalServiceEntriesMustUseDnsResolution, serviceEntry()), []);
    });

    it("denies the reference's resolution NONE", async () => {
        assert.deepStrictEqual(await violationsOf(n.externalServiceEntriesMustUseDnsResolution, serviceEntry({ resolution: "NONE" })), [
            "ServiceEntry istio-system/openai-external must use resolution DNS for its hosts api.openai.com; it has NONE.",
        ]);
    });

    it("denies a missing resolution (Istio's default is NONE) and a missing location (MESH_EXTERNAL)", async () => {
        assert.deepStrictEqual(await violationsOf(n.externalServiceEntriesMustUseDnsResolution, serviceEntry({ resolution: undefined, location: undefined })), [
            "ServiceEntry istio-system/openai-external must use resolution DNS for its hosts api.openai.com; it has NONE.",
        ]);
    });

    it("ignores MESH_INTERNAL entries and wildcard hosts", async () => {
        assert.deepStrictEqual(await violationsOf(n.externalServiceEntriesMustUseDnsResolution, serviceEntry({ location: "MESH_INTERNAL", resolution: "STATIC" })), []);
        assert.deepStrictEqual(await violationsOf(n.externalServiceEntriesMustUseDnsResolution, serviceEntry({ hosts: ["*.googleapis.com"], resolution: "NONE" })), []);
    });
});
