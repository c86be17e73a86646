/**
 * The main job on this machine: `pulumi up --stack local --policy-pack ./policy
 * --policy-pack-config policy/config/dev.json` (Pulumi.local.yaml) against the local control plane,
 * run by the Pulumi CLI with the Node.js language host; prints the stack outputs and a summary.
 * Run by scripts/local.sh.
 *
 *   ts-node e2e/local.ts up | preview | destroy
 */
import * as path from "path";
import { EngineEvent } from "@pulumi/pulumi/automation";
import { KUBECONFIG, POLICY_PACK, PROJECT_DIR, WORK_DIR, policyConfig, toolsBin, violationMessage, workspaceStack } from "./harness";

/** Local stack only: its secrets protect nothing (set OBS_LOCAL_PASSPHRASE to use your own). */
const PASSPHRASE = process.env.OBS_LOCAL_PASSPHRASE ?? "observability-stack-local";

type Verdicts = Map<string, { policy: string; message: string }[]>;

function verdictLines(verdicts: Verdicts): string[] {
    if (verdicts.size === 0) {
        return ["  policy pack: every policy passed"];
    }
    return [...verdicts.entries()].flatMap(([level, list]) => [`  policy pack, ${level}: ${list.length}`, ...list.map((v) => `    - ${v.policy}: ${v.message}`)]);
}

function counts(changes: Record<string, number> | undefined): string {
    const entries = Object.entries(changes ?? {}).filter(([, n]) => n > 0);
    return entries.length === 0
        ? "none"
        : entries.map(([op, n]) => `${n} ${op === "same" ? "unchanged" : op === "create" ? "created" : op === "update" ? "updated" : op === "delete" ? "deleted" : op}`).join(", ");
}

async function run(command: string): Promise<void> {
    const t0 = Date.now();
    const stack = await workspaceStack({ stack: "local", dir: path.join(WORK_DIR, "local"), backendDir: path.join(PROJECT_DIR, ".pulumi-state"), from: "local", passphrase: PASSPHRASE, keep: true });
    const verdicts: Verdicts = new Map();
    const onEvent = (e: EngineEvent) => {
        if (e.policyEvent !== undefined) {
            const list = verdicts.get(e.policyEvent.enforcementLevel) ?? [];
            list.push({ policy: e.policyEvent.policyName, message: violationMessage(e.policyEvent.message) });
            verdicts.set(e.policyEvent.enforcementLevel, list);
        }
    };
    const onOutput = (s: string) => process.stdout.write(s);
    const policies = { policyPacks: [POLICY_PACK], policyPackConfigs: [policyConfig("dev")], onEvent, onOutput };
    const seconds = () => ((Date.now() - t0) / 1000).toFixed(1);
    const kubectl = `${path.relative(process.cwd(), path.join(toolsBin(), "kubectl"))} --kubeconfig ${path.relative(process.cwd(), KUBECONFIG)}`;
    if (command === "preview") {
        const r = await stack.preview({ ...policies, diff: false });
        process.stdout.write(["", "Summary (preview of stack local):", `  resources: ${counts(r.changeSummary)}`, ...verdictLines(verdicts), `  time: ${seconds()} s`, ""].join("\n"));
    } else if (command === "up") {
        const r = await stack.up(policies);
        const outputs = Object.fromEntries(Object.entries(await stack.outputs()).map(([k, v]) => [k, v.secret ? "[secret]" : v.value]));
        process.stdout.write(
            [
                "",
                "Stack outputs (local):",
                JSON.stringify(outputs, null, 2),
                "",
                `Summary (pulumi up --stack local, ${r.summary.result}):`,
                `  resources: ${counts(r.summary.resourceChanges)}`,
                ...verdictLines(verdicts),
                `  time: ${seconds()} s`,
                "",
                "Look at it:",
                `  ${kubectl} get pods,services,configmaps -n istio-system`,
                `  ${kubectl} get telemetries.telemetry.istio.io,serviceentries.networking.istio.io -A`,
                `  ${kubectl} get networkpolicies -A`,
                "Tear it down: npm run local:down",
                "",
            ].join("\n"),
        );
    } else if (command === "destroy") {
        const r = await stack.destroy({ onOutput });
        process.stdout.write(`\nSummary (destroy of stack local): ${counts(r.summary.resourceChanges)}; time ${seconds()} s\n`);
    } else {
        throw new Error(`unknown command ${JSON.stringify(command)}; use up, preview or destroy`);
    }
}

run(process.argv[2] ?? "up").catch((e: Error) => {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
});
