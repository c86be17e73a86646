/**
 * What `@pulumi/pulumi` 3.248.0 does at start for function serialization, deferred until a function is serialized.
 * Neither the program nor the pack serializes one (no dynamic provider, no callback closure), yet every run paid for
 * it before the program's first line (measured with `--cpu-prof` on a preview of the local stack; docs/performance.md):
 *
 * - `require("@pulumi/pulumi")` loads `runtime/index.js`, which loads `runtime/closure/codePaths.js`, which requires
 *   npm's `@npmcli/arborist` at the top (0.33 s), and `runtime/closure/serializeClosure.js` -> `createClosure.js` ->
 *   `parseFunction.js`, which requires all of TypeScript through `typescript-shim.js` (0.41 s). Upstream dropped the
 *   eager TypeScript import once (pulumi/pulumi#10185, "Avoid importing typescript unless necessary"); in 3.248.0 it
 *   is eager again.
 * - The runner (`cmd/run/index.js`) enables the V8 debugger on an inspector session before it loads the program
 *   (`runtime/closure/v8Hooks.js`), to map each script's id to its file when a function is serialized; with the
 *   debugger on, Node compiles every module more slowly (loading the program's modules took a third longer).
 *
 * {@link deferSdkModules} puts lazy proxies for `@npmcli/arborist` and `createClosure.js` into Node's module cache. Both
 * are used only by property access at call time (`arborist.Arborist` in `computeCodePaths`,
 * `closure.createClosureInfoAsync` in `serializeFunction`), so a lazy proxy loads the real module on its first property
 * access and forwards to it. {@link pauseScriptTracking} turns the debugger off before the program's modules load;
 * the first use of the `createClosure.js` lazy proxy turns it back on before anything asks for a script's file
 * (`v8.js`, the only reader of that map, is loaded by `createClosure.js`), and V8 then reports every script loaded
 * meanwhile, so a function serialized later is serialized exactly as before (test/deferSdk.spec.ts compares the text).
 * A module already loaded is left alone; an SDK of another layout gets no lazy proxy and loads as it always did.
 */
import { Module } from "module";
import * as path from "path";

/** The SDK's files, relative to `@pulumi/pulumi`. */
const CODE_PATHS = "runtime/closure/codePaths.js";
const CREATE_CLOSURE = "runtime/closure/createClosure.js";
const V8_HOOKS = "runtime/closure/v8Hooks.js";

/** The modules deferred: what to resolve, from which SDK file. */
const DEFERRED_SDK_MODULES: readonly { readonly request: string; readonly from: string }[] = [
    { request: "@npmcli/arborist", from: CODE_PATHS },
    { request: `./${path.basename(CREATE_CLOSURE)}`, from: CREATE_CLOSURE },
];

/** The SDK's inspector session (v8Hooks.js, marked internal): `post` on an in-process session answers synchronously. */
interface InspectorSession {
    post(method: string, callback?: (err: Error | null) => void): void;
}

/** The lazy proxies installed, by file: one is live while the module cache still holds it. */
const lazyProxies = new Map<string, NodeJS.Module>();

/** The SDK's session while its debugger is off, to turn it back on. */
let paused: InspectorSession | undefined;

/** Turns the debugger back on (V8 then reports every script parsed while it was off). Idempotent. */
function resumeScriptTracking(): void {
    const session = paused;
    paused = undefined;
    session?.post("Debugger.enable");
}

/** Node's module cache, by file (`require.cache`, typed by the module objects it holds). */
const cache: Record<string, NodeJS.Module | undefined> = require.cache;

/** A module by its resolved file, as `require` loads it (the files are the SDK's, found at run time). */
function load(file: string): unknown {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a file resolved at run time, not a typed import
    return require(file);
}

/** Loads the real module behind a lazy proxy: out of the cache, required again, cached as itself. */
function realModule(file: string, proxy: NodeJS.Module): Record<PropertyKey, unknown> {
    if (file.endsWith(CREATE_CLOSURE)) {
        resumeScriptTracking();
    }
    if (cache[file] === proxy) {
        Reflect.deleteProperty(cache, file);
    }
    return load(file) as Record<PropertyKey, unknown>;
}

/** A module object whose exports load `file` on first use and forward to it. */
function lazyProxy(file: string): Module {
    const proxy = new Module(file);
    let real: Record<PropertyKey, unknown> | undefined;
    const target = (): Record<PropertyKey, unknown> => (real ??= realModule(file, proxy));
    proxy.filename = file;
    proxy.loaded = true;
    // `__esModule` keeps TypeScript's `__importStar` (in the SDK's modules) from copying every export at load time.
    proxy.exports = new Proxy<Record<PropertyKey, unknown>>(
        {},
        {
            get: (_, key) => (key === "__esModule" && real === undefined ? true : target()[key]),
            has: (_, key) => key in target(),
            ownKeys: () => Reflect.ownKeys(target()),
            getOwnPropertyDescriptor: (_, key) => {
                const d = Reflect.getOwnPropertyDescriptor(target(), key);
                return d === undefined ? undefined : { ...d, configurable: true };
            },
        },
    );
    return proxy;
}

/** `request` resolved from the directory `dir`; undefined when nothing there resolves it. */
function resolveFrom(request: string, dir: string): string | undefined {
    try {
        return require.resolve(request, { paths: [dir] });
    } catch {
        return undefined;
    }
}

/** A file of the `@pulumi/pulumi` that code under `from` loads; undefined when the SDK has no such file. */
function sdkFile(from: string, rel: string): string | undefined {
    return resolveFrom(`@pulumi/pulumi/${rel}`, from);
}

/**
 * Installs the lazy proxies for the `@pulumi/pulumi` that code under `from` loads (the program's or the pack's copy).
 * Returns the files deferred. Call it before anything requires `@pulumi/pulumi`.
 */
export function deferSdkModules(from: string): string[] {
    const deferred: string[] = [];
    for (const m of DEFERRED_SDK_MODULES) {
        const base = sdkFile(from, m.from);
        const file = base === undefined ? undefined : resolveFrom(m.request, path.dirname(base));
        if (file !== undefined && cache[file] === undefined) {
            const proxy = lazyProxy(file);
            lazyProxies.set(file, proxy);
            cache[file] = proxy;
            deferred.push(file);
        }
    }
    return deferred;
}

/**
 * Turns the SDK's debugger off until a function is serialized (the first use of the `createClosure.js` lazy proxy turns
 * it back on), when the runner turned it on (v8Hooks.js is loaded) and that lazy proxy is in place; else does nothing.
 * Returns whether it did. Call it before loading the program's modules.
 */
export async function pauseScriptTracking(from: string): Promise<boolean> {
    const hooks = sdkFile(from, V8_HOOKS);
    const closure = sdkFile(from, CREATE_CLOSURE);
    // Only with the createClosure.js lazy proxy still in the cache: it is what turns the debugger back on.
    const proxied = closure !== undefined && lazyProxies.has(closure) && cache[closure] === lazyProxies.get(closure);
    if (hooks === undefined || cache[hooks] === undefined || !proxied) {
        return false;
    }
    const v8Hooks = load(hooks) as { getSessionAsync(): Promise<InspectorSession> };
    const session = await v8Hooks.getSessionAsync();
    session.post("Debugger.disable");
    paused = session;
    return true;
}
