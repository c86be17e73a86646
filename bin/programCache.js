"use strict";
/**
 * The program's build cache: what `bin/program.js` (Pulumi.yaml `main`) runs before the Pulumi CLI gets the program.
 *
 * The program's TypeScript sources (SOURCE_ROOTS: every file index.ts can import, which test/programCache.spec.ts
 * checks) are transpiled to JavaScript once per content: the build lives in `<project>/.work/program-js/<key>/`, where
 * the key hashes every source (path and bytes), the compiler and lock files (BUILD_INPUTS) and this file. A run whose
 * key has a build loads it without TypeScript; any other run transpiles first. So a changed file always yields a new
 * build (never stale code), and an unchanged tree reuses the last one.
 *
 * Transpiling is TypeScript's `transpileModule` per file with the compiler options of tsconfig.program.json, which is
 * what ts-node's transpile-only mode did when Pulumi.yaml ran index.ts: no type check (`npm run build` type-checks),
 * a syntax error fails the run as one line. A build is written to a temporary directory and renamed into place, so
 * two CLI runs racing on the same key both load a complete build (the loser drops its copy). The newest KEEP builds
 * are kept; older ones, and temporary directories a killed run left behind, are pruned after a build.
 *
 * Plain JavaScript (Node 20, CommonJS): the CLI runs it with TypeScript off.
 */
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

/** What the program is made of, relative to the project: index.ts -> program.ts -> the rest (e2e/harness.ts PROGRAM_FILES too). */
const SOURCE_ROOTS = ["index.ts", "program.ts", "components", "config", "lib"];
/** Files besides the sources that change the build or what it loads. A missing one hashes as missing. */
const BUILD_INPUTS = ["tsconfig.json", "tsconfig.program.json", "package.json", "package-lock.json"];
/** The compiler options of the build (rootDir is the project). */
const TSCONFIG = "tsconfig.program.json";
/** Builds kept in the cache, the one just made included. */
const KEEP = 4;
/** A temporary directory older than this is a killed run's, not a racing one's. */
const STALE_TMP_MS = 10 * 60 * 1000;
/** Written last into a build: a build directory without it is not one. */
const MANIFEST = "build.json";

/** The cache directory of a project. */
function cacheDir(projectDir) {
    return path.join(projectDir, ".work", "program-js");
}

/** The program's TypeScript sources, relative to the project, sorted. */
function sourceFiles(projectDir) {
    const files = [];
    const walk = (rel) => {
        const abs = path.join(projectDir, rel);
        const stat = fs.statSync(abs, { throwIfNoEntry: false });
        if (stat === undefined) {
            return;
        }
        if (stat.isDirectory()) {
            for (const name of fs.readdirSync(abs)) {
                walk(path.join(rel, name));
            }
        } else if (rel.endsWith(".ts")) {
            files.push(rel);
        }
    };
    SOURCE_ROOTS.forEach(walk);
    return files.sort();
}

/** The build's key: every source and build input (path, size, bytes), and this file. */
function buildKey(projectDir, files = sourceFiles(projectDir)) {
    const hash = crypto.createHash("sha256");
    const add = (name, bytes) => {
        hash.update(`${name}\0${bytes === undefined ? "-" : bytes.length}\0`);
        if (bytes !== undefined) {
            hash.update(bytes);
        }
    };
    add("<loader>", fs.readFileSync(__filename));
    for (const rel of [...files, ...BUILD_INPUTS]) {
        const abs = path.join(projectDir, rel);
        add(rel.split(path.sep).join("/"), fs.existsSync(abs) ? fs.readFileSync(abs) : undefined);
    }
    return hash.digest("hex").slice(0, 16);
}

/** An error the SDK prints as its message alone, without frames (cmd/run/run.js treats a "TSError" as ts-node's). */
function compileError(message) {
    const e = new Error(message);
    e.name = "TSError";
    return e;
}

/** The project's TypeScript (a devDependency), needed only when a build is missing. */
function typescript(projectDir) {
    try {
        return require(require.resolve("typescript", { paths: [projectDir, __dirname] }));
    } catch {
        throw compileError(`the program needs a build in ${cacheDir(projectDir)} and TypeScript is not installed: run npm ci`);
    }
}

/** tsconfig.program.json's compiler options, `extends` resolved. */
function compilerOptions(ts, projectDir) {
    const file = path.join(projectDir, TSCONFIG);
    const read = ts.readConfigFile(file, ts.sys.readFile);
    if (read.error !== undefined) {
        throw compileError(ts.flattenDiagnosticMessageText(read.error.messageText, " "));
    }
    const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, projectDir, undefined, file);
    const errors = parsed.errors.filter((d) => d.category === ts.DiagnosticCategory.Error);
    if (errors.length > 0) {
        throw compileError(`${TSCONFIG}: ${errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, " ")).join("; ")}`);
    }
    return { ...parsed.options, sourceMap: true, inlineSourceMap: false, declaration: false, noEmit: false };
}

