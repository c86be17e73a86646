import * as assert from "assert";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import * as yaml from "js-yaml";
import { ClusterAccessError, PREVIEW_CLUSTER_ROLE, loadKubeConfig } from "../lib/clusterAccess";
import { observeNamespaces } from "../lib/namespaces";

/** A kubeconfig with one context per server, user `u` with a bearer token. */
function kubeconfig(server: string, contexts = ["x"], current = "x"): string {
    return [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        `- name: c\n  cluster: {server: "${server}", insecure-skip-tls-verify: true}`,
        "users:",
        "- name: u\n  user: {token: abc}",
        "contexts:",
        ...contexts.map((c) => `- name: ${c}\n  context: {cluster: c, user: u}`),
        `current-context: ${current}`,
        "",
    ].join("\n");
}

/** The message a ClusterAccessError carries, or a failure naming what else was thrown. */
function accessError(f: () => unknown): string {
    try {
        f();
    } catch (e) {
        assert.ok(e instanceof ClusterAccessError, `expected a ClusterAccessError, got ${String(e)}`);
        assert.strictEqual(e.stack, `ClusterAccessError: ${e.message}`, "no stack frames");
        return e.message;
    }
    throw new Error("no error");
}

async function rejected(p: Promise<unknown>): Promise<string> {
    try {
        await p;
    } catch (e) {
        assert.ok(e instanceof ClusterAccessError, `expected a ClusterAccessError, got ${String(e)}`);
        assert.ok(!e.message.includes("\n"), "one line");
        return e.message;
    }
    throw new Error("no error");
}

