/**
 * bin/programCache.js, the build cache behind Pulumi.yaml's main (bin/program.js): a changed source yields a new
 * build (never stale code), an unchanged tree reuses the build, first runs racing on the same key all load one
 * complete build, a syntax error is one line, and the sources it hashes cover everything index.ts can import.
 */
import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import * as yaml from "js-yaml";
import { BUILD_INPUTS, KEEP, SOURCE_ROOTS, buildKey, cacheDir, ensureBuild, sourceFiles } from "../bin/programCache";

const PROJECT = path.join(__dirname, "..");
const CACHE_MODULE = path.join(PROJECT, "bin", "programCache.js");

/** A project of three sources (index.ts -> program.ts -> lib/value.ts) with the project's compiler options. */
function fakeProject(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "program-cache-"));
    fs.mkdirSync(path.join(dir, "lib"));
    fs.writeFileSync(path.join(dir, "index.ts"), 'import { value } from "./program";\n\nexport = () => value;\n');
    fs.writeFileSync(path.join(dir, "program.ts"), 'import { base } from "./lib/value";\n\nexport const value: string = `${base}-1`;\n');
    fs.writeFileSync(path.join(dir, "lib", "value.ts"), 'export const base = "v";\n');
    for (const f of ["tsconfig.json", "tsconfig.program.json"]) {
        fs.copyFileSync(path.join(PROJECT, f), path.join(dir, f));
    }
    fs.writeFileSync(path.join(dir, "package-lock.json"), "{}\n");
    return dir;
}

/** The program's value, loaded as the CLI loads it: a fresh Node process requiring the build's index.js. */
function run(script: string, projectDir: string): Promise<string> {
    return new Promise((resolve, reject) => {
        execFile(process.execPath, ["-e", script, CACHE_MODULE, projectDir], { encoding: "utf8" }, (e, stdout, stderr) =>
            e === null ? resolve(stdout.trim()) : reject(new Error(`${e.message}\n${stderr}`)),
        );
    });
}

const LOAD =
    'const c = require(process.argv[1]); const b = c.ensureBuild(process.argv[2]); process.stdout.write(JSON.stringify({ key: b.key, built: b.built, value: require(b.dir + "/index.js")() }));';

const builds = (dir: string) => fs.readdirSync(cacheDir(dir));

