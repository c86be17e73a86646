/**
 * The settings type, inferred from the schema (`schema.ts`): what `parseStackConfig` returns. Its parts are the
 * components' own argument types (`components/`), which the schema's output is checked against where
 * `program.ts` maps the settings onto `ObservabilityStackArgs`.
 */
import { z } from "zod";
import { stackConfig } from "./schema";

/** `T` with every property and list read-only, all the way down. */
type DeepReadonly<T> = T extends readonly (infer U)[] ? readonly DeepReadonly<U>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/** Everything the program needs, validated and with defaults applied. */
export type StackConfig = DeepReadonly<z.output<typeof stackConfig>>;
