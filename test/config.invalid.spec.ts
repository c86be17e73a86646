/**
 * The table of invalid stack configurations (test/invalidConfigs/), one mistake each: every one is
 * rejected with a ConfigError whose lines name the key, the value and what is allowed, with no stack
 * trace, and the program registers nothing for it.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, RawConfig } from "../config";
import { rejection } from "./configParsing";
import { CASES } from "./invalidConfigs";
import { registered, resetRegistered } from "./mocks";

/** A problem line: key path, `got` and the value as JSON (or `nothing`), then what is allowed. */
const LINE = /^([A-Za-z][A-Za-z0-9/]*(?:\.[A-Za-z][A-Za-z0-9/]*|\[\d+\])*): got (nothing|.+?); (.+)$/;

/** The config map the engine hands the program, such that program.ts' readRawConfig rebuilds `raw` exactly. */
function engineConfig(raw: RawConfig): Record<string, string> {
    const parses = (s: string) => {
        try {
            JSON.parse(s);
            return true;
        } catch {
            return false;
        }
    };
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [`observability-stack:${k}`, typeof v === "string" && !parses(v) ? v : JSON.stringify(v)]));
}

describe("parseStackConfig, invalid configs", () => {
    it("has at least 60 cases, each a different input and a different mistake", () => {
        assert.ok(CASES.length >= 60, `${CASES.length} cases`);
        assert.strictEqual(new Set(CASES.map((c) => JSON.stringify(c.raw))).size, CASES.length);
        assert.strictEqual(new Set(CASES.map((c) => c.mistake)).size, CASES.length);
    });

    for (const c of CASES) {
        it(`rejects ${c.mistake}: one line per problem, key, value and what is allowed, no stack trace`, () => {
            const e = rejection(c.raw);
            assert.strictEqual(e.problems[0], c.first);
            for (const line of e.problems) {
                const m = LINE.exec(line);
                assert.ok(m !== null, `not a problem line: ${line}`);
                assert.ok(m[2] === "nothing" || JSON.parse(m[2]) !== undefined, line);
            }
            assert.strictEqual(e.message, `invalid stack configuration:\n${e.problems.map((p) => `  - ${p}`).join("\n")}`);
            assert.doesNotMatch(e.message, /^\s*at /m);
            assert.doesNotMatch(e.stack ?? "", /^\s*at /m);
        });
    }

    describe("in the program", () => {
        after(() => pulumi.runtime.setAllConfig({}));

        it("throws the same ConfigError from main for every case and registers nothing", async () => {
            const { main } = await import("../program");
            for (const c of CASES) {
                resetRegistered();
                pulumi.runtime.setAllConfig(engineConfig(c.raw));
                await assert.rejects(main({ renderable: async (source) => ({ source }) }), (e: unknown) => {
                    assert.ok(e instanceof ConfigError, `${c.mistake}: ${String(e)}`);
                    assert.deepStrictEqual(e.problems, rejection(c.raw).problems, c.mistake);
                    return true;
                });
                await new Promise((r) => setTimeout(r, 5));
                assert.deepStrictEqual(registered, [], c.mistake);
            }
        });
    });
});
