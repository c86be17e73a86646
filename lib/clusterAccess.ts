/**
 * Which cluster the stack deploys to, and what went wrong reaching it, in one line a user can act on.
 *
 * The program and the Kubernetes provider read the same settings: the stack config `kubernetes:kubeconfig`
 * (a path, or the file's content) and `kubernetes:context`, else the environment `KUBECONFIG` (a list of
 * paths joined by `:`, as kubectl reads it), else `~/.kube/config`, else the in-cluster service account.
 * Every failure the program can meet before the first resource (no file, an unreadable or malformed file,
 * an unknown context, a server that does not answer, credentials rejected with 401, a 403 on namespaces)
 * is a {@link ClusterAccessError}: one line naming what failed, the setting that decides it and the fix,
 * and no stack trace.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as k8sClient from "@kubernetes/client-node";
import * as pulumi from "@pulumi/pulumi";

/** The `kubernetes:*` stack config the program and the provider read. */
export interface ClusterAccess {
    /** `kubernetes:kubeconfig`: a path, or the kubeconfig's content. */
    readonly kubeconfig?: string;
    /** `kubernetes:context`: a context of that kubeconfig; else its current-context. */
    readonly context?: string;
}

/** The ClusterRole README gives a preview's credentials (the reads of the program and the provider). */
export const PREVIEW_CLUSTER_ROLE = "observability-stack-preview";

/**
 * A failure to reach or use the cluster, before any resource is registered. A `pulumi.RunError`, so the
 * Node.js SDK's runner prints its message alone; its `stack` is the message too (as `ConfigError`'s: the
 * runner formats every uncaught error once, and frames under `@pulumi` modules take tens of seconds).
 */
export class ClusterAccessError extends pulumi.RunError {
    constructor(message: string) {
        super(`cluster access: ${message}`);
        this.name = "ClusterAccessError";
        this.stack = `${this.name}: ${this.message}`;
    }
}

/** Where the kubeconfig comes from, in the words of the setting a user changes. */
interface KubeconfigSource {
    /** e.g. "stack config kubernetes:kubeconfig", "KUBECONFIG", "~/.kube/config". */
    readonly setting: string;
    /** The files read (none when the content is given inline or in-cluster). */
    readonly files: readonly string[];
    /** How to point the stack at another kubeconfig. */
    readonly fix: string;
}

const SET_KUBECONFIG = "pulumi config set kubernetes:kubeconfig <path> (or export KUBECONFIG=<path>)";

/** True when `kubernetes:kubeconfig` holds the kubeconfig itself rather than a path (as the provider accepts both). */
function isInlineKubeconfig(given: string): boolean {
    return /^\s*(apiVersion|kind|clusters|contexts|users|current-context|preferences)\s*:/m.test(given) || given.trimStart().startsWith("{");
}

function sourceOf(access: ClusterAccess, env: NodeJS.ProcessEnv, home: string): KubeconfigSource {
    const given = access.kubeconfig;
    if (given !== undefined && given !== "") {
        return { setting: "stack config kubernetes:kubeconfig", files: isInlineKubeconfig(given) ? [] : [given], fix: "pulumi config set kubernetes:kubeconfig <path>" };
    }
    const fromEnv = env.KUBECONFIG;
    if (fromEnv !== undefined && fromEnv !== "") {
        return { setting: "KUBECONFIG", files: fromEnv.split(path.delimiter).filter((f) => f !== ""), fix: "export KUBECONFIG=<path> (or pulumi config set kubernetes:kubeconfig <path>)" };
    }
    return { setting: "~/.kube/config", files: [path.join(home, ".kube", "config")], fix: SET_KUBECONFIG };
}

/** The first line of an error's message (YAML parsers add a code excerpt below it). */
function firstLine(e: unknown): string {
    return (e instanceof Error ? e.message : String(e)).split("\n")[0].trim();
}

/**
 * The kubeconfig the stack uses, with the context selected. Throws {@link ClusterAccessError} when a file is
 * missing, unreadable or malformed, the context is unknown, or nothing names a context at all.
 */
