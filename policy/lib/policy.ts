/** Small helpers shared by the rule files. */
import { ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { StackResource } from "./k8s";

/** The resources of a stack validation in the shape the rules read. */
export function stackResources(args: StackValidationArgs): StackResource[] {
    return args.resources.map((r) => ({ type: r.type, props: r.props, urn: r.urn, name: r.name }));
}

/** Config of a resource or stack validation, typed by the policy's `<Policy>Args` interface. */
export function configOf<T extends object>(args: ResourceValidationArgs | StackValidationArgs): T {
    return args.getConfig<T>();
}
