import * as assert from "assert";
import * as n from "../../rules/network";
import { Obj, serviceEntry } from "../fixtures";
import { violationsOf } from "../harness";

describe(n.SERVICE_ENTRY_DNS, () => {
    interface EntryCase {
        readonly name: string;
        readonly spec: Obj;
        readonly expected: readonly string[];
    }
    const NAME = "ServiceEntry istio-system/openai-external";
    const cases: readonly EntryCase[] = [
        // Istio's reference example external-svc-https
        { name: "passes host names with resolution DNS (external-svc-https)", spec: { hosts: ["api.dropboxapi.com", "www.googleapis.com", "api.facebook.com"], resolution: "DNS" }, expected: [] },
        { name: "passes host names with resolution DNS_ROUND_ROBIN", spec: { resolution: "DNS_ROUND_ROBIN" }, expected: [] },
        { name: "denies the reference's resolution NONE on a host name", spec: { resolution: "NONE" }, expected: [`${NAME} must use resolution DNS for its hosts api.openai.com; it has NONE.`] },
        {
            name: "denies a missing resolution (Istio's default is NONE) and a missing location (MESH_EXTERNAL)",
            spec: { resolution: undefined, location: undefined },
            expected: [`${NAME} must use resolution DNS for its hosts api.openai.com; it has NONE.`],
        },
        { name: "passes STATIC with endpoints", spec: { resolution: "STATIC", endpoints: [{ address: "2.2.2.2" }, { address: "3.3.3.3" }] }, expected: [] },
        { name: "passes STATIC with a workloadSelector (WorkloadEntries are the endpoints)", spec: { resolution: "STATIC", workloadSelector: { labels: { app: "legacy" } } }, expected: [] },
        {
            name: "denies STATIC without endpoints",
            spec: { resolution: "STATIC" },
            expected: [`${NAME} must list endpoints with resolution STATIC, or the sidecar has nowhere to route api.openai.com; it has none, expected endpoints or resolution DNS.`],
        },
        { name: "passes IPv4 literals with resolution NONE", spec: { hosts: ["203.0.113.10"], resolution: "NONE" }, expected: [] },
        { name: "passes IPv6 literals with resolution NONE", spec: { hosts: ["2001:db8::10"], resolution: "NONE" }, expected: [] },
        // Istio's reference example external-svc-redirect: wildcard hosts routed by SNI, resolved by the app
        { name: "passes wildcard hosts with resolution NONE (external-svc-redirect's wildcard)", spec: { hosts: ["*.wikipedia.org"], resolution: "NONE" }, expected: [] },
        {
            name: "denies a host name beside a wildcard under NONE, naming only the host name (external-svc-redirect)",
            spec: { hosts: ["wikipedia.org", "*.wikipedia.org"], resolution: "NONE" },
            expected: [`${NAME} must use resolution DNS for its hosts wikipedia.org; it has NONE.`],
        },
        {
            name: "denies wildcard hosts with resolution DNS and no endpoints (Istio rejects it)",
            spec: { hosts: ["*.googleapis.com"], resolution: "DNS" },
            expected: [`${NAME} must not resolve wildcard hosts *.googleapis.com by DNS without endpoints (Istio resolves only fully qualified names); expected resolution NONE or endpoints.`],
        },
        // Istio's reference example external-svc-wildcard-example
        {
            name: "passes wildcard hosts with resolution DNS and endpoints (external-svc-wildcard-example)",
            spec: { hosts: ["*.bar.com"], resolution: "DNS", endpoints: [{ address: "us.foo.bar.com" }] },
            expected: [],
        },
        { name: "ignores MESH_INTERNAL entries", spec: { location: "MESH_INTERNAL", resolution: "STATIC" }, expected: [] },
        {
            name: "denies a resolution Istio does not have",
            spec: { resolution: "DNS_ONLY" },
            expected: [`${NAME} must use a resolution Istio supports (NONE, STATIC, DNS, DNS_ROUND_ROBIN); it has DNS_ONLY.`],
        },
    ];
    for (const c of cases) {
        it(c.name, async () => {
            assert.deepStrictEqual(await violationsOf(n.externalServiceEntriesMustUseDnsResolution, serviceEntry(c.spec)), c.expected);
        });
    }

    it("classifies hosts as IP literals, wildcards and names", () => {
        assert.deepStrictEqual(["10.0.0.1", "::1", "2001:db8::1", "*.example.com", "api.openai.com", "10.0.0", "1e100.net"].map(n.hostKind), ["ip", "ip", "ip", "wildcard", "name", "name", "name"]);
    });
});
