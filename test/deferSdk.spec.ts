/**
 * lib/deferSdk.ts: with the lazy proxies, loading @pulumi/pulumi (the program's copy and the pack's) loads neither npm's
 * arborist nor TypeScript; without them it loads both (so this test fails when the SDK stops loading them eagerly and
 * the lazy proxies have become needless); and the SDK's function serialization still works, loading them on first use.
 * Each case is a fresh Node process without ts-node (ts-node itself loads TypeScript).
 */
import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";

const PROJECT = path.join(__dirname, "..");

/** lib/deferSdk.ts transpiled to plain JavaScript, once. */
function compiledModule(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "defer-sdk-"));
    const source = fs.readFileSync(path.join(PROJECT, "lib", "deferSdk.ts"), "utf8");
    const out = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } });
    const file = path.join(dir, "deferSdk.js");
    fs.writeFileSync(file, out.outputText);
    // The function serialized: it captures a helper of its module and a value.
    fs.writeFileSync(path.join(dir, "fixture.js"), "const factor = 6;\nfunction helper(n) { return n * factor; }\nexports.f = () => helper(7);\n");
    return file;
}

/**
 * Runs in the child as the SDK's runner does (cmd/run/index.js: the debugger on first, then the program): with
 * `defer`, the lazy proxies and the paused debugger; then @pulumi/pulumi and a module of its own are loaded, and a
 * function of that module is serialized and located (the file comes from the debugger's script map).
 */
const CHILD = `
const [moduleFile, from, defer, fixture] = process.argv.slice(1);
const sdk = (rel) => require.resolve("@pulumi/pulumi/" + rel, { paths: [from] });
(async () => {
    await require(sdk("runtime/closure/v8Hooks.js")).isInitializedAsync();
    const deferSdk = defer === "yes" ? require(moduleFile) : undefined;
    const deferred = deferSdk === undefined ? [] : deferSdk.deferSdkModules(from);
    const paused = deferSdk === undefined ? false : await deferSdk.pauseScriptTracking(from);
    const isReal = (f) => !deferred.includes(f) && require.cache[f] !== undefined && require.cache[f].loaded;
    const heavy = () => ({
        arborist: Object.keys(require.cache).some((f) => /[\\/]@npmcli[\\/]arborist[\\/]lib[\\/]arborist[\\/]index[.]js$/.test(f) && isReal(f)),
        typescript: Object.keys(require.cache).some((f) => /[\\/]typescript[\\/]lib[\\/]typescript[.]js$/.test(f) && isReal(f)),
    });
    const pulumi = require(require.resolve("@pulumi/pulumi", { paths: [from] }));
    const atStart = heavy();
    const { f } = require(fixture);
    const serialized = await pulumi.runtime.serializeFunction(f);
    const location = await require(sdk("runtime/closure/v8.js")).getFunctionLocationAsync(f);
    const codePaths = await pulumi.runtime.computeCodePaths({ extraIncludePaths: [fixture] });
    process.stdout.write(JSON.stringify({ deferred: deferred.length, paused, atStart, afterUse: heavy(), text: serialized.text, file: location.file, codePaths: codePaths.size }));
})().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
`;

interface ChildReport {
    readonly deferred: number;
    readonly paused: boolean;
    readonly atStart: { arborist: boolean; typescript: boolean };
    readonly afterUse: { arborist: boolean; typescript: boolean };
    readonly text: string;
    readonly file: string;
    readonly codePaths: number;
}

function child(moduleFile: string, from: string, defer: boolean): Promise<ChildReport> {
    const fixture = path.join(path.dirname(moduleFile), "fixture.js");
    return new Promise((resolve, reject) => {
        execFile(process.execPath, ["-e", CHILD, moduleFile, from, defer ? "yes" : "no", fixture], { cwd: from, encoding: "utf8", timeout: 60_000 }, (e, stdout, stderr) =>
            e === null ? resolve(JSON.parse(stdout) as ChildReport) : reject(new Error(`${e.message}\n${stderr}`)),
        );
    });
}

describe("lib/deferSdk: the SDK's function-serialization work happens when a function is serialized", () => {
    let moduleFile: string;
    before(() => {
        moduleFile = compiledModule();
    });
    after(() => fs.rmSync(path.dirname(moduleFile), { recursive: true, force: true }));

    it("without the lazy proxies, loading @pulumi/pulumi loads both arborist and TypeScript (what they save)", async function () {
        this.timeout(120_000);
        const plain = await child(moduleFile, PROJECT, false);
        assert.deepStrictEqual(plain.atStart, { arborist: true, typescript: true });
        assert.match(plain.text, /helper\(7\)/);
        assert.strictEqual(plain.file, `file://${path.join(path.dirname(moduleFile), "fixture.js")}`);
    });

    for (const [what, from] of [
        ["the program's @pulumi/pulumi", PROJECT],
        ["the pack's @pulumi/pulumi (policy/node_modules)", path.join(PROJECT, "policy")],
    ] as const) {
        it(`${what}: neither at load, the debugger paused; a function serializes and locates as without them`, async function () {
            this.timeout(120_000);
            const [plain, r] = [await child(moduleFile, from, false), await child(moduleFile, from, true)];
            assert.strictEqual(r.deferred, 2, "both lazy proxies installed");
            assert.strictEqual(r.paused, true, "the debugger turned off");
            assert.deepStrictEqual(r.atStart, { arborist: false, typescript: false });
            assert.strictEqual(r.text, plain.text, "the serialized text");
            assert.strictEqual(r.file, plain.file, "the function's file, from the script map of the debugger turned back on");
            assert.strictEqual(r.codePaths, plain.codePaths, "computeCodePaths");
            assert.deepStrictEqual(r.afterUse, { arborist: true, typescript: true }, "loaded on first use");
        });
    }
});
