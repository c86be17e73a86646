/** Reads a `Pulumi.<stack>.yaml` file into the raw config shape `index.ts` builds. */
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { CONFIG_NAMESPACE } from "../config";

export function stackRawConfig(stack: string): Record<string, unknown> {
    const file = path.join(__dirname, "..", `Pulumi.${stack}.yaml`);
    const doc = yaml.load(fs.readFileSync(file, "utf8")) as { config: Record<string, unknown> };
    const raw: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(doc.config)) {
        if (k.startsWith(`${CONFIG_NAMESPACE}:`)) {
            raw[k.slice(CONFIG_NAMESPACE.length + 1)] = v;
        }
    }
    return raw;
}

/** Deep-freezes a value so a test proves the validator never mutates its input. */
export function deepFreeze<T>(v: T): T {
    if (typeof v === "object" && v !== null) {
        Object.values(v).forEach(deepFreeze);
        Object.freeze(v);
    }
    return v;
}
