/**
 * The building blocks of the stack config schema (`schema.ts`): value schemas whose error message is
 * "what is allowed" for that value, strict objects, and rules that relate several keys.
 *
 * Every issue these raise carries the offending input (`problems.ts` prints it after `got`) and a
 * message that is only the allowed part, so a problem reads `<key>: got <value>; <message>`.
 * `undefined` (key absent) is what `.optional()` / `.default()` / `.prefault()` act on; `null` is a
 * wrong value like any other.
 *
 * No issue here is raised with `abort: true`: zod skips every `when` check (our rules) of the
 * enclosing objects once any issue below them has `continue: false`. So each value check lets an
 * empty string through and `z.custom` is told `abort: false`.
 */
import { z } from "zod";

export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const HOSTNAME = /^(?=.{1,253}$)(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;
export const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|M|G|T)?$/;
export const DURATION = /^[0-9]+(\.[0-9]+)?(ms|s|m|h)$/;
export const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
/** A Kubernetes CronJob schedule: five cron fields, or a macro such as `@daily`. */
export const CRON = /^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|[0-9*,/A-Za-z?-]+( +[0-9*,/A-Za-z?-]+){4})$/;

const NON_EMPTY = "expected a non-empty string";
const OBJECT = "expected an object";
const LIST = "expected a list";

/**
 * A non-empty string. (Emptiness is a refinement, not `.min(1)`: zod runs length checks on any value
 * with a `length`, so `[]` would get a second problem after "expected a non-empty string".)
 */
export function nonEmpty() {
    return z.string({ error: NON_EMPTY }).refine((s) => s !== "", { error: NON_EMPTY });
}

/** A non-empty string that matches `pattern`; `allowed` says what it must look like. */
export function matching(pattern: RegExp, allowed: string) {
    return nonEmpty().refine((s) => s === "" || pattern.test(s), { error: allowed });
}

/** A value that must be given (absent, `null` and `""` all say `required: <what>`), then a non-empty string. */
export function required(what: string) {
    const message = `required: ${what}`;
    return z.string({ error: (iss) => (iss.input === undefined || iss.input === null ? message : NON_EMPTY) }).refine((s) => s !== "", { error: message });
}

function isHttpUrl(s: string): boolean {
    try {
        const u = new URL(s);
        return (u.protocol === "http:" || u.protocol === "https:") && u.hostname !== "";
    } catch {
        return false;
    }
}

const URL_ALLOWED = "expected an http:// or https:// URL";

/** An http(s) URL with a host. */
export function httpUrl() {
    return nonEmpty().refine((s) => s === "" || isHttpUrl(s), { error: URL_ALLOWED });
}

const REPO_ALLOWED = "expected an http:// or https:// Helm repository URL, or an oci:// registry";

function isChartRepo(s: string): boolean {
    if (isHttpUrl(s)) {
        return true;
    }
    try {
        const u = new URL(s);
        return u.protocol === "oci:" && u.hostname !== "";
    } catch {
        return false;
    }
}

/** A chart repository: an http(s) Helm repository or an OCI registry (`oci://registry/path`). */
export function chartRepo() {
    return nonEmpty().refine((s) => s === "" || isChartRepo(s), { error: REPO_ALLOWED });
}

/** An http(s) URL that must be given: absent and `null` say `required: <what>`. */
export function requiredHttpUrl(what: string) {
    const message = `required: ${what}`;
    return z
        .string({ error: (iss) => (iss.input === undefined || iss.input === null ? message : NON_EMPTY) })
        .refine((s) => s !== "", { error: NON_EMPTY })
        .refine((s) => s === "" || isHttpUrl(s), { error: URL_ALLOWED });
}

/** One of `values`. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
    return z.enum(values, { error: `allowed: ${values.join(", ")}` });
}

/** `true` or `false`, also as the strings `pulumi config set` stores. */
export function bool() {
    return z
        .custom<boolean | "true" | "false">((v) => typeof v === "boolean" || v === "true" || v === "false", { error: "expected true or false", abort: false })
        .transform((v) => v === true || v === "true");
}

function asNumber(v: unknown): number | undefined {
    const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
    return typeof n === "number" && Number.isFinite(n) ? n : undefined;
}

/**
 * A number from `min` to `max` (an integer for `kind` "an integer"), also as a numeric string.
 * With `requiredAs`, an absent or `null` value says `required: <requiredAs>`.
 */
export function numberIn(min: number, max: number, kind: "a number" | "an integer", requiredAs?: string) {
    const allowed = `expected ${kind} from ${min} to ${max}`;
    const ok = (v: unknown) => {
        const n = asNumber(v);
        return n !== undefined && n >= min && n <= max && (kind === "a number" || Number.isInteger(n));
    };
    return z
        .custom<number | string>(ok, {
            error: (iss) => (requiredAs !== undefined && (iss.input === undefined || iss.input === null) ? `required: ${requiredAs}` : allowed),
            abort: false,
        })
        .transform((v) => asNumber(v) as number);
}

