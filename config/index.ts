/**
 * Stack configuration: one schema (`schema.ts`, zod) with the allowed values, defaults and rules,
 * the settings types inferred from it (`types.ts`), and one pure validator.
 *
 * `program.ts` reads every `observability-stack:*` key once and hands the raw values to
 * {@link parseStackConfig}. It returns typed settings or throws a {@link ConfigError} that lists
 * every bad value with its key, the value and what is allowed — before any resource is registered.
 * The function never mutates its input. Components never read `pulumi.Config` themselves.
 */
import { ConfigError, problemLines } from "./problems";
import { stackConfig } from "./schema";
import { StackConfig } from "./types";

export { ConfigError } from "./problems";
export { DEFAULT_PROMETHEUS_URL } from "./kialiUiSchema";
export type * from "./types";

/** The Pulumi config namespace of this project (`Pulumi.yaml` `name`). */
export const CONFIG_NAMESPACE = "observability-stack";

/** Raw values by key (without the `observability-stack:` prefix), JSON already parsed. */
export type RawConfig = Readonly<Record<string, unknown>>;

/**
 * Validates raw stack configuration and applies defaults. Pure: reads `raw`, never changes it.
 * Absent keys take their defaults; `null` is a wrong value like any other.
 * @throws ConfigError listing every bad value (key, value, what is allowed).
 */
export function parseStackConfig(raw: RawConfig): StackConfig {
    const result = stackConfig.safeParse(raw, { reportInput: true });
    if (!result.success) {
        throw new ConfigError(result.error.issues.flatMap((issue) => problemLines(issue, raw)));
    }
    return result.data;
}
