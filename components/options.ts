import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/**
 * Options for a component's Kubernetes children: parented, the explicit provider, and the
 * component's own `dependsOn` plus `extra`. Pulumi does not pass a component's `dependsOn` on to
 * its children, so without this the engine would not know (for create and delete order) that a
 * chart inside a component waits for what the component waits for.
 */
export function childOptions(
    parent: pulumi.ComponentResource,
    provider: k8s.Provider,
    opts: pulumi.ComponentResourceOptions | undefined,
    extra: pulumi.Input<pulumi.Resource>[] = [],
): pulumi.CustomResourceOptions & pulumi.ComponentResourceOptions {
    const own = opts?.dependsOn;
    const inherited: pulumi.Input<pulumi.Resource>[] = own === undefined ? [] : Array.isArray(own) ? [...own] : [own as pulumi.Input<pulumi.Resource>];
    return { parent, provider, dependsOn: [...inherited, ...extra] };
}
