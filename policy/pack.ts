/**
 * The pack itself: every policy of rules/, under the pack's name. policy/index.ts (the CLI's entry) starts it.
 */
import { PolicyPack } from "@pulumi/policy";
import { guardPolicyNames } from "./lib/policyNames";
import { RENAMED_POLICIES, allPolicies } from "./rules";

/** Starts the pack's analyzer server (the CLI talks to it over gRPC). Throws when a policy takes a retired name. */
export function startPack(): PolicyPack {
    guardPolicyNames(
        allPolicies.map((p) => p.name),
        RENAMED_POLICIES,
    );
    return new PolicyPack("observability-stack", { policies: allPolicies });
}
