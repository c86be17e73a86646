/**
 * Runs a policy the way the analyzer does, without an engine: resource policies get one resource,
 * stack policies the whole list; `getConfig` returns the policy's configSchema defaults overlaid
 * with the given config, as the Pulumi policy runtime does.
 */
import { Policy, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

export interface Fixture {
    readonly type: string;
    readonly props: Record<string, any>;
    readonly name?: string;
}

function configFor(policy: Policy, config: Record<string, unknown>): Record<string, unknown> {
    const defaults = Object.fromEntries(Object.entries(policy.configSchema?.properties ?? {}).map(([k, s]) => [k, (s as { default?: unknown }).default]));
    return { ...defaults, ...config };
}

function urnOf(f: Fixture, i: number): string {
    return `urn:pulumi:test::observability-stack::${f.type}::${f.name ?? f.props.metadata?.name ?? `r${i}`}`;
}

/** Violation messages of a resource policy for one resource. */
export async function violationsOf(policy: ResourceValidationPolicy, f: Fixture, config: Record<string, unknown> = {}): Promise<string[]> {
    const out: string[] = [];
    const validations = Array.isArray(policy.validateResource) ? policy.validateResource : policy.validateResource ? [policy.validateResource] : [];
    for (const v of validations) {
        await v(
            {
                type: f.type,
                props: f.props,
                urn: urnOf(f, 0),
                name: f.name ?? f.props.metadata?.name ?? "r",
                opts: {} as any,
                stackTags: new Map(),
                isType: () => false,
                asType: () => undefined,
                getConfig: <T extends object>() => configFor(policy, config) as T,
            } as any,
            (message: string) => out.push(message),
        );
    }
    return out;
}

/** Violation messages (with the URN they are reported on) of a stack policy for a list of resources. */
export async function stackViolationsOf(policy: StackValidationPolicy, fixtures: readonly Fixture[], config: Record<string, unknown> = {}): Promise<string[]> {
    const out: string[] = [];
    await policy.validateStack!(
        {
            resources: fixtures.map((f, i) => ({ type: f.type, props: f.props, urn: urnOf(f, i), name: f.name ?? "r", opts: {}, dependencies: [], propertyDependencies: {}, isType: () => false, asType: () => undefined })),
            stackTags: new Map(),
            getConfig: <T extends object>() => configFor(policy, config) as T,
        } as any,
        (message: string) => out.push(message),
    );
    return out;
}

/** Applies a policy's remediation and returns the new props (undefined when nothing changed). */
export async function remediate(policy: ResourceValidationPolicy, f: Fixture): Promise<Record<string, any> | undefined> {
    const r = await policy.remediateResource!({ type: f.type, props: f.props, urn: urnOf(f, 0), name: "r", opts: {}, getConfig: () => ({}) } as any);
    return (r ?? undefined) as Record<string, any> | undefined;
}
