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

interface Step {
    readonly uses?: string;
    readonly run?: string;
    readonly with?: Record<string, unknown>;
}

function workflowSteps(file: string): Step[] {
    const wf = yaml.load(fs.readFileSync(path.join(root, ".github", "workflows", file), "utf8")) as { jobs: Record<string, { steps?: Step[] }> };
    return Object.values(wf.jobs).flatMap((job) => job.steps ?? []);
}

describe("GitHub workflows", () => {
    const dir = path.join(root, ".github", "workflows");
    const steps = fs
        .readdirSync(dir)
        .flatMap(workflowSteps)
        .filter((s) => s.uses?.startsWith("pulumi/actions@"));

    it("run pulumi/actions with the CLI version scripts/versions.sh pins", () => {
        assert.ok(steps.length >= 2, "preview and up use pulumi/actions");
        assert.deepStrictEqual([...new Set(steps.map((s) => String(s.with?.["pulumi-version"])))], [pinnedCli()]);
    });

    it("preview every stack under the policy pack with the stack's policy config", () => {
        const previews = steps.filter((s) => s.with?.command !== undefined);
        assert.deepStrictEqual(
            previews.map((s) => [s.with?.command, s.with?.policyPacks, s.with?.policyPackConfigs]),
            [["preview", "./policy", "./policy/config/${{ matrix.stack }}.json"]],
        );
    });

    it("deploy only through scripts/deploy.sh (a preview under the pack before the update), never with pulumi/actions' up --skip-preview", () => {
        const up = workflowSteps("up.yml");
        assert.deepStrictEqual(
            up.filter((s) => s.uses?.startsWith("pulumi/actions@")).map((s) => s.with?.command),
            [undefined],
            "pulumi/actions only installs the CLI",
        );
        assert.deepStrictEqual(
            up.filter((s) => s.run?.includes("pulumi") === true || s.run?.includes("deploy") === true).map((s) => s.run?.trim()),
            ["scripts/deploy.sh ${{ matrix.stack }}"],
        );
        const script = fs.readFileSync(path.join(root, "scripts", "deploy.sh"), "utf8");
        const command = /^exec pulumi up .*$/m.exec(script.replace(/\\\n/g, " "))?.[0] ?? "";
        assert.ok(command.includes("--policy-pack ") && command.includes("--policy-pack-config "), command);
        assert.ok(!command.includes("--skip-preview"), command);
    });
});
