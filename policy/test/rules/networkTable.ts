/** What the stack cases of the network rules' specs (network.*.spec.ts) share: the Jaeger side of a stack, an egress policy, and the table that runs them. */
import * as assert from "assert";
import { Obj, collectorService, jaegerV1Deployment, networkPolicy } from "../fixtures";
import { Fixture, stackViolationsOf } from "../harness";

/** The Jaeger side of the stacks: the collector Service and the pods it selects. */
export const JAEGER: Fixture[] = [collectorService(), jaegerV1Deployment()];
export const egressPolicy = (ns: string, name: string, egress: Obj[], extra: Obj = {}) => networkPolicy(ns, name, { podSelector: {}, policyTypes: ["Egress"], egress, ...extra });

interface StackCase {
    readonly name: string;
    readonly stack: readonly Fixture[];
    readonly config?: Record<string, unknown>;
    readonly expected: readonly string[];
}

export function table(policy: Parameters<typeof stackViolationsOf>[0], cases: readonly StackCase[]): void {
    for (const c of cases) {
        it(c.name, async () => {
            assert.deepStrictEqual(await stackViolationsOf(policy, c.stack, c.config), c.expected);
        });
    }
}
