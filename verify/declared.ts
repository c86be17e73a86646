/**
 * What a stack declared, read through the Pulumi CLI as its user runs it (`pulumi stack output`, `pulumi stack export`,
 * `pulumi config get`): its outputs, and the objects of its state as the program rendered them (the inputs of the
 * chart children and of its own objects).
 */
import { execFileSync } from "child_process";
import { DEFAULT_DNS } from "../components/tracingNetworkPolicies";
import { AMBIENT_LABELS, INJECTION_LABEL, SYSTEM_NAMESPACE } from "../lib/constants";
import { JsonObject, asObject, at, parseYaml } from "../policy/lib/k8s";
import { Labels } from "../policy/lib/networkPolicy";
import { Declared } from "./checks";

/** Where the CLI runs for a stack: its project directory and its login (backend, passphrase, PATH). */
export interface StackSource {
    readonly stack: string;
    readonly cwd: string;
    readonly env: NodeJS.ProcessEnv;
}

function pulumi(source: StackSource, args: string[]): string {
    return execFileSync("pulumi", [...args, "--stack", source.stack], { cwd: source.cwd, env: source.env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] });
}

/** A stack config value, or undefined when it is not set. */
export function configValue(source: StackSource, key: string): string | undefined {
    try {
        return pulumi(source, ["config", "get", key]).trimEnd();
    } catch {
        return undefined;
    }
}

interface StateResource {
    readonly type: string;
    readonly inputs?: JsonObject;
}

/** The declared object of a kind and name in the state (a chart child or the program's own). */
function declaredObject(resources: readonly StateResource[], kind: string, namespace: string | undefined, name: string): JsonObject | undefined {
    return resources.find((r) => r.type.endsWith(`:${kind}`) && at(r.inputs, ["metadata", "name"]) === name && (namespace === undefined || at(r.inputs, ["metadata", "namespace"]) === namespace))
        ?.inputs;
}

/** The stack's declarations from its outputs and state. */
export function readDeclared(source: StackSource): Declared {
    const outputs = JSON.parse(pulumi(source, ["stack", "output", "--json"])) as Record<string, unknown>;
    const state = JSON.parse(pulumi(source, ["stack", "export"])) as { deployment?: { resources?: StateResource[] } };
    const resources = state.deployment?.resources ?? [];
    if (resources.length === 0 || outputs.samplingPercentage === undefined) {
        throw new Error(`stack ${source.stack} has no deployed resources or no outputs: run pulumi up --stack ${source.stack} first`);
    }
    const meshCm = declaredObject(resources, "ConfigMap", SYSTEM_NAMESPACE, "istio");
    const kialiCm = declaredObject(resources, "ConfigMap", SYSTEM_NAMESPACE, "kiali");
    const kialiConfig = parseYaml(at(kialiCm, ["data", "config.yaml"]));
    // The app namespaces: labelled for sidecar injection, or enrolled in ambient mode.
    const labelled = (r: StateResource, labels: Readonly<Record<string, string>>) => Object.entries(labels).every(([k, v]) => at(r.inputs, ["metadata", "labels", k]) === v);
    const appNamespaces = resources
        .filter((r) => r.type === "kubernetes:core/v1:Namespace" && (labelled(r, INJECTION_LABEL) || labelled(r, { [AMBIENT_LABELS.dataplaneMode]: "ambient" })))
        .map((r) => String(at(r.inputs, ["metadata", "name"])))
        .sort();
    // Stacks deployed before mesh.dataPlane existed have no dataPlane output: they run sidecars.
    const dataPlane = outputs.dataPlane === "ambient" ? "ambient" : "sidecar";
    const waypoints = Array.isArray(outputs.waypoints) ? outputs.waypoints.filter((w): w is string => typeof w === "string") : [];
    // The stack's DNS policy names the DNS pods (complete mode); otherwise the default CoreDNS labels.
    const dnsPolicy = resources.find((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" && at(r.inputs, ["metadata", "name"]) === "allow-dns-egress");
    const egress = (asObject(dnsPolicy?.inputs?.spec) as { egress?: { to?: { namespaceSelector?: { matchLabels?: Labels }; podSelector?: { matchLabels?: Labels } }[] }[] } | undefined)?.egress ?? [];
    const peer = egress[0]?.to?.[0];
    const dnsNamespace = peer?.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"];
    const dnsLabels = peer?.podSelector?.matchLabels;
    return {
        stack: source.stack,
        samplingPercentage: Number(outputs.samplingPercentage),
        tracingProvider: outputs.tracingProvider === "opentelemetry" ? "opentelemetry" : "zipkin",
        mesh: parseYaml(at(meshCm, ["data", "mesh"])),
        appNamespaces,
        dataPlane,
        waypoints,
        dns:
            typeof dnsNamespace === "string" && dnsLabels !== undefined
                ? { namespace: dnsNamespace, podLabels: dnsLabels }
                : { namespace: DEFAULT_DNS.namespace, podLabels: { ...DEFAULT_DNS.podLabels } },
        kiali:
            typeof outputs.kialiTracingUrl === "string"
                ? { tracingUrl: outputs.kialiTracingUrl, prometheusUrl: (at(kialiConfig, ["external_services", "prometheus", "url"]) as string | undefined) ?? undefined }
                : undefined,
    };
}
