/**
 * Cluster access through the CLI, on the suite's real kube-apiserver: each way a preview can fail to reach or use
 * the cluster (no kubeconfig file, a directory given as one, an unknown context, a server that refuses, a token the
 * server rejects with 401, a user it forbids with 403) prints one `cluster access:` line naming the setting and the
 * fix, no stack frame, before any resource is registered. Then the ClusterRole README gives a preview's
 * credentials (rbac/preview.yaml), bound to a user of its own: a new stack previews under the pack, and an
 * existing one previews with `--refresh` and nothing to change.
 * Needs `scripts/cluster.sh up` first (`npm run test:e2e` does it): its users `preview` and `viewer` have no rights of their own.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { Stack } from "@pulumi/pulumi/automation";
import { PREVIEW_CLUSTER_ROLE } from "../lib/clusterAccess";
import { KUBECONFIG, PROJECT_DIR, WORK_DIR, airGapped, cliErrorLines, configSet, kubectl, previewWithPolicies, waitNamespacesGone, workspaceStack } from "./harness";

const PASSPHRASE = "e2e-only-passphrase";
const root = path.join(WORK_DIR, "e2e", "cluster-access");
const CLUSTER_DIR = path.dirname(KUBECONFIG);

/** The suite's kubeconfig with another user's token (`users` of scripts/cluster.sh), or another server. */
function kubeconfigFor(opts: { token?: string; server?: string }): string {
    let text = fs.readFileSync(KUBECONFIG, "utf8");
    if (opts.token !== undefined) {
        text = text.replace(/token: .*/, `token: ${opts.token}`);
    }
    if (opts.server !== undefined) {
        text = text.replace(/server: .*/, `server: ${opts.server}`);
    }
    return text;
}

const tokenOf = (user: string) => fs.readFileSync(path.join(CLUSTER_DIR, "pki", `${user}.token`), "utf8").trim();

async function closedPort(): Promise<number> {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    return port;
}

interface Failure {
    readonly name: string;
    /** The case: the CLI run's environment and the stack config it sets (`kubernetes:*`). */
    readonly prepare: () => Promise<{ env?: Record<string, string>; config?: Record<string, string> }>;
    readonly expected: RegExp;
}

