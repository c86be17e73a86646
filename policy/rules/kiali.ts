/** Kiali: who may log in, which config keys it reads, and a signing key that does not change. */
import * as k8s from "@pulumi/kubernetes";
import { ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { requestedChartsOfStack } from "../lib/charts";
import { KIALI_SIGNING_KEY_MOUNT } from "../../lib/constants";
import { StackResource, at, containersOf, kialiConfigOf, namespaceOf, propsOfType, ref, workloadOf } from "../lib/k8s";
import { configOf, stackResources } from "../lib/policy";

export const KIALI_ANONYMOUS = "kiali-must-not-allow-anonymous-access";

/** Config of {@link kialiMustNotAllowAnonymousAccess}. */
interface KialiAnonymousArgs {
    /** Allow `auth.strategy: anonymous` (dev stacks only). @default false */
    allowAnonymous: boolean;
}

export const kialiMustNotAllowAnonymousAccess: ResourceValidationPolicy = {
    name: KIALI_ANONYMOUS,
    description: "Kiali must require a login (auth.strategy other than anonymous) unless the stack's policy config allows anonymous access.",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
        "Set kiali.authStrategy to token or header in the stack config (openid needs client settings the program does not model: give them in charts.kiali.values); only a dev stack's policy config sets allowAnonymous.",
    url: "https://kiali.io/docs/configuration/authentication/",
    configSchema: { properties: { allowAnonymous: { type: "boolean", default: false } } },
    validateResource: validateResourceOfType(k8s.core.v1.ConfigMap, (cm, args, reportViolation) => {
        const kiali = kialiConfigOf(cm);
        if (kiali !== undefined && at(kiali, ["auth", "strategy"]) === "anonymous" && !configOf<KialiAnonymousArgs>(args).allowAnonymous) {
            reportViolation(`Kiali config ${ref(cm)} must require a login; auth.strategy is anonymous, expected token or header (or openid with its client settings).`);
        }
    }),
};

export const KIALI_STALE_KEYS = "kiali-config-must-not-use-removed-keys";

/** Keys Kiali 2.x removed or renamed; the chart copies values into the config, so they are ignored silently. */
const STALE_KIALI_KEYS: readonly { path: string[]; instead: string }[] = [
    { path: ["deployment", "accessible_namespaces"], instead: "nothing (the kiali-server chart is cluster-wide; use discovery selectors)" },
    { path: ["external_services", "tracing", "in_cluster_url"], instead: "external_services.tracing.internal_url" },
    { path: ["external_services", "tracing", "url"], instead: "external_services.tracing.external_url" },
    { path: ["external_services", "grafana", "in_cluster_url"], instead: "external_services.grafana.internal_url" },
    { path: ["external_services", "grafana", "url"], instead: "external_services.grafana.external_url" },
];

export const kialiConfigMustNotUseRemovedKeys: ResourceValidationPolicy = {
    name: KIALI_STALE_KEYS,
    description: "Kiali's config must not use keys Kiali 2.x removed or renamed, because Kiali ignores them silently.",
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps: "Rename in_cluster_url to internal_url and url to external_url; drop deployment.accessible_namespaces.",
    url: "https://kiali.io/docs/configuration/kialis.kiali.io/",
    validateResource: validateResourceOfType(k8s.core.v1.ConfigMap, (cm, _args, reportViolation) => {
        const kiali = kialiConfigOf(cm);
        for (const k of kiali === undefined ? [] : STALE_KIALI_KEYS) {
            if (at(kiali, k.path) !== undefined) {
                reportViolation(`Kiali config ${ref(cm)} must not set ${k.path.join(".")} (removed in Kiali 2.x and ignored); expected ${k.instead}.`);
            }
        }
    }),
};

export const KIALI_SIGNING_KEY = "kiali-signing-key-must-be-set";

/** An empty signing key makes the chart render a random one on every run: a diff on every `pulumi up`. */
export const kialiSigningKeyMustBeSet: StackValidationPolicy = {
    name: KIALI_SIGNING_KEY,
    description: "The kiali-server chart must be given login_token.signing_key, or it renders a random key on every run.",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: "Set kiali.signingKey as a Pulumi secret (16, 24 or 32 characters); the program passes it (or a secret: reference) to the chart and records the request for the pack.",
    url: "https://kiali.io/docs/configuration/kialis.kiali.io/#.spec.login_token.signing_key",
    validateStack: (args, reportViolation) => {
        const { charts, blind } = requestedChartsOfStack(stackResources(args), { what: "the Kiali signing key", valuesOf: ["kiali-server"] });
        for (const b of blind) {
            reportViolation(b.message, b.urn);
        }
        for (const c of charts.filter((r) => r.chart === "kiali-server")) {
            const key = at(c.values, ["login_token", "signing_key"]);
            if (typeof key !== "string" || key === "") {
                reportViolation(
                    `Chart kiali-server ${String(c.version ?? "")} must set values.login_token.signing_key; expected a fixed key of 16, 24 or 32 characters or secret:<name>:<key>.`,
                    c.urn,
                );
            }
        }
    },
};

export const KIALI_SIGNING_KEY_SECRET = "kiali-signing-key-must-come-from-a-secret";

/** True when a pod template of the namespace mounts a Secret where Kiali reads its signing key file. */
function mountsSigningKeySecret(resources: readonly StackResource[], namespace: string): boolean {
    return resources.some((r) => {
        const w = workloadOf(r);
        if (w === undefined || namespaceOf(w) !== namespace) {
            return false;
        }
        const secretVolumes = new Set((w.template?.spec?.volumes ?? []).filter((v) => v.secret !== undefined).map((v) => v.name));
        return containersOf(w.template).some((c) => (c.volumeMounts ?? []).some((m) => m.mountPath === KIALI_SIGNING_KEY_MOUNT && secretVolumes.has(m.name)));
    });
}

/**
 * Kiali's ConfigMap holds no literal signing key: Kiali's own cluster-wide role reads every ConfigMap,
 * and a literal lands unencrypted in the stack's state. A `secret:` reference, or a literal that a
 * Secret mounted at Kiali's override path replaces at start-up, is fine.
 */
export const kialiSigningKeyMustComeFromASecret: StackValidationPolicy = {
    name: KIALI_SIGNING_KEY_SECRET,
    description: "Kiali's signing key must come from a Kubernetes Secret, never as a literal in its ConfigMap.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: `Use kiali-server >= 2.21 with login_token.signing_key secret:<name>:<key>, or mount a Secret with the key in value.txt at ${KIALI_SIGNING_KEY_MOUNT} (deployment.custom_secrets); the program does one or the other.`,
    url: "https://kiali.io/docs/configuration/kialis.kiali.io/#.spec.login_token.signing_key",
    validateStack: (args, reportViolation) => {
        const resources = stackResources(args);
        for (const r of resources) {
            const cm = propsOfType(k8s.core.v1.ConfigMap, r);
            const kiali = cm === undefined ? undefined : kialiConfigOf(cm);
            const key = kiali === undefined ? undefined : at(kiali, ["login_token", "signing_key"]);
            if (typeof key !== "string" || key === "" || key.startsWith("secret:") || mountsSigningKeySecret(resources, namespaceOf(cm))) {
                continue;
            }
            reportViolation(
                `Kiali config ${ref(cm)} must not hold login_token.signing_key as a literal (every ConfigMap is readable by Kiali's cluster-wide role); expected secret:<name>:<key> or a Secret mounted at ${KIALI_SIGNING_KEY_MOUNT}.`,
                r.urn,
            );
        }
    },
};

export const kialiPolicies = [kialiMustNotAllowAnonymousAccess, kialiConfigMustNotUseRemovedKeys, kialiSigningKeyMustBeSet, kialiSigningKeyMustComeFromASecret];
