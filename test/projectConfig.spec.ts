/**
 * The keys `Pulumi.yaml` declares for the CLI: each declared default is the one the schema applies
 * (config/schema.ts stays the source of truth), and each declared key is a key the schema knows.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { CONFIG_NAMESPACE, parseStackConfig } from "../config";

interface Declared {
    readonly type: string;
    readonly default?: unknown;
}

describe("Pulumi.yaml config declarations", () => {
    const project = yaml.load(fs.readFileSync(path.join(__dirname, "..", "Pulumi.yaml"), "utf8")) as { config: Record<string, Declared> };
    const declared = Object.entries(project.config).filter(([k]) => k.startsWith(`${CONFIG_NAMESPACE}:`));

    it("declares the top-level keys the project schema can type, each with a default (a declared key without one is required by the CLI)", () => {
        assert.ok("pulumi:tags" in project.config, "the file was read");
        assert.deepStrictEqual(declared.map(([k]) => k.slice(CONFIG_NAMESPACE.length + 1)).sort(), ["appNamespaces", "awaitReadiness", "createAppNamespaces", "environment"]);
        for (const [key, d] of declared) {
            assert.ok("default" in d, `${key} has no default`);
        }
    });

    it("declares the defaults the schema applies", () => {
        const applied = parseStackConfig({
            kiali: { signingKey: "0123456789abcdef" },
            jaeger: { storage: { type: "elasticsearch", url: "https://es:9200", username: "j", passwordSecret: { name: "s", key: "p" } } },
        }) as unknown as Record<string, unknown>;
        for (const [key, d] of declared) {
            assert.deepStrictEqual(d.default, applied[key.slice(CONFIG_NAMESPACE.length + 1)], key);
        }
    });

    it("gives the CLI's defaults to the schema unchanged (what the program receives when a stack sets nothing)", () => {
        const fromCli = Object.fromEntries(declared.map(([k, d]) => [k.slice(CONFIG_NAMESPACE.length + 1), d.default]));
        const withDefaults = parseStackConfig({ ...fromCli, environment: "dev", kiali: { authStrategy: "anonymous" } });
        const without = parseStackConfig({ environment: "dev", kiali: { authStrategy: "anonymous" } });
        assert.deepStrictEqual(withDefaults, without);
    });
});
