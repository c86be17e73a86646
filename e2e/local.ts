/**
 * The main job on this machine: `pulumi up` of the `local` stack (Pulumi.local.yaml) with the
 * policy pack, against the local control plane, printing the stack outputs. Run by scripts/local.sh.
 *
 *   ts-node e2e/local.ts up | preview | destroy
 */
import * as path from "path";
import { POLICY_PACK, PROJECT_DIR, inlineStack, policyConfig } from "./harness";

/** Local stack only: its secrets protect nothing (set OBS_LOCAL_PASSPHRASE to use your own). */
const PASSPHRASE = process.env.OBS_LOCAL_PASSPHRASE ?? "observability-stack-local";

async function run(command: string): Promise<void> {
    const stack = await inlineStack({ name: "local", backendDir: path.join(PROJECT_DIR, ".pulumi-state"), workDir: PROJECT_DIR, passphrase: PASSPHRASE });
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