describe("bin/programCache.js (the precompiled program's cache)", function () {
    this.timeout(60_000);
    let dir: string;

    beforeEach(() => {
        dir = fakeProject();
    });
    afterEach(() => {
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("builds on the first run, reuses the build while nothing changes", async () => {
        const first = JSON.parse(await run(LOAD, dir));
        assert.deepStrictEqual({ built: first.built, value: first.value }, { built: true, value: "v-1" });
        const second = JSON.parse(await run(LOAD, dir));
        assert.deepStrictEqual(second, { ...first, built: false });
        assert.deepStrictEqual(builds(dir), [first.key]);
        const manifest = JSON.parse(fs.readFileSync(path.join(cacheDir(dir), first.key, "build.json"), "utf8"));
        assert.deepStrictEqual(manifest.files, ["index.ts", path.join("lib", "value.ts"), "program.ts"]);
    });

    it("builds again when a source changes, is added or renamed, or a build input changes: never stale", async () => {
        const keys = [JSON.parse(await run(LOAD, dir)).key];
        fs.writeFileSync(path.join(dir, "lib", "value.ts"), 'export const base = "w";\n');
        const changed = JSON.parse(await run(LOAD, dir));
        assert.deepStrictEqual({ built: changed.built, value: changed.value }, { built: true, value: "w-1" });
        keys.push(changed.key);
        fs.writeFileSync(path.join(dir, "lib", "extra.ts"), "export const unused = 1;\n");
        keys.push(buildKey(dir));
        fs.renameSync(path.join(dir, "lib", "extra.ts"), path.join(dir, "lib", "other.ts"));
        keys.push(buildKey(dir));
        fs.writeFileSync(path.join(dir, "package-lock.json"), '{ "lockfileVersion": 3 }\n');
        keys.push(buildKey(dir));
        fs.appendFileSync(path.join(dir, "tsconfig.program.json"), "\n");
        keys.push(buildKey(dir));
        assert.strictEqual(new Set(keys).size, keys.length, keys.join(" "));
        // Changed back: the earlier build is found again.
        fs.writeFileSync(path.join(dir, "lib", "value.ts"), 'export const base = "v";\n');
        fs.rmSync(path.join(dir, "lib", "other.ts"));
        fs.writeFileSync(path.join(dir, "package-lock.json"), "{}\n");
        fs.copyFileSync(path.join(PROJECT, "tsconfig.program.json"), path.join(dir, "tsconfig.program.json"));
        assert.deepStrictEqual(JSON.parse(await run(LOAD, dir)), { key: keys[0], built: false, value: "v-1" });
    });

    it("first runs racing on the same key all load one complete build, and leave no temporary directory", async () => {
        const results = (await Promise.all(Array.from({ length: 6 }, () => run(LOAD, dir)))).map((r) => JSON.parse(r));
        assert.ok(
            results.every((r) => r.value === "v-1" && r.key === results[0].key),
            JSON.stringify(results),
        );
        assert.ok(results.some((r) => r.built));
        assert.deepStrictEqual(builds(dir), [results[0].key]);
        assert.deepStrictEqual(JSON.parse(await run(LOAD, dir)), { ...results[0], built: false });
    });

    it("ignores a build directory without its manifest (half-made by hand) and builds it anew", async () => {
        const key = buildKey(dir);
        fs.mkdirSync(path.join(cacheDir(dir), key), { recursive: true });
        fs.writeFileSync(path.join(cacheDir(dir), key, "index.js"), "module.exports = () => 'stale';\n");
        assert.deepStrictEqual(JSON.parse(await run(LOAD, dir)), { key, built: true, value: "v-1" });
    });

    it(`keeps the ${KEEP} most recently used builds`, () => {
        const made: string[] = [];
        for (let i = 0; i < KEEP + 2; i++) {
            fs.writeFileSync(path.join(dir, "lib", "value.ts"), `export const base = "v${i}";\n`);
            made.push(ensureBuild(dir).key);
            // mtime resolution: the next build must be newer.
            const past = new Date(Date.now() - (KEEP + 2 - i) * 1000);
            fs.utimesSync(path.join(cacheDir(dir), made[i]), past, past);
        }
        assert.deepStrictEqual(builds(dir).sort(), made.slice(-KEEP).sort());
    });

    it("fails a source with a syntax error as one line naming the file and position", () => {
        fs.writeFileSync(path.join(dir, "lib", "value.ts"), 'export const base = "v";\nexport const broken = ;\n');
        assert.throws(
            () => ensureBuild(dir),
            (e: Error) => e.name === "TSError" && /^lib\/value\.ts\(2,\d+\): error TS\d+: Expression expected\.$/.test(e.message),
        );
        assert.deepStrictEqual(
            builds(dir).filter((n) => !n.startsWith(".")),
            [],
        );
    });

    it("hashes every file index.ts can import, and the build inputs", () => {
        const sources = new Set(sourceFiles(PROJECT));
        const seen = new Set<string>();
        const visit = (rel: string) => {
            if (seen.has(rel)) {
                return;
            }
            seen.add(rel);
            const info = ts.preProcessFile(fs.readFileSync(path.join(PROJECT, rel), "utf8"), true, true);
            for (const imported of info.importedFiles.map((f) => f.fileName).filter((f) => f.startsWith("."))) {
                const base = path.join(path.dirname(rel), imported);
                const resolved = [`${base}.ts`, path.join(base, "index.ts")].find((f) => fs.existsSync(path.join(PROJECT, f)));
                assert.ok(resolved !== undefined, `${rel} imports ${imported}, which is no .ts file`);
                visit(resolved);
            }
        };
        visit("index.ts");
        assert.deepStrictEqual(
            [...seen].filter((f) => !sources.has(f)),
            [],
            `outside SOURCE_ROOTS (${SOURCE_ROOTS.join(", ")})`,
        );
        assert.ok(seen.size > 20, `${seen.size} files`);
        for (const input of ["tsconfig.json", "tsconfig.program.json", "package-lock.json"]) {
            assert.ok(BUILD_INPUTS.includes(input), input);
        }
    });

    it("is what Pulumi.yaml runs: main bin/program.js, TypeScript off", () => {
        const project = yaml.load(fs.readFileSync(path.join(PROJECT, "Pulumi.yaml"), "utf8")) as { main: string; runtime: { name: string; options: Record<string, unknown> } };
        assert.strictEqual(project.main, "bin/program.js");
        assert.deepStrictEqual(project.runtime, { name: "nodejs", options: { typescript: false } });
    });
});
