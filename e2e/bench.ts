/**
 * Benchmark (prints figures; not a test): the local stack's cold preview, up, no-op up and destroy;
 * our `pulumi up` against `kubectl apply --server-side` of the same objects (rendered with the
 * provider's renderYamlToDirectory mode) in the same run; and the policy pack's overhead.
 * Every run is the Pulumi CLI with the Node.js language host and `--policy-pack ./policy`.
 * Run by scripts/bench.sh, which starts a control plane of its own.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { KUBECONFIG, POLICY_PACK, PROJECT_DIR, WORK_DIR, airGapped, configSet, policyConfig, toolsBin, workspaceStack } from "./harness";

const root = path.join(WORK_DIR, "bench");

async function timed<T>(label: string, f: () => Promise<T>): Promise<number> {
    const t0 = process.hrtime.bigint();
    await f();
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    process.stdout.write(`${label.padEnd(46)} ${s.toFixed(2)} s\n`);
    return s;
}

function kubectl(args: string[]): void {
    execFileSync(path.join(toolsBin(), "kubectl"), ["--kubeconfig", KUBECONFIG, ...args], { stdio: ["ignore", "ignore", "inherit"] });
}

/** The local stack (Pulumi.local.yaml, charts from this run's mirror), or the render program (e2e/programs/render). */
async function stack(name: string, program?: string) {
    const s = await workspaceStack({ stack: name, dir: path.join(root, name), from: "local", passphrase: "bench", program });
    await configSet(s, airGapped());
    return s;
}

async function run(): Promise<void> {
    process.stdout.write(`observability-stack benchmark, local stack (current versions), ${new Date().toISOString()}\n\n`);
    const s = await stack("bench");
    const previewCold = await timed("preview, cold, with policy pack", () => s.preview({ policyPacks: [POLICY_PACK], policyPackConfigs: [policyConfig("dev")] }));
    const previewNoPack = await timed("preview, without policy pack", () => s.preview());
    const previewPack = await timed("preview, with policy pack", () => s.preview({ policyPacks: [POLICY_PACK], policyPackConfigs: [policyConfig("dev")] }));
    const up = await timed("pulumi up (create)", () => s.up());
    const noop = await timed("pulumi up (no-op)", () => s.up());
    const destroy = await timed("pulumi destroy", () => s.destroy());

    // The same objects rendered to YAML, applied with kubectl --server-side.
    const dir = path.join(root, "rendered");
    fs.rmSync(dir, { recursive: true, force: true });
    const r = await stack("render", path.join(PROJECT_DIR, "e2e", "programs", "render"));
    await r.setConfig("render:directory", { value: dir });
    await r.up();
    const crds = path.join(dir, "0-crd");
    const manifests = path.join(dir, "1-manifest");
    const files = [crds, manifests].filter(fs.existsSync).flatMap((d) => fs.readdirSync(d)).length;
    const kubectlApply = await timed(`kubectl apply --server-side (${files} files)`, async () => {
        if (fs.existsSync(crds)) {
            kubectl(["apply", "--server-side", "--force-conflicts", "-f", crds]);
            kubectl(["wait", "--for=condition=Established", "crd", "--all", "--timeout=60s"]);
        }
        // Namespaces first: kubectl applies the files in name order.
        const namespaces = fs.readdirSync(manifests).filter((f) => /^v1-namespace-/.test(f));
        kubectl(["apply", "--server-side", "--force-conflicts", ...namespaces.flatMap((f) => ["-f", path.join(manifests, f)])]);
        kubectl(["apply", "--server-side", "--force-conflicts", "-R", "-f", manifests]);
    });
    kubectl(["delete", "-R", "-f", manifests, "--ignore-not-found", "--wait=true"]);

    process.stdout.write(
        [
            "",
            `ratio pulumi up / kubectl apply --server-side      ${(up / kubectlApply).toFixed(2)}`,
            `policy pack overhead on preview (with / without)    ${(previewPack / previewNoPack).toFixed(2)} (+${(previewPack - previewNoPack).toFixed(2)} s)`,
            `cold preview / warm preview (both with pack)        ${(previewCold / previewPack).toFixed(2)}`,
            `no-op up / create up                                ${(noop / up).toFixed(2)}`,
            `destroy                                             ${destroy.toFixed(2)} s`,
            "",
        ].join("\n"),
    );
}

run().catch((e: Error) => {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
});
