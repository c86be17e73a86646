/**
 * observability-stack policy pack: every incident of the reference deployment, and every
 * correction SPEC.md makes to it, as a guardrail. Levels and ceilings come from the stack's policy
 * config (config/dev.json, config/production.json); the defaults here are the safe ones.
 */
import { PolicyPack } from "@pulumi/policy";
import { allPolicies } from "./rules";

new PolicyPack("observability-stack", { policies: allPolicies });
