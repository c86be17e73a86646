/**
 * The project's program with its Kubernetes provider in `renderYamlToDirectory` mode: `pulumi up`
 * writes every object it would apply (chart children included) as YAML files under the directory
 * set by `pulumi config set render:directory <dir>`, and touches no cluster (namespaces are not
 * looked up: each is planned as an existing one the stack adopts; the Istio CRDs stay Chart v4 children, never a Helm release). The tracing suite reads what the
 * program renders from them (tracing/render.ts, with a control plane so Helm sees a real Kubernetes version).
 * The render mode is this program's own: a stack transform adds it to the program's provider.
 */
import * as pulumi from "@pulumi/pulumi";
import { main } from "../../../program";

export = () => {
    const directory = new pulumi.Config("render").require("directory");
    pulumi.runtime.registerResourceTransform((args) => (args.type === "pulumi:providers:kubernetes" ? { props: { ...args.props, renderYamlToDirectory: directory }, opts: args.opts } : undefined));
    return main({
        observeNamespaces: async (names) => new Map(names.map((n) => [n, { exists: true, annotations: {} }])),
        // A Helm v3 Release is installed even in this mode (the provider hands it to Helm): the CRDs render as Chart v4 children.
        istioCrdLayout: async () => ({ kind: "chart", reason: "renderYamlToDirectory writes objects, and a Helm release would install" }),
        unownedCrds: async () => [],
        missingGatewayApiCrds: async () => [],
    });
};
