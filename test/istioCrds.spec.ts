/**
 * lib/istioCrds.ts against the real upstream base chart packages of ../shared/charts, served on 127.0.0.1 by
 * test/chartRepository.ts.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ChartRepository, serveCharts } from "./chartRepository";
import { istioCrdLayout, ownedByRelease } from "../lib/istioCrds";

describe("istioCrdLayout", function () {
    let charts: ChartRepository;
    let repo: string;
    let cache: string;

    before(async function () {
        charts = await serveCharts();
        repo = charts.url;
        cache = fs.mkdtempSync(path.join(os.tmpdir(), "istio-crds-"));
    });

    after(() => {
        charts.close();
        fs.rmSync(cache, { recursive: true, force: true });
    });

    it("puts the 15 CRDs of base 1.30.3 into one release: the chart renders them alone and every one is kept by Helm on uninstall", async () => {
        assert.deepStrictEqual(await istioCrdLayout({ repo, chart: "base", version: "1.30.3" }, cache), {
            kind: "release",
            names: [
                "authorizationpolicies.security.istio.io",
                "destinationrules.networking.istio.io",
                "envoyfilters.networking.istio.io",
                "gateways.networking.istio.io",
                "peerauthentications.security.istio.io",
                "proxyconfigs.networking.istio.io",
                "requestauthentications.security.istio.io",
                "serviceentries.networking.istio.io",
                "sidecars.networking.istio.io",
                "telemetries.telemetry.istio.io",
                "trafficextensions.extensions.istio.io",
                "virtualservices.networking.istio.io",
                "wasmplugins.extensions.istio.io",
                "workloadentries.networking.istio.io",
                "workloadgroups.networking.istio.io",
            ],
        });
    });

    it("keeps the CRDs of base 1.24.2 as Chart v4 children: it cannot render them alone", async () => {
        assert.deepStrictEqual(await istioCrdLayout({ repo, chart: "base", version: "1.24.2" }, cache), {
            kind: "chart",
            reason: "the chart has no global.resourceScope, so it cannot render its CRDs alone",
        });
    });

    it("keeps them as Chart v4 children when the repository cannot be read by the program (OCI, credentials)", async () => {
        assert.deepStrictEqual(await istioCrdLayout({ repo: "oci://registry.example.com/istio", chart: "base", version: "1.30.3" }, cache), {
            kind: "chart",
            reason: "oci://registry.example.com/istio is not an HTTP chart repository the program can read",
        });
        assert.deepStrictEqual(await istioCrdLayout({ repo: `${repo}/private`, chart: "base", version: "1.30.3" }, cache), {
            kind: "chart",
            reason: `${repo}/private needs credentials (HTTP 401)`,
        });
    });
});

describe("ownedByRelease", () => {
    const owned = { labels: { "app.kubernetes.io/managed-by": "Helm" }, annotations: { "meta.helm.sh/release-name": "istio-crds", "meta.helm.sh/release-namespace": "istio-system" } };

    it("holds only with Helm's label and both annotations naming the release", () => {
        assert.strictEqual(ownedByRelease(owned, "istio-crds", "istio-system"), true);
        assert.strictEqual(ownedByRelease({ ...owned, labels: {} }, "istio-crds", "istio-system"), false);
        assert.strictEqual(ownedByRelease(owned, "istio-base", "istio-system"), false);
        assert.strictEqual(ownedByRelease(owned, "istio-crds", "other"), false);
        assert.strictEqual(ownedByRelease(undefined, "istio-crds", "istio-system"), false);
    });
});