/** Transpiles `files` from the project into `outDir`, each to its .js and .js.map. Throws the first syntax error, as one line. */
function transpile(projectDir, files, outDir) {
    const ts = typescript(projectDir);
    const options = compilerOptions(ts, projectDir);
    for (const rel of files) {
        if (rel.endsWith(".d.ts")) {
            continue;
        }
        const abs = path.join(projectDir, rel);
        const out = ts.transpileModule(fs.readFileSync(abs, "utf8"), { compilerOptions: options, fileName: abs, reportDiagnostics: true });
        const error = (out.diagnostics ?? []).find((d) => d.category === ts.DiagnosticCategory.Error);
        if (error !== undefined) {
            const where = error.file !== undefined && error.start !== undefined ? error.file.getLineAndCharacterOfPosition(error.start) : undefined;
            const at = where === undefined ? rel : `${rel}(${where.line + 1},${where.character + 1})`;
            throw compileError(`${at}: error TS${error.code}: ${ts.flattenDiagnosticMessageText(error.messageText, " ")}`);
        }
        const js = path.join(outDir, rel.replace(/\.ts$/, ".js"));
        fs.mkdirSync(path.dirname(js), { recursive: true });
        // The map names the source by absolute path: NODE_OPTIONS=--enable-source-maps shows the .ts lines in a stack trace.
        const map = JSON.parse(out.sourceMapText);
        map.sources = [abs];
        map.sourceRoot = "";
        fs.writeFileSync(js, out.outputText);
        fs.writeFileSync(`${js}.map`, JSON.stringify(map));
    }
    return ts.version;
}

/** Removes what a build left behind: builds beyond the newest KEEP (by last use), and killed runs' temporary directories. */
function prune(dir, current) {
    const now = Date.now();
    const builds = [];
    for (const name of fs.readdirSync(dir)) {
        const abs = path.join(dir, name);
        const stat = fs.statSync(abs, { throwIfNoEntry: false });
        if (stat === undefined || !stat.isDirectory()) {
            continue;
        }
        if (name.startsWith(".tmp-")) {
            if (now - stat.mtimeMs > STALE_TMP_MS) {
                fs.rmSync(abs, { recursive: true, force: true });
            }
        } else if (name !== current) {
            builds.push({ abs, used: stat.mtimeMs });
        }
    }
    builds.sort((a, b) => b.used - a.used);
    for (const b of builds.slice(KEEP - 1)) {
        fs.rmSync(b.abs, { recursive: true, force: true });
    }
}

/**
 * The build directory of the project's current sources, built first when missing. Returns the directory and whether
 * this call built it.
 */
function ensureBuild(projectDir) {
    const files = sourceFiles(projectDir);
    const key = buildKey(projectDir, files);
    const dir = cacheDir(projectDir);
    const build = path.join(dir, key);
    if (fs.existsSync(path.join(build, MANIFEST))) {
        // Last use, for pruning; a build another run is pruning right now is rebuilt below.
        try {
            const now = new Date();
            fs.utimesSync(build, now, now);
            return { dir: build, key, built: false };
        } catch {
            // fall through
        }
    }
    fs.mkdirSync(dir, { recursive: true });
    const tmp = fs.mkdtempSync(path.join(dir, `.tmp-${key}-${process.pid}-`));
    try {
        const version = transpile(projectDir, files, tmp);
        fs.writeFileSync(path.join(tmp, MANIFEST), `${JSON.stringify({ key, typescript: version, files, builtAt: new Date().toISOString() }, null, 2)}\n`);
        if (fs.existsSync(build) && !fs.existsSync(path.join(build, MANIFEST))) {
            // Not a build (no manifest: made by hand or half-deleted): set it aside, never load it.
            fs.rmSync(build, { recursive: true, force: true });
        }
        try {
            fs.renameSync(tmp, build);
        } catch (e) {
            // Another run renamed its build into place first: the same key, the same sources, so the same build.
            if (!(e.code === "ENOTEMPTY" || e.code === "EEXIST") || !fs.existsSync(path.join(build, MANIFEST))) {
                throw e;
            }
        }
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
    try {
        prune(dir, key);
    } catch {
        // Pruning is housekeeping: a race with another run's pruning must not fail this one.
    }
    return { dir: build, key, built: true };
}

/** The program's export (index.ts's `export =`), from the build of the project's current sources. */
function load(projectDir) {
    return require(path.join(ensureBuild(projectDir).dir, "index.js"));
}

module.exports = { SOURCE_ROOTS, BUILD_INPUTS, KEEP, cacheDir, sourceFiles, buildKey, ensureBuild, load };