export function loadKubeConfig(access: ClusterAccess, env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): k8sClient.KubeConfig {
    const source = sourceOf(access, env, home);
    const kc = new k8sClient.KubeConfig();
    const inCluster = source.setting === "~/.kube/config" && !fs.existsSync(source.files[0]) && env.KUBERNETES_SERVICE_HOST !== undefined;
    if (inCluster) {
        kc.loadFromCluster();
        return kc;
    }
    for (const file of source.files) {
        try {
            fs.accessSync(file, fs.constants.R_OK);
            if (fs.statSync(file).isDirectory()) {
                throw new ClusterAccessError(`the kubeconfig ${file} (from ${source.setting}) is a directory, not a file: ${source.fix}`);
            }
        } catch (e) {
            if (e instanceof ClusterAccessError) {
                throw e;
            }
            const code = (e as NodeJS.ErrnoException).code;
            if (code === "ENOENT" && source.setting === "~/.kube/config") {
                throw new ClusterAccessError(`no kubeconfig: neither kubernetes:kubeconfig nor KUBECONFIG is set, and ${file} does not exist: ${SET_KUBECONFIG}`);
            }
            const what = code === "ENOENT" ? "does not exist" : code === "EACCES" ? "cannot be read (permission denied)" : `cannot be read (${code ?? firstLine(e)})`;
            const fix = code === "EACCES" ? `give this user read access to it (chmod/chown), or ${source.fix}` : `create it, or ${source.fix}`;
            throw new ClusterAccessError(`the kubeconfig ${file} (from ${source.setting}) ${what}: ${fix}`);
        }
    }
    try {
        if (source.files.length === 0) {
            kc.loadFromString(access.kubeconfig ?? "");
        } else {
            // As kubectl and the client's loadFromDefault merge a KUBECONFIG list: the first file's settings win.
            kc.loadFromFile(source.files[0]);
            for (const file of source.files.slice(1)) {
                const more = new k8sClient.KubeConfig();
                more.loadFromFile(file);
                kc.mergeConfig(more);
            }
        }
    } catch (e) {
        throw new ClusterAccessError(
            `the kubeconfig ${source.files.join(path.delimiter) || "in kubernetes:kubeconfig"} (from ${source.setting}) is not a valid kubeconfig: ${firstLine(e)}: fix the file, or ${source.fix}`,
        );
    }
    const where = `${source.files.join(path.delimiter) || "the kubeconfig in kubernetes:kubeconfig"} (from ${source.setting})`;
    const contexts = kc.getContexts().map((c) => c.name);
    const wanted = access.context !== undefined && access.context !== "" ? access.context : undefined;
    if (wanted !== undefined) {
        if (!contexts.includes(wanted)) {
            throw new ClusterAccessError(
                `context ${JSON.stringify(wanted)} (stack config kubernetes:context) is not in ${where}; its contexts: ${contexts.length === 0 ? "none" : contexts.join(", ")}: pulumi config set kubernetes:context <one of them>, or point the stack at the kubeconfig that has it`,
            );
        }
        kc.setCurrentContext(wanted);
    } else if (kc.getCurrentContext() === "" || !contexts.includes(kc.getCurrentContext())) {
        const current = kc.getCurrentContext();
        throw new ClusterAccessError(
            `${where} ${current === "" ? "has no current-context" : `names current-context ${JSON.stringify(current)}, which it does not define`}; its contexts: ${contexts.length === 0 ? "none" : contexts.join(", ")}: pulumi config set kubernetes:context <one of them>`,
        );
    }
    if (kc.getCurrentCluster() === null) {
        throw new ClusterAccessError(
            `context ${JSON.stringify(kc.getCurrentContext())} of ${where} names a cluster the kubeconfig does not define: fix the context's cluster, or choose another with kubernetes:context`,
        );
    }
    return kc;
}

/** What a cluster request failed with, as the client reports it: an HTTP status, or a connection error code. */
interface RequestFailure {
    readonly status?: number;
    readonly code?: string;
    readonly detail: string;
}

