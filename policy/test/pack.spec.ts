import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { allPolicies } from "../rules";

const configs = ["dev", "production"].map((stack) => ({ stack, config: JSON.parse(fs.readFileSync(path.join(__dirname, "..", "config", `${stack}.json`), "utf8")) as Record<string, any> }));

describe("policy pack", () => {
    it("gives every policy a unique kebab-case name, a one-sentence description, a level, severity, remediation and url", () => {
        const names = allPolicies.map((p) => p.name);
        assert.strictEqual(new Set(names).size, names.length);
        for (const p of allPolicies) {
            assert.match(p.name, /^[a-z0-9]+(-[a-z0-9]+)+$/, p.name);
            assert.match(p.description, /^[A-Z][^.]*(\.[^ .][^.]*)*\.$/, `${p.name}: description must be one sentence`);
            assert.ok(["advisory", "mandatory"].includes(p.enforcementLevel ?? ""), `${p.name}: enforcementLevel`);
            assert.ok(p.severity !== undefined && (p.remediationSteps ?? "").length > 20 && (p.url ?? "").startsWith("https://"), `${p.name}: metadata`);
        }
        assert.strictEqual(allPolicies.length, 24);
    });

    for (const { stack, config } of configs) {
        it(`has a ${stack} policy config that names only existing policies and schema keys with valid values`, () => {
            for (const [name, value] of Object.entries(config)) {
                if (name === "all") {
                    assert.strictEqual(value, "mandatory");
                    continue;
                }
                const policy = allPolicies.find((p) => p.name === name);
                assert.ok(policy !== undefined, `${stack}: unknown policy ${name}`);
                if (typeof value === "string") {
                    assert.ok(["advisory", "mandatory", "remediate", "disabled"].includes(value));
                    continue;
                }
                for (const [k, v] of Object.entries(value)) {
                    if (k === "enforcementLevel") {
                        continue;
                    }
                    const schema = policy.configSchema?.properties[k] as { type: string; minimum?: number; maximum?: number } | undefined;
                    assert.ok(schema !== undefined, `${stack}: ${name}.${k} is not in the schema`);
                    const types = typeof v === "number" ? (Number.isInteger(v) ? ["integer", "number"] : ["number"]) : [typeof v];
                    assert.ok(types.includes(schema.type), `${stack}: ${name}.${k} must be a ${schema.type}`);
                }
            }
        });
    }

    it("names only policies of the pack in every policy/config/*.json", () => {
        const dir = path.join(__dirname, "..", "config");
        const files = fs
            .readdirSync(dir)
            .filter((f) => f.endsWith(".json"))
            .sort();
        assert.ok(files.includes("dev.json") && files.includes("production.json"), files.join(", "));
        const names = new Set(allPolicies.map((p) => p.name));
        const unknown = files.flatMap((file) =>
            Object.keys(JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as Record<string, unknown>)
                .filter((name) => name !== "all" && !names.has(name))
                .map((name) => `${file}: ${name}`),
        );
        assert.deepStrictEqual(unknown, []);
    });

    it("lets dev run the reference (100% sampling, anonymous Kiali, memory Jaeger) and production none of it", () => {
        const [dev, prod] = configs.map((c) => c.config);
        assert.deepStrictEqual(
            [
                dev["telemetry-sampling-must-not-exceed-ceiling"].maxSamplingPercentage,
                dev["kiali-must-not-allow-anonymous-access"].allowAnonymous,
                dev["jaeger-must-not-use-memory-storage"].allowInMemory,
            ],
            [100, true, true],
        );
        assert.deepStrictEqual(
            [
                prod["telemetry-sampling-must-not-exceed-ceiling"].maxSamplingPercentage,
                prod["kiali-must-not-allow-anonymous-access"].allowAnonymous,
                prod["jaeger-must-not-use-memory-storage"].allowInMemory,
            ],
            [10, false, false],
        );
        assert.strictEqual(prod["chart-versions-must-not-be-end-of-life"].enforcementLevel, "mandatory");
    });
});
