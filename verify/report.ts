/** The report of `npm run verify` as people read it. */
import { CheckResult } from "./checks";

const MARK = { pass: "✓", fail: "✗", skip: "–" } as const;

/** The report as people read it: a line per check, its findings, and what it guards and how to fix it when it fails. */
export function reportLines(title: string, results: readonly CheckResult[]): string[] {
    const failed = results.filter((r) => r.status === "fail").length;
    return [
        title,
        "",
        ...results.flatMap((r) => [
            `${MARK[r.status]} ${r.id}`,
            ...r.found.map((f) => `    ${f}`),
            ...(r.status === "fail" ? [`    guards against: ${r.guards}`, `    fix: ${r.fix}`] : [`    guards against: ${r.guards}`]),
        ]),
        "",
        failed === 0
            ? `every check passed (${results.filter((r) => r.status === "pass").length} passed, ${results.filter((r) => r.status === "skip").length} not applicable)`
            : `${failed} of ${results.length} checks failed`,
    ];
}
