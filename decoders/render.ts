/**
 * What the program renders, as files: a stack variant is the committed stack file changed only with
 * `pulumi config set` (chart repos -> this run's mirror, a test signing key as a secret, ...), run by the
 * Pulumi CLI as `pulumi up` of e2e/programs/render, whose Kubernetes provider writes every object (chart
 * children included) as YAML under `render:directory` and touches no cluster.
 */
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { ConfigChange, PROJECT_DIR, WORK_DIR, airGapped, configSet, workspaceStack } from "../e2e/harness";
import { TEST_SIGNING_KEY } from "../e2e/lines";

/** A rendered Kubernetes object. */
export interface Rendered {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> };
    readonly spec?: any;
    readonly data?: Record<string, string>;
    readonly [key: string]: unknown;
}

/** One rendered stack variant: its objects, and lookups by kind and name. */
export class Rendering {
    constructor(
        readonly name: string,
        readonly dir: string,
        readonly objects: readonly Rendered[],
    ) {}

    ofKind(kind: string): Rendered[] {
        return this.objects.filter((o) => o.kind === kind);
    }

    /** The one object of `kind` named `name` (in `namespace` when given); throws when there is not exactly one. */
    get(kind: string, name: string, namespace?: string): Rendered {
        const found = this.ofKind(kind).filter((o) => o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
        if (found.length !== 1) {
            throw new Error(`${this.name}: expected one ${kind} ${name}, found ${found.length}`);
        }
        return found[0];
    }

    has(kind: string, name: string): boolean {
        return this.ofKind(kind).some((o) => o.metadata.name === name);
    }
}

/** Every YAML document under a directory (renderYamlToDirectory writes `0-crd/` and `1-manifest/`). */
export function readRendered(dir: string): Rendered[] {
    const files = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(d, e.name)) : [path.join(d, e.name)]));
    return files(dir)
        .filter((f) => f.endsWith(".yaml"))
        .sort()
        .flatMap((f) => yaml.loadAll(fs.readFileSync(f, "utf8")) as Rendered[])
        .filter((o) => o !== null && o !== undefined);
}

/** A stack variant: the committed stack file it starts from and the `pulumi config set` changes on top of the air-gapped ones. */
export interface Variant {
    readonly name: string;
    readonly from: "dev" | "production" | "local";
    readonly changes: readonly ConfigChange[];
}

export const SIGNING_KEY: ConfigChange = { key: "kiali.signingKey", value: TEST_SIGNING_KEY, secret: true };

/** Renders a variant with the CLI (a fresh workspace and file backend each run) and reads the objects back. */
export async function render(v: Variant): Promise<Rendering> {
    const root = path.join(WORK_DIR, "decoders", v.name);
    const dir = path.join(root, "rendered");
    const stack = await workspaceStack({ stack: v.name, dir: root, from: v.from, passphrase: "decoders-only", program: path.join(PROJECT_DIR, "e2e", "programs", "render") });
    await configSet(stack, [...airGapped(), ...v.changes]);
    await stack.setConfig("render:directory", { value: dir });
    const up = await stack.up();
    if (up.summary.result !== "succeeded") {
        throw new Error(`render of ${v.name}: ${up.summary.result}`);
    }
    return new Rendering(v.name, dir, readRendered(dir));
}
