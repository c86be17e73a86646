import * as pulumi from "@pulumi/pulumi";

/**
 * The Kubernetes provider a component was given in its resource options (`provider`, or `providers`
 * keyed `kubernetes`, its own or inherited from its parent), as pulumi-eks takes it; undefined when
 * none was given, and the children then use the default provider (the ambient kubeconfig).
 */
export function kubernetesProvider(component: pulumi.ComponentResource): pulumi.ProviderResource | undefined {
    return component.getProvider("kubernetes:index:Provider");
}

/**
 * Options for a component's Kubernetes children: parented, the component's Kubernetes provider made
 * explicit, and the component's own `dependsOn` plus `extra`. Pulumi does not pass a component's
 * `dependsOn` on to its children, so without this the engine would not know (for create and delete
 * order) that a chart inside a component waits for what the component waits for.
 */
export function childOptions(
    parent: pulumi.ComponentResource,
    opts: pulumi.ComponentResourceOptions | undefined,
    extra: pulumi.Input<pulumi.Resource>[] = [],
): pulumi.CustomResourceOptions & pulumi.ComponentResourceOptions {
    const own = opts?.dependsOn;
    const inherited: pulumi.Input<pulumi.Resource>[] = own === undefined ? [] : Array.isArray(own) ? [...own] : [own as pulumi.Input<pulumi.Resource>];
    const provider = kubernetesProvider(parent);
    return { parent, ...(provider !== undefined ? { provider } : {}), dependsOn: [...inherited, ...extra] };
}

/**
 * The Server-Side Apply field manager of every Kubernetes object the stack applies (annotation
 * `pulumi.com/patchFieldManager`, which the provider reads before anything else).
 *
 * Without it, pulumi-kubernetes draws a random manager name per resource at its first create and
 * keeps it in the state. When a run dies after creating objects but before saving them (kill -9,
 * a lost CI runner), the next run creates them again under a new random name, and every field the
 * API server defaulted inside an atomic structure (an env var's `valueFrom.fieldRef`, a webhook's
 * `clientConfig`) conflicts with the dead run's manager: `up` fails until the objects are deleted by
 * hand. One stable name makes the recovering run the same owner.
 * @see https://www.pulumi.com/registry/packages/kubernetes/how-to-guides/managing-resources-with-server-side-apply/
 */
export const FIELD_MANAGER = "observability-stack";

/** Resource transform that sets {@link FIELD_MANAGER} on every Kubernetes object (not on charts, providers or components). */
export function fieldManagerTransform(args: pulumi.ResourceTransformArgs): pulumi.ResourceTransformResult | undefined {
    if (!args.custom || !args.type.startsWith("kubernetes:") || args.type.startsWith("kubernetes:helm.sh/") || args.type.startsWith("kubernetes:yaml/")) {
        return undefined;
    }
    const metadata = args.props.metadata ?? {};
    if (metadata.annotations?.["pulumi.com/patchFieldManager"] !== undefined) {
        return undefined;
    }
    return { props: { ...args.props, metadata: { ...metadata, annotations: { ...(metadata.annotations ?? {}), "pulumi.com/patchFieldManager": FIELD_MANAGER } } }, opts: args.opts };
}

/**
 * Throws what a component's argument validation found, each problem with its property path: one as
 * `pulumi.InputPropertyError` (its message is the reason), several at once as `pulumi.InputPropertiesError`.
 */
function throwInputErrors(component: string, errors: readonly pulumi.InputPropertyErrorDetails[]): void {
    if (errors.length === 1) {
        throw new pulumi.InputPropertyError(errors[0]);
    }
    if (errors.length > 1) {
        throw new pulumi.InputPropertiesError({ message: `${component}: ${errors.length} invalid arguments:\n${errors.map((e) => `  - ${e.reason}`).join("\n")}`, errors: [...errors] });
    }
}

/**
 * One bad argument: its property path (`["services", 0, "hosts"]`), and what is wrong and what is allowed. A component's
 * `xxxProblems(args)` returns them (pure, one definition per rule); the component throws them
 * ({@link throwProblems}) and the config layer reports them under the stack config key they come from.
 */
export interface ArgumentProblem {
    readonly path: readonly (string | number)[];
    /** The value found there, when the reason refers to it (shown after `got`; `nothing` for undefined). */
    readonly value?: unknown;
    readonly reason: string;
}

/** `got <value>; ` when the problem carries a value (as the config layer shows it), else "". */
function got(p: ArgumentProblem): string {
    return "value" in p ? `got ${p.value === undefined ? "nothing" : JSON.stringify(p.value)}; ` : "";
}

/** `services[0].hosts` */
function propertyPath(path: readonly (string | number)[]): string {
    return path.map((k, i) => (typeof k === "number" ? `[${k}]` : i === 0 ? k : `.${k}`)).join("");
}

/** Throws the problems as `InputPropertyError` (one) or `InputPropertiesError` (several), each reason prefixed with the component. */
export function throwProblems(component: string, problems: readonly ArgumentProblem[]): void {
    throwInputErrors(
        component,
        problems.map((p) => ({ propertyPath: propertyPath(p.path), reason: `${component}: ${propertyPath(p.path)}: ${got(p)}${p.reason}` })),
    );
}
