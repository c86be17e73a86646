/**
 * The layering rules of eslint.config.mjs (DEVELOPING.md, "Code map") fire where they must and stay silent where
 * the code may import: each case lints a source text as if it were that file (ESLint's own API, the project's config).
 */
import * as assert from "assert";
import * as path from "path";
import { ESLint } from "eslint";

const cases: { file: string; code: string; denied: boolean }[] = [
    { file: "components/jaeger.ts", code: 'import { parseStackConfig } from "../config";\nexport const f = parseStackConfig;\n', denied: true },
    { file: "components/jaeger.ts", code: 'import { SYSTEM_NAMESPACE } from "../lib/constants";\nexport const n = SYSTEM_NAMESPACE;\n', denied: false },
    { file: "lib/constants.ts", code: 'import * as path from "path";\nexport const s = path.sep;\n', denied: true },
    { file: "lib/charts.ts", code: 'import { SYSTEM_NAMESPACE } from "./constants";\nexport const n = SYSTEM_NAMESPACE;\n', denied: true },
    { file: "policy/rules/network/dnsEgress.ts", code: 'import { jaegerPodSelector } from "../../../components/jaeger";\nexport const f = jaegerPodSelector;\n', denied: true },
    {
        file: "policy/rules/charts.ts",
        code: 'import { DEFAULT_CHARTS } from "../../lib/charts";\nimport { configOf } from "../lib/policy";\nexport const v = [DEFAULT_CHARTS, configOf];\n',
        denied: false,
    },
    { file: "policy/lib/k8s.ts", code: 'import { parseVersion } from "../../config";\nexport const f = parseVersion;\n', denied: true },
];

describe("layering (eslint no-restricted-imports)", function () {
    this.timeout(120_000);
    const eslint = new ESLint({ cwd: path.join(__dirname, "..") });

    for (const c of cases) {
        it(`${c.denied ? "denies" : "allows"} in ${c.file}: ${c.code.split("\n")[0]}`, async () => {
            const [result] = await eslint.lintText(c.code, { filePath: path.join(__dirname, "..", c.file) });
            const restricted = result.messages.filter((m) => m.ruleId === "no-restricted-imports");
            assert.strictEqual(restricted.length > 0, c.denied, JSON.stringify(result.messages.map((m) => m.message)));
        });
    }
});