function failureOf(e: unknown): RequestFailure {
    const err = e as { code?: unknown; body?: unknown; message?: string };
    if (typeof err.code === "number") {
        let detail = "";
        try {
            const body = (typeof err.body === "string" ? JSON.parse(err.body) : err.body) as { message?: string } | undefined;
            detail = body?.message ?? "";
        } catch {
            detail = typeof err.body === "string" ? err.body : "";
        }
        return { status: err.code, detail: detail.split("\n")[0] };
    }
    return { code: typeof err.code === "string" ? err.code : undefined, detail: firstLine(e) };
}

const CONNECTION_WORDS: Readonly<Record<string, string>> = {
    ECONNREFUSED: "connection refused",
    ENOTFOUND: "host name not found",
    EAI_AGAIN: "host name lookup failed",
    EHOSTUNREACH: "host unreachable",
    ENETUNREACH: "network unreachable",
    ECONNRESET: "connection reset",
    ETIMEDOUT: "timed out",
};

/** One line for a failed read of `what` from the cluster of `kc` (the error of a cluster request, or a timeout). */
function clusterAccessError(e: unknown, what: string, kc: k8sClient.KubeConfig, setting: string): ClusterAccessError {
    const server = kc.getCurrentCluster()?.server ?? "the API server";
    const context = kc.getCurrentContext();
    const user = kc.getCurrentUser()?.name ?? "(none)";
    const via = `context ${JSON.stringify(context)} from ${setting}`;
    const f = failureOf(e);
    if (f.status === 401) {
        return new ClusterAccessError(
            `the API server ${server} rejected the credentials of user ${JSON.stringify(user)} (${via}) with 401 Unauthorized: renew that user's token or certificate (log in to the cluster again), or choose another context with kubernetes:context`,
        );
    }
    if (f.status === 403) {
        return new ClusterAccessError(
            `user ${JSON.stringify(user)} (${via}) may not ${what} on ${server}: 403 Forbidden${f.detail === "" ? "" : ` (${f.detail})`}: bind it to the ClusterRole ${PREVIEW_CLUSTER_ROLE} (README, "Cluster access"), or use credentials that have it`,
        );
    }
    if (f.status !== undefined) {
        return new ClusterAccessError(`the API server ${server} (${via}) answered ${f.status} to a request to ${what}${f.detail === "" ? "" : `: ${f.detail}`}`);
    }
    if (f.code !== undefined && /CERT|SSL|TLS|SELF_SIGNED|ALTNAME/.test(f.code)) {
        return new ClusterAccessError(
            `the API server ${server} (${via}) presented a certificate the kubeconfig does not trust (${f.code}): fix certificate-authority(-data) of cluster ${JSON.stringify(kc.getCurrentCluster()?.name ?? "")}, or choose another context with kubernetes:context`,
        );
    }
    const reason = f.code !== undefined ? (CONNECTION_WORDS[f.code] ?? f.code) : f.detail;
    return new ClusterAccessError(`cannot reach the API server ${server} (${via}): ${reason}: start the cluster or fix the server address of that context, or choose another with kubernetes:context`);
}

/** How long one cluster read may take before the program gives up with a clear line (a server that accepts but never answers). */
const CLUSTER_READ_TIMEOUT_MS = 15_000;

/**
 * Runs one cluster read. Resolves to `undefined` on 404 (the object does not exist); any other failure, or no
 * answer within the timeout, becomes a {@link ClusterAccessError}.
 */
export async function readCluster<T>(what: string, kc: k8sClient.KubeConfig, setting: string, read: () => Promise<T>, timeoutMs = CLUSTER_READ_TIMEOUT_MS): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
            reject(Object.assign(new Error("no answer"), { code: `no answer within ${timeoutMs / 1000} s` }));
        }, timeoutMs);
    });
    try {
        return await Promise.race([read(), timeout]);
    } catch (e) {
        if ((e as { code?: unknown }).code === 404) {
            return undefined;
        }
        throw clusterAccessError(e, what, kc, setting);
    } finally {
        clearTimeout(timer);
    }
}

/** The setting that decided the kubeconfig (for messages). */
export function kubeconfigSetting(access: ClusterAccess, env: NodeJS.ProcessEnv = process.env): string {
    return sourceOf(access, env, os.homedir()).setting;
}
