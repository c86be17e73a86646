/** Problem lines from schema issues, and the error that carries them. */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { AS_WRITTEN } from "./fields";

/**
 * Thrown by `parseStackConfig`; `problems` holds one line per bad value.
 *
 * A `pulumi.RunError`, so the Node.js SDK's program runner (`cmd/run/run.js`) logs only its message,
 * one line per problem. Its `stack` is that message too, without frames: the runner still formats
 * every uncaught error once with `util.inspect` for its trace span, and formatting frames under
 * `@pulumi` modules (source-map lookups) took 38–47 s per pass here, against 0.2 ms without frames.
 * The frames would only ever point at this validator; the problems say what to fix.
 */
export class ConfigError extends pulumi.RunError {
    constructor(public readonly problems: readonly string[]) {
        super(`invalid stack configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "ConfigError";
        this.stack = `${this.name}: ${this.message}`;
    }
}

/** `a.b[0].c` */
function keyPath(path: readonly PropertyKey[]): string {
    return path.map((k, i) => (typeof k === "number" ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join("");
}

function at(raw: unknown, path: readonly PropertyKey[]): unknown {
    return path.reduce<unknown>((v, k) => (typeof v === "object" && v !== null ? (v as Record<PropertyKey, unknown>)[k] : undefined), raw);
}

function show(value: unknown): string {
    return value === undefined ? "nothing" : JSON.stringify(value);
}

/**
 * The problem lines of one schema issue (parsed with `reportInput`): `<key>: got <value>; <allowed>`.
 * An object's unknown keys are one issue, so one line each; a union of object shapes that matches
 * none names the key that tells them apart.
 */
export function problemLines(issue: z.core.$ZodIssue, raw: unknown): string[] {
    const input = issue.input as Record<string, unknown> | undefined;
    if (issue.code === "unrecognized_keys") {
        const where = keyPath(issue.path);
        return issue.keys.map((k) => `${keyPath([...issue.path, k])}: got ${show(input?.[k])}; unknown key; allowed keys${where === "" ? "" : ` of ${where}`}: ${issue.message}`);
    }
    if (issue.code === "invalid_union" && issue.discriminator !== undefined) {
        return [`${keyPath(issue.path)}: got ${show(input?.[issue.discriminator])}; ${issue.message}`];
    }
    return [`${keyPath(issue.path)}: got ${show(issue.input === AS_WRITTEN ? at(raw, issue.path) : issue.input)}; ${issue.message}`];
}
