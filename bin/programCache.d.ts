/** Types of bin/programCache.js (plain JavaScript: the CLI runs it with TypeScript off) for the tests. */
export declare const SOURCE_ROOTS: readonly string[];
export declare const BUILD_INPUTS: readonly string[];
export declare const KEEP: number;
export declare function cacheDir(projectDir: string): string;
export declare function sourceFiles(projectDir: string): string[];
export declare function buildKey(projectDir: string, files?: readonly string[]): string;
export declare function ensureBuild(projectDir: string): { dir: string; key: string; built: boolean };
export declare function load(projectDir: string): unknown;
