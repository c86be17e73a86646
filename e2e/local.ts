/**
 * The main job on this machine: the `local` stack (Pulumi.local.yaml) against the local control plane, judged by
 * a preview under the policy pack (`--policy-pack ./policy --policy-pack-config policy/config/dev.json`) and only
 * then updated, in one `pulumi up` (e2e/guardedUp.ts), run by the Pulumi CLI with the Node.js language host; prints
 * the stack outputs and a summary. Run by scripts/local.sh.
 *
 *   ts-node e2e/local.ts up | preview | destroy
 *
 * The workspace and the file backend live in `.work/local` and `.pulumi-state`; OBS_LOCAL_DIR moves both, and
 * OBS_CHARTS_URL points the chart repos at another mirror (the e2e suite runs the main job on its own control plane,
 * beside a user's own local stack).
 */
import * as path from "path";
import { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { applyGatewayApiCrds } from "./gatewayApi";
import { GuardStopped, Verdict, guardedUp } from "./guardedUp";
import { KUBECONFIG, POLICY_PACK, airGapped, cliErrorLines, configSet, policyConfig, policyEventOf, toolsBin } from "./harness";
import { localStack } from "./localStack";

function verdictLines(verdicts: readonly Verdict[]): string[] {
    const violations = verdicts.filter((v) => v.level !== "");
    if (violations.length === 0) {
        return ["  policy pack: every policy passed"];
    }
    const levels = [...new Set(violations.map((v) => v.level))];
    return levels.flatMap((level) => {
        const list = violations.filter((v) => v.level === level);
        return [`  policy pack, ${level}: ${list.length}`, ...list.map((v) => `    - ${v.policy}: ${v.message}`)];
    });
}

function counts(changes: Record<string, number> | undefined): string {
    const entries = Object.entries(changes ?? {}).filter(([, n]) => n > 0);
    return entries.length === 0
        ? "none"
        : entries.map(([op, n]) => `${n} ${op === "same" ? "unchanged" : op === "create" ? "created" : op === "update" ? "updated" : op === "delete" ? "deleted" : op}`).join(", ");
}

/** The stack's `mesh.dataPlane` as its config says (sidecar when unset). */
async function dataPlaneOf(stack: Stack): Promise<string> {
    const all = await stack.getAllConfig();
    const mesh = all["observability-stack:mesh"]?.value;
    try {
        return (JSON.parse(mesh ?? "{}") as { dataPlane?: string }).dataPlane ?? "sidecar";
    } catch {
        return "sidecar";
    }
}

async function run(command: string): Promise<void> {
    const t0 = Date.now();
    const stack = await localStack();
    // A mirror elsewhere than the stack file's 127.0.0.1:8879 (the e2e suite's control plane serves its own).
    if (process.env.OBS_CHARTS_URL !== undefined) {
        await configSet(stack, airGapped());
    }
    // Ambient mode needs the Gateway API CRDs on the cluster (a prerequisite the program checks): the local control plane
    // gets the real ones, as a user installs them on theirs (README, "Ambient mode").
    if (command !== "destroy" && (await dataPlaneOf(stack)) === "ambient") {
        applyGatewayApiCrds();
    }
    const verdicts: Verdict[] = [];
    const onVerdict = (v: Verdict) => verdicts.push(v);
    const onEvent = (e: EngineEvent) => {
        const v = policyEventOf(e);
        if (v !== undefined) {
            onVerdict(v);
        }
    };
    const onOutput = (s: string) => process.stdout.write(s);
    const policies = { policyPacks: [POLICY_PACK], policyPackConfigs: [policyConfig("dev")] };
    const seconds = () => ((Date.now() - t0) / 1000).toFixed(1);
    const kubectl = `${path.relative(process.cwd(), path.join(toolsBin(), "kubectl"))} --kubeconfig ${path.relative(process.cwd(), KUBECONFIG)}`;
    if (command === "preview") {
        try {
            const r = await stack.preview({ ...policies, onEvent, onOutput, diff: false });
            process.stdout.write(["", "Summary (preview of stack local):", `  resources: ${counts(r.changeSummary)}`, ...verdictLines(verdicts), `  time: ${seconds()} s`, ""].join("\n"));
        } catch (e) {
            process.stdout.write(["", "Summary (preview of stack local, failed):", ...cliErrorLines(e).map((l) => `  ${l}`), ...verdictLines(verdicts), `  time: ${seconds()} s`, ""].join("\n"));
            process.exit(1);
        }
    } else if (command === "up") {
        let r: Awaited<ReturnType<typeof guardedUp>>;
        try {
            r = await guardedUp(stack, { ...policies, onOutput, onVerdict });
        } catch (e) {
            if (e instanceof GuardStopped) {
                process.stdout.write(["", "Summary (pulumi up --stack local, stopped before any change):", `  ${e.message}`, ...verdictLines(verdicts), `  time: ${seconds()} s`, ""].join("\n"));
                process.exit(1);
            }
            throw e;
        }
        const outputs = Object.fromEntries(Object.entries(await stack.outputs()).map(([k, v]) => [k, v.secret ? "[secret]" : v.value]));
        process.stdout.write(
            [
                "",
                "Stack outputs (local):",
                JSON.stringify(outputs, null, 2),
                "",
                `Summary (pulumi up --stack local, ${r.up.summary.result}; judged by a preview under the pack first):`,
                `  resources: ${counts(r.up.summary.resourceChanges)}`,
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

run(process.argv[2] ?? "up").catch((e: unknown) => {
    process.stderr.write(`${cliErrorLines(e).join("\n")}\n`);
    process.exit(1);
});
