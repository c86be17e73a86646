/**
 * The main job on this machine: `pulumi up` of the `local` stack (Pulumi.local.yaml) with the
 * policy pack, against the local control plane, printing the stack outputs. Run by scripts/local.sh.
 *
 *   ts-node e2e/local.ts up | preview | destroy
 */
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { POLICY_PACK, PROJECT_DIR, WORK_DIR, inlineStack, policyConfig } from "./harness";

/** Local stack only: its secrets protect nothing (set OBS_LOCAL_PASSPHRASE to use your own). */
const PASSPHRASE = process.env.OBS_LOCAL_PASSPHRASE ?? "observability-stack-local";

/**
 * The workspace of the local stack: Pulumi.yaml and Pulumi.local.yaml copied from the project, so the
 * CLI's writes (the passphrase's `encryptionsalt`) never touch the committed files. The salt of an
 * earlier run is kept; the config always comes from the project's file.
 */
function localWorkspace(): string {
    const dir = path.join(WORK_DIR, "local");
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const stackFile = path.join(dir, "Pulumi.local.yaml");
    const previous = fs.existsSync(stackFile) ? (yaml.load(fs.readFileSync(stackFile, "utf8")) as Record<string, unknown>) : {};
    const committed = yaml.load(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.local.yaml"), "utf8")) as Record<string, unknown>;
    const merged = previous.encryptionsalt !== undefined ? { ...committed, encryptionsalt: previous.encryptionsalt } : committed;
    fs.writeFileSync(stackFile, yaml.dump(merged));
    return dir;
}

async function run(command: string): Promise<void> {
    const stack = await inlineStack({ name: "local", backendDir: path.join(PROJECT_DIR, ".pulumi-state"), workDir: localWorkspace(), passphrase: PASSPHRASE });
    const onOutput = (s: string) => process.stdout.write(s);
    const policies = { policyPacks: [POLICY_PACK], policyPackConfigs: [policyConfig("dev")] };
    if (command === "preview") {
        await stack.preview({ ...policies, onOutput, diff: false });
    } else if (command === "up") {
        await stack.up({ ...policies, onOutput });
        const outputs = await stack.outputs();
        process.stdout.write(`\nStack outputs (local):\n${JSON.stringify(Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value])), null, 2)}\n`);
    } else if (command === "destroy") {
        await stack.destroy({ onOutput });
    } else {
        throw new Error(`unknown command ${JSON.stringify(command)}; use up, preview or destroy`);
    }
}

run(process.argv[2] ?? "up").catch((e: Error) => {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
});