/** A list of `item`; with `missing`, an absent or `null` list says `missing` instead of "expected a list". */
export function listOf<T extends z.ZodType>(item: T, missing?: string) {
    return z.array(item, { error: (iss) => (missing !== undefined && (iss.input === undefined || iss.input === null) ? missing : LIST) });
}

/** A map of string to string, e.g. labels or annotations; the output is a copy. */
export function stringMap() {
    return z
        .custom<Record<string, string>>((v) => typeof v === "object" && v !== null && !Array.isArray(v) && Object.values(v).every((s) => typeof s === "string"), {
            error: "expected a map of string to string",
            abort: false,
        })
        .transform((v) => ({ ...v }));
}

/**
 * Helm values: a JSON object (what `pulumi config set --path charts.<role>.values.<key> ...` builds).
 * Its keys are the chart's to judge, so nothing inside is checked here; the output is a copy.
 */
export function helmValues() {
    return z
        .custom<Record<string, unknown>>((v) => typeof v === "object" && v !== null && !Array.isArray(v), {
            error: "expected an object of Helm values, merged last into the chart's values",
            abort: false,
        })
        .transform((v) => structuredClone(v));
}

/** The message of a union of object shapes told apart by one key: not an object, or not one of `values` there. */
export function unionError(values: readonly string[]) {
    return (iss: { code: string }) => (iss.code === "invalid_type" ? OBJECT : `allowed: ${values.join(", ")}`);
}

const ONLY_ABSENT = new WeakSet<z.ZodType>();

/** A key that is allowed in the object but must stay absent here; any value (even `null`) is reported with `allowed`. */
export function absent(allowed: string) {
    const schema = z.never({ error: allowed }).optional();
    ONLY_ABSENT.add(schema);
    return schema;
}

/**
 * An object with exactly the keys of `shape`: a key outside it is a problem listing the allowed keys
 * (in shape order); anything but an object is "expected an object".
 */
export function strictObject<S extends z.core.$ZodLooseShape>(shape: S) {
    const keys = Object.keys(shape).join(", ");
    return z.strictObject(shape, { error: (iss) => (iss.code === "unrecognized_keys" ? keys : OBJECT) });
}

/**
 * The parsed object with every key of `shape` present, an absent optional one as `undefined` (so the
 * settings always name all their fields), except the keys that must stay absent.
 */
function spelledOut<T extends object>(shape: z.core.$ZodLooseShape, value: T): T {
    const out: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries<z.ZodType>(shape)) {
        if (!ONLY_ABSENT.has(schema)) {
            out[key] = (value as Record<string, unknown>)[key];
        }
    }
    return out as T;
}

/** For `Report`: show the value as written in the raw config at the problem's key (e.g. `"2"`, not the parsed `2`). */
export const AS_WRITTEN: unique symbol = Symbol("as written");

/** Reports one problem at `path` (relative to the object the rule checks), showing `input` (or {@link AS_WRITTEN}) after `got`. */
export type Report = (path: readonly PropertyKey[], input: unknown, allowed: string) => void;
/**
 * Reports a component's problems (`xxxProblems(args)` next to each component: one definition per rule) under the
 * config key the component's arguments come from, each showing the value as written.
 */
export function reportProblems(
    report: Report,
    prefix: readonly PropertyKey[],
    problems: readonly { readonly path: readonly (string | number)[]; readonly value?: unknown; readonly reason: string }[],
): void {
    for (const p of problems) {
        report([...prefix, ...p.path], "value" in p ? p.value : AS_WRITTEN, p.reason);
    }
}

/** Whether the keys at these paths (relative to the object) parsed without a problem. */
export type Valid = (...paths: (readonly PropertyKey[])[]) => boolean;

function related(a: readonly PropertyKey[], b: readonly PropertyKey[]): boolean {
    const n = Math.min(a.length, b.length);
    return a.slice(0, n).every((k, i) => k === b[i]);
}

/**
 * A rule that relates several keys of one object. It runs even when other keys have problems (so
 * every problem is reported at once) but only reads keys that parsed cleanly, and never runs when the
 * object itself is not an object. `value` holds parsed values with their defaults.
 */
export function rule<T>(check: (value: T, report: Report, valid: Valid) => void) {
    return z.superRefine<T>(
        (value, ctx) => {
            const before = ctx.issues.filter((iss) => iss.code !== "unrecognized_keys").map((iss) => iss.path ?? []);
            if (before.some((path) => path.length === 0)) {
                return;
            }
            const valid: Valid = (...paths) => paths.every((p) => !before.some((path) => related(path, p)));
            check(value, (path, input, allowed) => ctx.addIssue({ code: "custom", path: [...path], input, message: allowed }), valid);
        },
        { when: () => true },
    );
}

/** A strict object whose rules (if any) run on its parsed keys, and whose output names every key. */
export function section<S extends z.core.$ZodLooseShape>(shape: S, rules?: (value: z.output<ReturnType<typeof strictObject<S>>>, report: Report, valid: Valid) => void) {
    const object = strictObject(shape);
    return (rules === undefined ? object : object.check(rule(rules))).transform((value) => spelledOut(shape, value));
}
