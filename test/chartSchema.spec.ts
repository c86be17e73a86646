/**
 * lib/chartSchema.ts against the real upstream chart packages of ../shared/charts, served on
 * 127.0.0.1 by a static server started here.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { renderableChart, schemaRejectsDefaults } from "../lib/chartSchema";

const CHARTS = path.resolve(__dirname, "..", "..", "shared", "charts");

describe("renderableChart", function () {
    let server: http.Server;
    let repo: string;
    let cache: string;

    before(async function () {
        if (!fs.existsSync(path.join(CHARTS, "index.yaml"))) {
            throw new Error(`${CHARTS}/index.yaml is missing: the tests need ../shared/charts beside the project`);
        }
        server = http.createServer((req, res) => {
            const file = path.join(CHARTS, path.normalize(decodeURIComponent(req.url ?? "/")).replace(/^(\.\.[/\\])+/, ""));
            if (!file.startsWith(CHARTS) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
                res.writeHead(404).end();
                return;
            }
            res.writeHead(200).end(fs.readFileSync(file));
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        repo = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        cache = fs.mkdtempSync(path.join(os.tmpdir(), "chart-schema-test-"));
    });

    after(() => {
        server.close();
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

    it("keeps Istio gateway 1.30.3 as published: its schema accepts its defaults", async () => {
        assert.deepStrictEqual(await renderableChart({ repo, chart: "gateway", version: "1.30.3" }, cache), { source: { repo, chart: "gateway", version: "1.30.3" } });
    });

    it("names a version the repository does not have", async () => {
        await assert.rejects(renderableChart({ repo, chart: "gateway", version: "9.9.9" }, cache), { message: `chart gateway 9.9.9 is not in ${repo}/index.yaml` });
    });

    it("judges a schema by whether its root admits the default keys", () => {
        assert.strictEqual(schemaRejectsDefaults({ additionalProperties: false, $ref: "#/$defs/values" }, { service: {} }), true);
        assert.strictEqual(schemaRejectsDefaults({ additionalProperties: false, properties: { service: {} } }, { service: {} }), false);
        assert.strictEqual(schemaRejectsDefaults({ $ref: "#/$defs/values" }, { service: {} }), false);
    });
});
