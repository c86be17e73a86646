// ESLint flat config: typescript-eslint's type-checked rule sets (strict + stylistic) over the program, the
// components, the tests and harnesses, and the policy pack. policy/ has a tsconfig.json of its own; the project
// service picks the nearest one for each file. Formatting is prettier's job (`npm run format`), not ESLint's.
// Each rule turned off or tuned below says why it does not hold here.
import js from "@eslint/js";
import { defineConfig, globalIgnores } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig(
    globalIgnores(["node_modules/", "policy/node_modules/", "policy/bin/", ".work/", "e2e/.work/", ".tools/", ".pulumi-state/", "tracing/python-app/"]),
    js.configs.recommended,
    tseslint.configs.strictTypeChecked,
    tseslint.configs.stylisticTypeChecked,
    {
        languageOptions: {
            parserOptions: {
                projectService: true,
                tsconfigRootDir: import.meta.dirname,
            },
        },
        linterOptions: {
            reportUnusedDisableDirectives: "error",
        },
    },
    {
        rules: {
            // Numbers in messages and names (ports, counts, indexes) are deliberate; everything else still has to be a string (no Outputs).
            "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowAny: false, allowBoolean: false, allowNever: false, allowNullish: false, allowRegExp: false }],
            // `() => void` shorthands (mocha hooks, callbacks, `.on(...)` handlers) read better than a braced body.
            "@typescript-eslint/no-confusing-void-expression": ["error", { ignoreArrowShorthand: true }],
            // Index access is unchecked (no noUncheckedIndexedAccess), and the pack, the transforms and the harnesses read
            // engine and cluster data whose declared types promise more than arrives: their `?.`, `??` and `=== undefined` are deliberate.
            "@typescript-eslint/no-unnecessary-condition": "off",
            // Contradicts strict's no-non-null-assertion (it asks for `x!` where the code writes `x as T`).
            "@typescript-eslint/non-nullable-type-assertion-style": "off",
            // Return-type-only generics are the SDK's own signatures (`getConfig<T>()`, `asType<T>()`), which the pack wraps and its harness implements.
            "@typescript-eslint/no-unnecessary-type-parameters": "off",
        },
    },
    {
        // The program's loader (Pulumi.yaml main) is plain CommonJS JavaScript the CLI runs with TypeScript off: no type
        // information, Node's globals.
        files: ["bin/**/*.js"],
        extends: [tseslint.configs.disableTypeChecked],
        languageOptions: { sourceType: "commonjs", globals: { require: "readonly", module: "writable", __dirname: "readonly", __filename: "readonly", process: "readonly" } },
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
    {
        // Pulumi resource transforms get `args.props` as `Inputs` (Record<string, any>): reading the chart's objects is untyped by API.
        files: ["components/**/*.ts"],
        rules: {
            "@typescript-eslint/no-unsafe-assignment": "off",
            "@typescript-eslint/no-unsafe-member-access": "off",
        },
    },
    {
        // The pack reads raw engine values as `unknown` and prints or converts them as given (a chart version may be a YAML
        // number, a port a string): its String()/Number() conversions are deliberate.
        files: ["policy/**/*.ts"],
        rules: {
            "@typescript-eslint/no-base-to-string": "off",
            "@typescript-eslint/no-unnecessary-type-conversion": "off",
        },
    },
    {
        // Tests and harnesses handle parsed JSON/YAML, mock inputs and CLI output, which are `any` by nature,
        // and assert on values they have just checked exist.
        files: ["test/**/*.ts", "e2e/**/*.ts", "tracing/**/*.ts", "decoders/**/*.ts", "policy/test/**/*.ts"],
        rules: {
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-unsafe-argument": "off",
            "@typescript-eslint/no-unsafe-assignment": "off",
            "@typescript-eslint/no-unsafe-call": "off",
            "@typescript-eslint/no-unsafe-member-access": "off",
            "@typescript-eslint/no-unsafe-return": "off",
            "@typescript-eslint/no-non-null-assertion": "off",
            // Mocks implement the program's async interfaces with `async` bodies that need no await; mocha hooks likewise.
            "@typescript-eslint/require-await": "off",
            // The harnesses' own promises reject with Error; their top-level `.catch((e: Error) => ...)` prints it.
            "@typescript-eslint/use-unknown-in-catch-callback-variable": "off",
            // Diagnostics print what came back as it came: `String(v)` of a parsed value, `any`, `null` and `undefined` included.
            "@typescript-eslint/no-base-to-string": "off",
            "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowAny: true, allowBoolean: false, allowNever: false, allowNullish: true, allowRegExp: false }],
        },
    },
    // Layering (DEVELOPING.md, "Code map"): the config layer maps onto the components' argument types, never the
    // reverse; the two modules the pack shares with the program import nothing; the pack imports nothing of the
    // program but those two.
    {
        files: ["components/**/*.ts"],
        rules: {
            "no-restricted-imports": ["error", { patterns: [{ regex: "^(\\.\\./)+config(/|$)", message: "components own their argument types: config/ maps onto them, never the reverse" }] }],
        },
    },
    {
        files: ["lib/constants.ts", "lib/charts.ts"],
        rules: {
            "no-restricted-imports": ["error", { patterns: [{ regex: ".", message: "lib/constants.ts and lib/charts.ts are shared with the policy pack and import nothing" }] }],
        },
    },
    {
        files: ["lib/deferSdk.ts"],
        rules: {
            "no-restricted-imports": ["error", { patterns: [{ regex: "^(?!(module|path)$)", message: "lib/deferSdk.ts is shared with the policy pack and imports Node's module and path only" }] }],
        },
    },
    // An import leaves policy/ when it climbs more directories than the file is deep: one block per depth.
    ...[1, 2, 3, 4].map((depth) => ({
        files: [`policy/${"*/".repeat(depth - 1)}*.ts`],
        rules: {
            "no-restricted-imports": [
                "error",
                {
                    patterns: [
                        {
                            regex: `^(\\.\\./){${depth}}(?!lib/(constants|charts|deferSdk)$)`,
                            message: "the pack imports nothing from the program but lib/constants.ts, lib/charts.ts and lib/deferSdk.ts",
                        },
                    ],
                },
            ],
        },
    })),
    {
        // This file: plain JavaScript, in no tsconfig.
        files: ["**/*.mjs"],
        extends: [tseslint.configs.disableTypeChecked],
    },
);
