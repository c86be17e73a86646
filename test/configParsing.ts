/** What the config.*.spec.ts files parse: the smallest valid config, and the problems a raw config is rejected with. */
import * as assert from "assert";
import { ConfigError, RawConfig, parseStackConfig } from "../config";
import { deepFreeze } from "./stackFiles";

export const DEV_MINIMAL: RawConfig = { environment: "dev", kiali: { authStrategy: "anonymous" } };

/** The one helper for "this config is rejected": the ConfigError a raw config (frozen: validation never mutates) is rejected with. */
export function rejection(raw: RawConfig): ConfigError {
    try {
        parseStackConfig(deepFreeze(raw));
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
        return e;
    }
    assert.fail("expected the config to be rejected");
}

/** The problems a raw config is rejected with. */
export function problems(raw: RawConfig): readonly string[] {
    return rejection(raw).problems;
}
