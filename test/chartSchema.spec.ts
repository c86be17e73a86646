/**
 * lib/chartSchema.ts against the real upstream chart packages of ../shared/charts, served on
 * 127.0.0.1 (test/chartRepository.ts).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ChartRepository, serveCharts } from "./chartRepository";
import { needsSchemaCheck, renderableChart, schemaRejectsDefaults } from "../lib/chartSchema";

describe("renderableChart", function () {
    let charts: ChartRepository;
    let repo: string;
    let cache: string;
    /** Every path the repository was asked for. */
    let requests: string[];

    before(async function () {
        charts = await serveCharts();
        repo = charts.url;
        requests = charts.requests;
        cache = fs.mkdtempSync(path.join(os.tmpdir(), "chart-schema-test-"));
    });

    after(() => {
        charts.close();
        fs.rmSync(cache, { recursive: true, force: true });
    });

    it("renders Istio gateway 1.24.2 from a local copy without the schema that rejects its own defaults", async () => {
        const r = await renderableChart({ repo, chart: "gateway", version: "1.24.2" }, cache);
        assert.ok(r.localPath !== undefined);
        assert.strictEqual(r.note, "values.schema.json removed: it rejects the chart's own defaults under Helm >= 3.18.5 (istio/istio#57354)");
        assert.ok(fs.existsSync(path.join(r.localPath, "templates", "deployment.yaml")));
        assert.ok(!fs.existsSync(path.join(r.localPath, "values.schema.json")));
        assert.match(fs.readFileSync(path.join(r.localPath, "Chart.yaml"), "utf8"), /version: 1\.24\.2/);
    });

    it("renders Istio gateway 1.30.3 as published without touching the network: no request at all", async () => {
        const before = requests.length;
        assert.deepStrictEqual(await renderableChart({ repo, chart: "gateway", version: "1.30.3" }, cache), { source: { repo, chart: "gateway", version: "1.30.3" } });
        assert.deepStrictEqual(await renderableChart({ repo, chart: "jaeger", version: "3.4.1" }, cache), { source: { repo, chart: "jaeger", version: "3.4.1" } });
        assert.strictEqual(requests.length, before);
    });

    it("fetches a checked chart once: later runs use the cache, verified against its digest", async () => {
        const source = { repo, chart: "gateway", version: "1.24.2" };
        await renderableChart(source, cache);
        const before = requests.length;
        const again = await renderableChart(source, cache);
        assert.ok(again.localPath !== undefined);
        assert.strictEqual(requests.length, before, "served from the cache");
        // A cached archive that no longer matches its digest is fetched again.
        const entry = fs.readdirSync(cache).map((d) => path.join(cache, d, "gateway-1.24.2"))[0];
        fs.appendFileSync(path.join(entry, "chart.tgz"), "tampered");
        await renderableChart(source, cache);
        assert.deepStrictEqual(requests.slice(before), ["/index.yaml", "/gateway-1.24.2.tgz"]);
    });

    it("skips the check for OCI and authenticated repositories and says so", async () => {
        const oci = await renderableChart({ repo: "oci://registry.example.com/istio", chart: "gateway", version: "1.24.2" }, cache);
        assert.deepStrictEqual(oci, {
            source: { repo: "oci://registry.example.com/istio", chart: "gateway", version: "1.24.2" },
            note: "schema check skipped: oci://registry.example.com/istio is not an HTTP chart repository; Helm >= 3.18.5 may reject this chart's own defaults (istio/istio#57354)",
        });
        const locked = await renderableChart({ repo: `${repo}/private`, chart: "gateway", version: "1.25.3" }, cache);
        assert.strictEqual(locked.localPath, undefined);
        assert.strictEqual(locked.note, `schema check skipped: ${repo}/private needs credentials (HTTP 401); Helm >= 3.18.5 may reject this chart's own defaults (istio/istio#57354)`);
    });

    it("checks only the gateway versions known to reject their own defaults (istio/istio#57354)", () => {
        const v = (chart: string, version: string) => needsSchemaCheck({ repo, chart, version });
        assert.deepStrictEqual(
            [v("gateway", "1.18.7"), v("gateway", "1.19.0"), v("gateway", "1.24.2"), v("gateway", "1.25.3"), v("gateway", "1.26.0"), v("gateway", "1.30.3"), v("istiod", "1.24.2")],
            [false, true, true, true, false, false, false],
        );
    });

    it("names a version the repository does not have", async () => {
        await assert.rejects(renderableChart({ repo, chart: "gateway", version: "1.25.99" }, cache), { message: `chart gateway 1.25.99 is not in ${repo}/index.yaml` });
    });

    it("judges a schema by whether its root admits the default keys", () => {
        assert.strictEqual(schemaRejectsDefaults({ additionalProperties: false, $ref: "#/$defs/values" }, { service: {} }), true);
        assert.strictEqual(schemaRejectsDefaults({ additionalProperties: false, properties: { service: {} } }, { service: {} }), false);
        assert.strictEqual(schemaRejectsDefaults({ $ref: "#/$defs/values" }, { service: {} }), false);
    });
});
