/**
 * observability-stack policy pack: every incident of the reference deployment as a guardrail.
 * Levels and ceilings come from the stack's policy config (config/dev.json, config/production.json);
 * the defaults here are the safe ones. A config naming a renamed or unknown policy is refused.
 */
import { PolicyPack } from "@pulumi/policy";
import { guardPolicyNames } from "./lib/policyNames";
import { RENAMED_POLICIES, allPolicies } from "./rules";

guardPolicyNames(
    allPolicies.map((p) => p.name),
    RENAMED_POLICIES,
);
new PolicyPack("observability-stack", { policies: allPolicies });
