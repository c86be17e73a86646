/**
 * Values the pack may not see: during preview, an input that depends on an unknown output reaches the
 * analyzer as an unknown, and @pulumi/policy throws UnknownValueError when a policy reads it (the engine then
 * downgrades the whole policy to an advisory "can't run"). These helpers turn that into a blind spot the
 * policy reports, so nothing passes silently.
 */
import { UnknownValueError } from "@pulumi/policy";

/** A resource whose values the pack cannot read (unknown during preview, or an unreadable record). */
export interface BlindSpot {
    readonly urn: string;
    readonly what: string;
    readonly reason: string;
}

/** Deep copy without Pulumi's unknown-checking proxy; throws UnknownValueError when any value is unknown. */
export function plain<T>(value: T): T {
    return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** Runs `read`, turning an unknown preview value into a blind spot instead of aborting the whole policy. */
export function readKnown<T>(urn: string, what: string, read: () => T, blind: BlindSpot[]): T | undefined {
    try {
        return read();
    } catch (e) {
        if (e instanceof UnknownValueError && e instanceof Error) {
            blind.push({ urn, what, reason: e.message });
            return undefined;
        }
        throw e;
    }
}
