/**
 * observability-stack policy pack: every incident of the reference deployment as a guardrail.
 * Levels and ceilings come from the stack's policy config (config/dev.json, config/production.json);
 * the defaults here are the safe ones. A config naming a renamed or unknown policy is refused.
 *
 * The CLI's runner (@pulumi/pulumi cmd/run-policy-pack) calls an exported function and awaits it. Before anything
 * loads @pulumi/pulumi, its function-serialization modules are deferred until used, and the pack's modules load with
 * the SDK's debugger off (lib/deferSdk.ts: a faster start, the same pack).
 */
import { deferSdkModules, pauseScriptTracking } from "../lib/deferSdk";

deferSdkModules(__dirname);

export = async () => {
    await pauseScriptTracking(__dirname);
    const { startPack } = await import("./pack");
    startPack();
};
