/** Pulumi.yaml's declarations of the stack config keys, against the committed stack files. */
import * as assert from "assert";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { CONFIG_NAMESPACE } from "../config";
import { stackRawConfig } from "./stackFiles";

describe("Pulumi.yaml config declarations", () => {
    it("declare no project key that a committed stack omits (the CLI would refuse that stack), and no default", () => {
        const project = yaml.load(fs.readFileSync(path.join(__dirname, "..", "Pulumi.yaml"), "utf8")) as { config?: Record<string, unknown> };
        const declared = Object.entries(project.config ?? {}).filter(([key]) => !key.includes(":") || key.startsWith(`${CONFIG_NAMESPACE}:`));
        for (const [key, declaration] of declared) {
            assert.ok(typeof declaration === "object" && declaration !== null, `${key}: a declaration`);
            assert.ok(!("default" in declaration) && !("value" in declaration), `${key}: config/ owns the defaults`);
            const name = key.replace(`${CONFIG_NAMESPACE}:`, "");
            for (const stack of ["dev", "production", "local"]) {
                assert.ok(name in stackRawConfig(stack), `Pulumi.${stack}.yaml omits ${key}, so the CLI would refuse the stack`);
            }
        }
        assert.ok("pulumi:tags" in (project.config ?? {}), "the file was read");
    });
});
