/**
 * observability-stack: Istio, Jaeger and Kiali as one distributed-tracing stack.
 * The body lives in program.ts so that the test programs under e2e/programs/ run the very same code.
 *
 * Before anything loads @pulumi/pulumi, its function-serialization modules are deferred until used, and the program's
 * modules load with the SDK's debugger off (lib/deferSdk.ts: a faster start, the same program).
 */
import { deferSdkModules, pauseScriptTracking } from "./lib/deferSdk";

deferSdkModules(__dirname);

export = async () => {
    await pauseScriptTracking(__dirname);
    const { main } = await import("./program");
    return main();
};
