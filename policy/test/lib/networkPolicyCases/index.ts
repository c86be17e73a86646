/** The evaluator's cases (../networkPolicy.spec.ts), one semantic rule at a time, each with an allowed and a denied case, in this order. */
import { Case } from "./fixtures";
import { ISOLATION_CASES } from "./isolation";
import { NAMESPACE_AND_REACHABILITY_CASES } from "./namespacesAndReachability";
import { PEER_CASES } from "./peers";
import { PORT_CASES } from "./ports";

export const CASES: readonly Case[] = [...ISOLATION_CASES, ...PEER_CASES, ...PORT_CASES, ...NAMESPACE_AND_REACHABILITY_CASES];