describe("pulumi CLI, cluster access", function () {
    this.timeout(600_000);
    const kc = (name: string, content: string) => {
        const p = path.join(root, `${name}.yaml`);
        fs.writeFileSync(p, content, { mode: 0o600 });
        return p;
    };

    before(() => {
        fs.rmSync(root, { recursive: true, force: true });
        fs.mkdirSync(root, { recursive: true });
    });

    const failures: Failure[] = [
        {
            name: "KUBECONFIG names a file that does not exist",
            prepare: async () => ({ env: { KUBECONFIG: path.join(root, "missing.yaml") } }),
            expected:
                /^cluster access: the kubeconfig \S+missing\.yaml \(from KUBECONFIG\) does not exist: create it, or export KUBECONFIG=<path> \(or pulumi config set kubernetes:kubeconfig <path>\)$/,
        },
        {
            name: "kubernetes:kubeconfig names a directory",
            prepare: async () => ({ config: { "kubernetes:kubeconfig": root } }),
            expected: /^cluster access: the kubeconfig \S+ \(from stack config kubernetes:kubeconfig\) is a directory, not a file: pulumi config set kubernetes:kubeconfig <path>$/,
        },
        {
            name: "kubernetes:context names a context the kubeconfig does not have",
            prepare: async () => ({ config: { "kubernetes:context": "production" } }),
            expected:
                /^cluster access: context "production" \(stack config kubernetes:context\) is not in \S+ \(from KUBECONFIG\); its contexts: local: pulumi config set kubernetes:context <one of them>, or point the stack at the kubeconfig that has it$/,
        },
        {
            name: "the server refuses connections",
            prepare: async () => ({ env: { KUBECONFIG: kc("refused", kubeconfigFor({ server: `https://127.0.0.1:${await closedPort()}` })) } }),
            expected:
                /^cluster access: cannot reach the API server https:\/\/127\.0\.0\.1:\d+ \(context "local" from KUBECONFIG\): connection refused: start the cluster or fix the server address of that context, or choose another with kubernetes:context$/,
        },
        {
            name: "the API server rejects the token (401)",
            prepare: async () => ({ env: { KUBECONFIG: kc("bad-token", kubeconfigFor({ token: "not-a-token-of-this-cluster" })) } }),
            expected:
                /^cluster access: the API server https:\/\/127\.0\.0\.1:\d+ rejected the credentials of user "admin" \(context "local" from KUBECONFIG\) with 401 Unauthorized: renew that user's token or certificate \(log in to the cluster again\), or choose another context with kubernetes:context$/,
        },
        {
            name: "the user may not read namespaces (403)",
            prepare: async () => ({ env: { KUBECONFIG: kc("viewer", kubeconfigFor({ token: tokenOf("viewer") })) } }),
            expected:
                /^cluster access: user "admin" \(context "local" from KUBECONFIG\) may not get namespace istio-system on https:\/\/127\.0\.0\.1:\d+: 403 Forbidden \(namespaces "istio-system" is forbidden: User "viewer" cannot get resource "namespaces" in API group "" in the namespace "istio-system"\): bind it to the ClusterRole observability-stack-preview \(README, "Cluster access"\), or use credentials that have it$/,
        },
    ];

    for (const f of failures) {
        it(`${f.name}: one line naming the setting and the fix, no frame, nothing registered`, async () => {
            const name = f.name
                .replace(/[^a-z0-9]+/gi, "-")
                .toLowerCase()
                .slice(0, 40);
            const { env, config } = await f.prepare();
            const stack = await workspaceStack({ stack: "access", dir: path.join(root, name), from: "local", passphrase: PASSPHRASE, env });
            await configSet(stack, airGapped());
            for (const [key, value] of Object.entries(config ?? {})) {
                await stack.setConfig(key, { value });
            }
            const t0 = Date.now();
            let output = "";
            await assert.rejects(stack.preview({ onOutput: (s) => (output += s) }), (e: Error) => {
                const lines = cliErrorLines(e).filter((l) => l.startsWith("cluster access:"));
                assert.strictEqual(lines.length, 1, e.message.slice(0, 3000));
                assert.match(lines[0], f.expected);
                assert.ok(!/^\s+at /m.test(e.message), `a stack frame in:\n${e.message.slice(0, 3000)}`);
                return true;
            });
            process.stdout.write(`      (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
            assert.ok(!/^\s+at /m.test(output), output);
            const state = await stack.exportStack();
            assert.deepStrictEqual(
                ((state.deployment.resources ?? []) as { type: string }[]).filter((r) => r.type !== "pulumi:pulumi:Stack"),
                [],
            );
        });
    }

    describe("the preview ClusterRole (rbac/preview.yaml)", () => {
        // One kubeconfig path for both users, as a workflow writes ~/.kube/config: the provider's kubeconfig input stays the same.
        const shared = path.join(root, "shared-kubeconfig.yaml");
        let stack: Stack;

        before(async () => {
            kubectl(["apply", "-f", path.join(PROJECT_DIR, "rbac", "preview.yaml")]);
            kubectl(["create", "clusterrolebinding", "e2e-preview", "--clusterrole", PREVIEW_CLUSTER_ROLE, "--user", "preview"]);
            fs.writeFileSync(shared, kubeconfigFor({ token: tokenOf("preview") }), { mode: 0o600 });
            stack = await workspaceStack({ stack: "previewer", dir: path.join(root, "previewer"), from: "local", passphrase: PASSPHRASE, env: { KUBECONFIG: shared } });
            await configSet(stack, airGapped());
        });

        after(async () => {
            fs.writeFileSync(shared, fs.readFileSync(KUBECONFIG, "utf8"), { mode: 0o600 });
            await stack.destroy().catch(() => undefined);
            kubectl(["delete", "clusterrolebinding", "e2e-preview", "--ignore-not-found"]);
            waitNamespacesGone(["istio-system", "auth", "chat"]);
        });

        it("grants reads only", () => {
            const role = JSON.parse(kubectl(["get", "clusterrole", PREVIEW_CLUSTER_ROLE, "-o", "json"])) as { rules: { verbs: string[] }[] };
            assert.deepStrictEqual([...new Set(role.rules.flatMap((r) => r.verbs))].sort(), ["get", "list"]);
        });

        it("is enough for the preview of a new stack under the pack", async () => {
            const r = await previewWithPolicies(stack, "dev");
            assert.ok(r.ok, r.error.slice(0, 3000));
            assert.deepStrictEqual(r.policies, []);
            assert.ok((r.changes.create ?? 0) > 50, JSON.stringify(r.changes));
        });

        it("is enough for a refreshed preview of a deployed stack, which finds nothing to change", async () => {
            fs.writeFileSync(shared, fs.readFileSync(KUBECONFIG, "utf8"), { mode: 0o600 });
            await stack.up();
            fs.writeFileSync(shared, kubeconfigFor({ token: tokenOf("preview") }), { mode: 0o600 });
            const r = await stack.preview({ refresh: true });
            assert.deepStrictEqual(
                Object.keys(r.changeSummary).filter((k) => k !== "same"),
                [],
                JSON.stringify(r.changeSummary),
            );
        });
    });
});
