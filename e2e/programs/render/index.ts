/**
 * The project's program with its Kubernetes provider in `renderYamlToDirectory` mode: `pulumi up`
 * writes every object it would apply (chart children included) as YAML files under the directory
 * set by `pulumi config set render:directory <dir>`, and touches no cluster (namespaces are not
 * looked up: each is planned as an existing one the stack adopts). The tracing suite reads what the
 * program renders from them (tracing/render.ts, with a control plane so Helm sees a real Kubernetes version).
 */
import * as pulumi from "@pulumi/pulumi";
import { main } from "../../../program";

export = () =>
    main({
        providerArgs: { renderYamlToDirectory: new pulumi.Config("render").require("directory") },
        observeNamespaces: async (names) => new Map(names.map((n) => [n, { exists: true, annotations: {} }])),
    });
