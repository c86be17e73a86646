/**
 * Pulumi mocks shared by the unit tests: every registered resource is recorded with its type,
 * name, inputs, parent, dependencies and options, so tests assert the exact values we send.
 */
import * as pulumi from "@pulumi/pulumi";

export interface Registered {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, any>;
    readonly urn: string;
    readonly parent: string;
    readonly dependencies: readonly string[];
    readonly transforms: number;
    /** The `retainOnDelete` option (register requests only). */
    readonly retainOnDelete?: boolean;
    /** Set for `.get()` reads: the id that was read. */
    readonly readId?: string;
    /** The provider reference (`<provider urn>::<id>`) sent with the request; empty for the default provider. */
    readonly provider: string;
    /** Register requests: the aliases sent (alias specs, as the engine gets them). */
    readonly aliases?: readonly { readonly urn?: string; readonly name?: string; readonly type?: string; readonly parentUrn?: string }[];
}

export const registered: Registered[] = [];

/**
 * What `.get()` reads return, by `<type>::<id>` (e.g. a baseline NetworkPolicy as the cluster holds it);
 * a read of anything else returns its (empty) inputs.
 */
export const readStates = new Map<string, Record<string, any>>();

const PROJECT = "observability-stack";
const STACK = "unit";

/** The engine mock (unit tests only): every resource gets an id and its inputs as state; a read returns what {@link readStates} holds. */
const mocks: pulumi.runtime.Mocks = {
    newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, any> } {
        const read = args.id === undefined ? undefined : readStates.get(`${args.type}::${args.id}`);
        return read !== undefined ? { id: args.id as string, state: read } : { id: `${args.name}-id`, state: args.inputs };
    },
    call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
        return args.inputs;
    },
};
// The public entry (preview mode, as a preview runs the program). setMocks turns transforms off, but the components
// register them (the field manager, the chart fixes): the mock monitor accepts them without calling them, and the
// record counts them.
void pulumi.runtime.setMocks(mocks, PROJECT, STACK, true);
// eslint-disable-next-line @typescript-eslint/no-require-imports
require("@pulumi/pulumi/runtime/state").getStore().supportsTransforms = true;

/**
 * The one thing the public mocks do not show: the request itself. {@link pulumi.runtime.MockResourceArgs} has the
 * type, name, inputs and provider, but not the parent, the dependencies, the aliases or `retainOnDelete` that the
 * ordering, alias and retention tests assert, so the monitor setMocks made is wrapped to record them.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const monitor = require("@pulumi/pulumi/runtime/settings").getMonitor() as Record<"registerResource" | "readResource", (req: any, callback: (err: any, res: any) => void) => Promise<void>>;

/** Records a register or read request (both carry type, name, parent and dependencies), then passes it on. */
function recording(
    method: "registerResource" | "readResource",
    details: (req: any) => { inputs: any; transforms: number; readId?: string; retainOnDelete?: boolean; aliases?: Registered["aliases"] },
): void {
    const next = monitor[method].bind(monitor);
    monitor[method] = async (req: any, callback: (err: any, res: any) => void) => {
        const { deserializeProperties, isRpcSecret, unwrapRpcSecret } = await import("@pulumi/pulumi/runtime/rpc");
        // setMocks turns secrets on: the record holds their plain values, as the tests compare them.
        const plain = (v: unknown): unknown =>
            isRpcSecret(v)
                ? plain(unwrapRpcSecret(v))
                : Array.isArray(v)
                  ? v.map(plain)
                  : typeof v === "object" && v !== null
                    ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]))
                    : v;
        const d = details(req);
        registered.push({
            type: req.getType(),
            name: req.getName(),
            inputs: plain(deserializeProperties(d.inputs)) as Record<string, any>,
            urn: urn(req.getType(), req.getName()),
            parent: req.getParent(),
            dependencies: req.getDependenciesList(),
            transforms: d.transforms,
            provider: req.getProvider(),
            ...(d.aliases !== undefined ? { aliases: d.aliases } : {}),
            ...(d.retainOnDelete !== undefined ? { retainOnDelete: d.retainOnDelete } : {}),
            ...(d.readId !== undefined ? { readId: d.readId } : {}),
        });
        return next(req, callback);
    };
}
recording("registerResource", (req) => ({
    inputs: req.getObject(),
    transforms: req.getTransformsList().length,
    retainOnDelete: req.getRetainondelete() ?? false,
    aliases: req.getAliasesList().map((a: any) => {
        const spec = a.getSpec();
        return spec === undefined
            ? { urn: a.getUrn() }
            : { ...(spec.getName() ? { name: spec.getName() } : {}), ...(spec.getType() ? { type: spec.getType() } : {}), ...(spec.getParenturn() ? { parentUrn: spec.getParenturn() } : {}) };
    }),
}));
recording("readResource", (req) => ({ inputs: req.getProperties(), transforms: 0, readId: req.getId() }));

/** URN the mock monitor gives a resource without a parent chain (tests compare by suffix). */
function urn(type: string, name: string): string {
    return `${type}::${name}`;
}

/** Clears the record between tests. */
export function resetRegistered(): void {
    registered.length = 0;
}

/** Resolves an Output's value (mocks run in preview mode with known values). */
export function valueOf<T>(o: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => o.apply((v) => resolve(v)));
}

/**
 * Waits until every registration the constructors queued has reached the mocks: the SDK's own queue of RPCs drained
 * (what `pulumi.runtime.disconnect()` waits for before a program ends), not a timer.
 */
export async function settle(): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs: () => Promise<void> };
    await settings.waitForRPCs();
}

export function one(type: string, name: string): Registered {
    const found = registered.filter((r) => r.type === type && r.name === name);
    if (found.length !== 1) {
        throw new Error(`expected one ${type} named ${name}, found ${found.length}: ${registered.map((r) => `${r.type}/${r.name}`).join(", ")}`);
    }
    return found[0];
}

export function ofType(type: string): Registered[] {
    return registered.filter((r) => r.type === type);
}

/** True when `r` was registered with a dependency on the resource `type`/`name`. */
export function dependsOn(r: Registered, type: string, name: string): boolean {
    return r.dependencies.some((d) => d.endsWith(`${type}::${name}`));
}

/** A Kubernetes provider for component tests. */
export function testProvider(): import("@pulumi/kubernetes").Provider {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const k8s = require("@pulumi/kubernetes") as typeof import("@pulumi/kubernetes");
    return new k8s.Provider("k8s", { enableServerSideApply: true });
}
