/**
 * `npm run verify -- --stack <name> [--json] [--probe <gateway URL> --jaeger-url <URL> [--requests N]]`: checks a deployed
 * stack end to end against its cluster. Each check prints ✓ or ✗ (– when it cannot be checked), what it found, the
 * incident or policy it guards against, and the fix; `--json` prints the same as JSON. The exit status is 1 when a
 * check fails, 2 when the stack or the cluster cannot be read.
 *
 * The stack is read through the Pulumi CLI with your login, from the project directory (`--cwd`); `--stack local` is
 * the main job's stack (npm run local), read from its own workspace and file backend.
 */
import { parseArgs } from "util";
import * as path from "path";
import { ClusterAccessError } from "../lib/clusterAccess";
import { PROJECT_DIR } from "../e2e/harness";
import { localStack } from "../e2e/localStack";
import { objectChecks } from "./checks";
import { StackSource, configValue, readDeclared } from "./declared";
import { readLive } from "./live";
import { ProbeOptions, probe } from "./probe";
import { reportLines } from "./report";

async function source(stack: string, cwd: string | undefined): Promise<StackSource> {
    if (stack === "local" && cwd === undefined) {
        const s = await localStack();
        return { stack, cwd: s.workspace.workDir, env: { ...process.env, ...s.workspace.envVars } };
    }
    return { stack, cwd: cwd ?? PROJECT_DIR, env: process.env };
}

async function main(): Promise<number> {
    const { values } = parseArgs({
        options: {
            stack: { type: "string" },
            cwd: { type: "string" },
            json: { type: "boolean", default: false },
            probe: { type: "string" },
            "jaeger-url": { type: "string" },
            host: { type: "string" },
            requests: { type: "string", default: "20" },
        },
    });
    if (values.stack === undefined) {
        process.stderr.write("usage: npm run verify -- --stack <name> [--cwd <project dir>] [--json] [--probe <gateway URL> --jaeger-url <Jaeger query URL> [--requests N]]\n");
        return 2;
    }
    const src = await source(values.stack, values.cwd === undefined ? undefined : path.resolve(values.cwd));
    const declared = readDeclared(src);
    // The cluster the stack's provider targets: kubernetes:kubeconfig and kubernetes:context, else KUBECONFIG (lib/clusterAccess.ts).
    const access = { kubeconfig: configValue(src, "kubernetes:kubeconfig"), context: configValue(src, "kubernetes:context") };
    const { live, server, context } = await readLive(access, { app: declared.appNamespaces, dns: declared.dns.namespace, dataPlane: declared.dataPlane }, src.env);
    const results = objectChecks(declared, live);
    if (values.probe !== undefined) {
        const opts: ProbeOptions = { gatewayUrl: values.probe, host: values.host, jaegerUrl: values["jaeger-url"], requests: Number(values.requests), samplingPercentage: declared.samplingPercentage };
        results.push(...(await probe(opts)));
    }
    if (values.json) {
        process.stdout.write(`${JSON.stringify({ stack: values.stack, cluster: { server, context }, results }, null, 2)}\n`);
    } else {
        process.stdout.write(`${reportLines(`verify: stack ${values.stack} on ${server} (context ${context})`, results).join("\n")}\n`);
    }
    return results.some((r) => r.status === "fail") ? 1 : 0;
}

main().then(
    (code) => process.exit(code),
    (e: unknown) => {
        process.stderr.write(`verify: ${e instanceof ClusterAccessError ? e.message : e instanceof Error ? e.message.split("\n")[0] : String(e)}\n`);
        process.exit(2);
    },
);
