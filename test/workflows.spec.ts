/** The GitHub workflows install the Pulumi CLI version the toolchain pins (scripts/versions.sh), one source of truth. */
import * as assert from "assert";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";

const root = path.join(__dirname, "..");

function pinnedCli(): string {
    const m = /^PULUMI_VERSION="v([0-9.]+)"$/m.exec(fs.readFileSync(path.join(root, "scripts", "versions.sh"), "utf8"));
    assert.ok(m !== null, "scripts/versions.sh sets PULUMI_VERSION");
    return m[1];
}

describe("GitHub workflows", () => {
    const dir = path.join(root, ".github", "workflows");
    const steps = fs
        .readdirSync(dir)
        .flatMap((f) => Object.values((yaml.load(fs.readFileSync(path.join(dir, f), "utf8")) as { jobs: Record<string, { steps?: { uses?: string; with?: Record<string, unknown> }[] }> }).jobs))
        .flatMap((job) => job.steps ?? [])
        .filter((s) => s.uses?.startsWith("pulumi/actions@"));

    it("run pulumi/actions with the CLI version scripts/versions.sh pins", () => {
        assert.ok(steps.length >= 2, "preview and up use pulumi/actions");
        assert.deepStrictEqual([...new Set(steps.map((s) => String(s.with?.["pulumi-version"])))], [pinnedCli()]);
    });

    it("run every Pulumi command under the policy pack with the stack's policy config", () => {
        for (const s of steps) {
            assert.strictEqual(s.with?.policyPacks, "./policy");
            assert.strictEqual(s.with?.policyPackConfigs, "./policy/config/${{ matrix.stack }}.json");
        }
    });
});