describe("cluster access", () => {
    it("names in its 403 fix the ClusterRole rbac/preview.yaml defines", () => {
        const role = yaml.load(fs.readFileSync(path.join(__dirname, "..", "rbac", "preview.yaml"), "utf8")) as { kind: string; metadata: { name: string } };
        assert.deepStrictEqual([role.kind, role.metadata.name], ["ClusterRole", PREVIEW_CLUSTER_ROLE]);
    });

    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "obs-cluster-access-"));
    });
    after(() => {
        fs.rmSync(dir, { recursive: true, force: true });
    });
    const file = (name: string, content: string) => {
        const p = path.join(dir, name);
        fs.writeFileSync(p, content);
        return p;
    };

    describe("loadKubeConfig", () => {
        it("names a missing KUBECONFIG file and the setting", () => {
            const missing = path.join(dir, "nope.yaml");
            assert.strictEqual(
                accessError(() => loadKubeConfig({}, { KUBECONFIG: missing }, dir)),
                `cluster access: the kubeconfig ${missing} (from KUBECONFIG) does not exist: create it, or export KUBECONFIG=<path> (or pulumi config set kubernetes:kubeconfig <path>)`,
            );
        });

        it("names a missing kubernetes:kubeconfig file", () => {
            const missing = path.join(dir, "gone.yaml");
            assert.strictEqual(
                accessError(() => loadKubeConfig({ kubeconfig: missing }, { KUBECONFIG: "/elsewhere" }, dir)),
                `cluster access: the kubeconfig ${missing} (from stack config kubernetes:kubeconfig) does not exist: create it, or pulumi config set kubernetes:kubeconfig <path>`,
            );
        });

        it("says there is no kubeconfig at all when nothing is set and ~/.kube/config is absent", () => {
            assert.strictEqual(
                accessError(() => loadKubeConfig({}, {}, dir)),
                `cluster access: no kubeconfig: neither kubernetes:kubeconfig nor KUBECONFIG is set, and ${path.join(dir, ".kube", "config")} does not exist: pulumi config set kubernetes:kubeconfig <path> (or export KUBECONFIG=<path>)`,
            );
        });

        it("names a file this user may not read (a child process as uid 65534 against a 0600 file)", () => {
            const secret = file("private.yaml", kubeconfig("https://127.0.0.1:1"));
            fs.chmodSync(secret, 0o600);
            fs.chmodSync(dir, 0o755);
            const script = `try { require(${JSON.stringify(path.join(__dirname, "..", "lib", "clusterAccess"))}).loadKubeConfig({}, { KUBECONFIG: ${JSON.stringify(secret)} }, "/"); } catch (e) { process.stdout.write(e.message); }`;
            const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], { uid: 65534, gid: 65534, encoding: "utf8", cwd: path.join(__dirname, "..") });
            assert.strictEqual(
                r.stdout,
                `cluster access: the kubeconfig ${secret} (from KUBECONFIG) cannot be read (permission denied): give this user read access to it (chmod/chown), or export KUBECONFIG=<path> (or pulumi config set kubernetes:kubeconfig <path>)`,
                r.stderr,
            );
        });

        it("names a directory given as the kubeconfig", () => {
            assert.strictEqual(
                accessError(() => loadKubeConfig({ kubeconfig: dir }, {}, dir)),
                `cluster access: the kubeconfig ${dir} (from stack config kubernetes:kubeconfig) is a directory, not a file: pulumi config set kubernetes:kubeconfig <path>`,
            );
        });

        it("names a file that is not a kubeconfig", () => {
            const bad = file("bad.yaml", "clusters: [\n");
            assert.match(
                accessError(() => loadKubeConfig({ kubeconfig: bad }, {}, dir)),
                new RegExp(
                    `^cluster access: the kubeconfig ${bad} \\(from stack config kubernetes:kubeconfig\\) is not a valid kubeconfig: .+: fix the file, or pulumi config set kubernetes:kubeconfig <path>$`,
                ),
            );
        });

        it("names an unknown kubernetes:context and lists the contexts there are", () => {
            const kc = file("two.yaml", kubeconfig("https://127.0.0.1:1", ["a", "b"], "a"));
            assert.strictEqual(
                accessError(() => loadKubeConfig({ context: "prod" }, { KUBECONFIG: kc }, dir)),
                `cluster access: context "prod" (stack config kubernetes:context) is not in ${kc} (from KUBECONFIG); its contexts: a, b: pulumi config set kubernetes:context <one of them>, or point the stack at the kubeconfig that has it`,
            );
        });

        it("names a current-context the file does not define", () => {
            const kc = file("dangling.yaml", kubeconfig("https://127.0.0.1:1", ["a"], "gone"));
            assert.strictEqual(
                accessError(() => loadKubeConfig({}, { KUBECONFIG: kc }, dir)),
                `cluster access: ${kc} (from KUBECONFIG) names current-context "gone", which it does not define; its contexts: a: pulumi config set kubernetes:context <one of them>`,
            );
        });

        it("takes kubernetes:kubeconfig as content and the context it names", () => {
            const kc = loadKubeConfig({ kubeconfig: kubeconfig("https://10.0.0.1:6443", ["a", "b"], "a"), context: "b" }, {}, dir);
            assert.deepStrictEqual([kc.getCurrentContext(), kc.getCurrentCluster()?.server], ["b", "https://10.0.0.1:6443"]);
        });
    });

    describe("observeNamespaces", () => {
        // A fake API server for this unit test (plain HTTP) answering every request with one status; the e2e suite meets the real kube-apiserver's.
        async function server(status: number, body: object): Promise<{ url: string; close: () => Promise<void> }> {
            const s = http.createServer((_, res) => {
                res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
            });
            await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
            return { url: `http://127.0.0.1:${(s.address() as net.AddressInfo).port}`, close: () => new Promise((r) => s.close(() => r())) };
        }

        it("reports a refused connection with the server, context and fix, in one line", async () => {
            const probe = net.createServer();
            await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
            const port = (probe.address() as net.AddressInfo).port;
            await new Promise((r) => probe.close(r));
            const kc = file("refused.yaml", kubeconfig(`https://127.0.0.1:${port}`));
            assert.strictEqual(
                await rejected(observeNamespaces(["istio-system"], { kubeconfig: kc })),
                `cluster access: cannot reach the API server https://127.0.0.1:${port} (context "x" from stack config kubernetes:kubeconfig): connection refused: start the cluster or fix the server address of that context, or choose another with kubernetes:context`,
            );
        });

        it("reports 401 as rejected credentials of the context's user", async () => {
            const s = await server(401, { kind: "Status", message: "Unauthorized", code: 401 });
            try {
                assert.strictEqual(
                    await rejected(observeNamespaces(["istio-system"], { kubeconfig: file("401.yaml", kubeconfig(s.url)) })),
                    `cluster access: the API server ${s.url} rejected the credentials of user "u" (context "x" from stack config kubernetes:kubeconfig) with 401 Unauthorized: renew that user's token or certificate (log in to the cluster again), or choose another context with kubernetes:context`,
                );
            } finally {
                await s.close();
            }
        });

        it("reports 403 on namespaces with the server's reason and the ClusterRole to bind", async () => {
            const message = 'namespaces "istio-system" is forbidden: User "viewer" cannot get resource "namespaces" in API group "" in the namespace "istio-system"';
            const s = await server(403, { kind: "Status", message, code: 403 });
            try {
                assert.strictEqual(
                    await rejected(observeNamespaces(["istio-system"], { kubeconfig: file("403.yaml", kubeconfig(s.url)) })),
                    `cluster access: user "u" (context "x" from stack config kubernetes:kubeconfig) may not get namespace istio-system on ${s.url}: 403 Forbidden (${message}): bind it to the ClusterRole observability-stack-preview (README, "Cluster access"), or use credentials that have it`,
                );
            } finally {
                await s.close();
            }
        });

        it("reads 404 as a namespace that does not exist", async () => {
            const s = await server(404, { kind: "Status", code: 404 });
            try {
                assert.deepStrictEqual(await observeNamespaces(["auth"], { kubeconfig: file("404.yaml", kubeconfig(s.url)) }), new Map([["auth", { exists: false }]]));
            } finally {
                await s.close();
            }
        });
    });
});
