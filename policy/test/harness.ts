/**
 * Runs a policy the way the analyzer does (@pulumi/policy's server), without an engine: resource policies
 * get one resource, stack policies the whole list; props are wrapped in the SDK's unknown-checking proxy
 * (reading a preview unknown throws, and the policy is downgraded to an advisory "can't run", which this
 * harness reports so a silent pass shows in tests); `isType`/`asType` compare Pulumi type tokens;
 * `notApplicable` skips the validation; `getConfig` returns the configSchema defaults overlaid with the
 * given config. Fixtures are built typed from the resource class's input args with {@link typed}, as
 * awsguard's `createResourceValidationArgs` does.
 */
import {
    Policy,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
    UnknownValueError,
    unknownCheckingProxy,
} from "@pulumi/policy";
import type { Resource, Unwrap } from "@pulumi/pulumi";
import type { ResolvedResource } from "@pulumi/pulumi/queryable";
import { ResourceClass, propsOfType, pulumiTypeOf } from "../lib/k8s";

/** What an analyzer receives for one resource: its Pulumi type, its props and (optionally) its resource name. */
export interface Fixture {
    readonly type: string;
    readonly props: Record<string, any>;
    readonly name?: string;
}

/** The engine's sentinel for a string that is unknown during preview (as @pulumi/policy deserializes it). */
export const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A fixture whose props are type-checked against the class's input args (`k8s.core.v1.Service` -> ServiceArgs). */
export function typed<TArgs>(cls: ResourceClass<TArgs>, props: Unwrap<NonNullable<TArgs>>, name?: string): Fixture {
    const type = pulumiTypeOf(cls);
    if (type === undefined) {
        throw new Error(`${cls.name} has no Pulumi type token`);
    }
    // Serialized as the engine does: analyzers see plain JSON values.
    return { type, props: JSON.parse(JSON.stringify(props)), ...(name === undefined ? {} : { name }) };
}

class NotApplicable extends Error {}

function configFor(policy: Policy, config: Record<string, unknown>): Record<string, unknown> {
    const defaults = Object.fromEntries(Object.entries(policy.configSchema?.properties ?? {}).map(([k, s]) => [k, typeof s === "object" ? s.default : undefined]));
    return { ...defaults, ...config };
}

function nameOf(f: Fixture, i: number): string {
    const metadataName: unknown = f.props.metadata?.name;
    return f.name ?? (typeof metadataName === "string" ? metadataName : `r${i}`);
}

function urnOf(f: Fixture, i: number): string {
    return `urn:pulumi:test::observability-stack::${f.type}::${nameOf(f, i)}`;
}

const OPTIONS = { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] };

/** The `ResourceValidationArgs` the analyzer builds for one resource. */
export function resourceValidationArgs(policy: Policy, f: Fixture, config: Record<string, unknown> = {}): ResourceValidationArgs {
    const props: Record<string, any> = unknownCheckingProxy(f.props);
    return {
        type: f.type,
        props,
        urn: urnOf(f, 0),
        name: nameOf(f, 0),
        opts: OPTIONS,
        stackTags: new Map(),
        isType: (cls) => pulumiTypeOf(cls) === f.type,
        asType: <TResource extends Resource, TArgs>(cls: new (name: string, args: TArgs, ...rest: never[]) => TResource) => propsOfType(cls, { type: f.type, props }),
        getConfig: <T extends object>() => configFor(policy, config) as T,
        notApplicable: (reason?: string) => {
            throw new NotApplicable(reason);
        },
    };
}

function policyResource(f: Fixture, i: number): PolicyResource {
    const props: Record<string, any> = unknownCheckingProxy(f.props);
    return {
        type: f.type,
        props,
        urn: urnOf(f, i),
        name: nameOf(f, i),
        opts: OPTIONS,
        dependencies: [],
        propertyDependencies: {},
        isType: (cls) => pulumiTypeOf(cls) === f.type,
        asType: <TResource extends Resource>(cls: new (...rest: never[]) => TResource): ResolvedResource<TResource> | undefined =>
            pulumiTypeOf(cls) === f.type ? (props as object as ResolvedResource<TResource>) : undefined,
    };
}

/** Runs one validation as the server does: unknowns become an advisory "can't run" message, notApplicable skips. */
async function run(policy: Policy, validate: () => Promise<void> | void, out: string[]): Promise<void> {
    try {
        await validate();
    } catch (e) {
        if (e instanceof NotApplicable) {
            return;
        }
        if (e instanceof UnknownValueError && e instanceof Error) {
            out.push(`[advisory] can't run policy '${policy.name}' during preview: ${e.message}`);
            return;
        }
        throw e;
    }
}

/** Violation messages of a resource policy for one resource. */
export async function violationsOf(policy: ResourceValidationPolicy, f: Fixture, config: Record<string, unknown> = {}): Promise<string[]> {
    const out: string[] = [];
    const report: ReportViolation = (message) => out.push(message);
    const validations = Array.isArray(policy.validateResource) ? policy.validateResource : policy.validateResource ? [policy.validateResource] : [];
    for (const v of validations) {
        await run(policy, () => v(resourceValidationArgs(policy, f, config), report), out);
    }
    return out;
}

/** Violation messages of a stack policy for a list of resources. */
export async function stackViolationsOf(policy: StackValidationPolicy, fixtures: readonly Fixture[], config: Record<string, unknown> = {}): Promise<string[]> {
    return (await stackViolationsWithUrns(policy, fixtures, config)).map((v) => v.message);
}

/** Violations of a stack policy with the URN each is reported on (undefined: the stack). */
export async function stackViolationsWithUrns(policy: StackValidationPolicy, fixtures: readonly Fixture[], config: Record<string, unknown> = {}): Promise<{ message: string; urn?: string }[]> {
    const out: { message: string; urn?: string }[] = [];
    const advisories: string[] = [];
    const args: StackValidationArgs = {
        resources: fixtures.map(policyResource),
        stackTags: new Map(),
        getConfig: <T extends object>() => configFor(policy, config) as T,
        notApplicable: (reason?: string) => {
            throw new NotApplicable(reason);
        },
    };
    await run(policy, () => policy.validateStack(args, (message, urn) => out.push({ message, urn })), advisories);
    return [...out, ...advisories.map((message) => ({ message }))];
}

/** Applies a policy's remediation and returns the new props (undefined when nothing changed). */
export async function remediate(policy: ResourceValidationPolicy, f: Fixture): Promise<Record<string, any> | undefined> {
    const r = await policy.remediateResource?.(resourceValidationArgs(policy, f));
    return r ?? undefined;
}
