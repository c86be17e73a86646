/**
 * The stacks the real-engine tests run, each from a committed stack file changed only the way a user
 * on an air-gapped network changes it (`pulumi config set`): the reference dev cluster
 * (Pulumi.dev.yaml, reference versions), the production example (Pulumi.production.yaml) and the
 * current-versions line (Pulumi.local.yaml with a token Kiali).
 */
import { REFERENCE_VERSIONS, DEFAULT_CHARTS } from "../lib/charts";
import { stackRawConfig } from "../test/stackFiles";
import { ConfigChange, airGapped } from "./harness";

/** A fixed 32-character signing key (a test secret, set with `pulumi config set --secret`). */
export const TEST_SIGNING_KEY = "e2e-signing-key-0123456789abcdef";

export interface StackCase {
    /** Test title. */
    readonly title: string;
    /** Stack name (the CLI's `--stack`). */
    readonly stack: string;
    /** Committed stack file it starts from: `Pulumi.<from>.yaml`. */
    readonly from: "dev" | "production" | "local";
    /** Policy config (`policy/config/<kind>.json`). */
    readonly policy: "dev" | "production";
    /** The `pulumi config set` commands run on the copy. */
    readonly changes: readonly ConfigChange[];
    /** App namespaces of the stack file. */
    readonly appNamespaces: readonly string[];
    /** Whether the stack creates its app namespaces (otherwise they exist on the user's cluster first). */
    readonly createsAppNamespaces: boolean;
    /**
     * Objects the user created before the first `up`, in namespaces the stack then adopts (the
     * production stack file asks for the Elasticsearch password Secret in istio-system): they and
     * their namespaces must survive `destroy`.
     */
    readonly userObjects?: readonly { readonly namespace: string; readonly kind: "secret" | "configmap"; readonly name: string; readonly data: Record<string, string> }[];
    readonly versions: { readonly istio: string; readonly jaeger: string; readonly kiali: string };
    /** The stack file says a prometheus-operator runs Prometheus (`prometheus.operator`): the user's cluster has its CRDs. */
    readonly prometheusOperator: boolean;
}

function prometheusOperator(from: StackCase["from"]): boolean {
    const p = stackRawConfig(from).prometheus as { operator?: boolean } | undefined;
    return p?.operator === true;
}

function appNamespaces(from: StackCase["from"]): { appNamespaces: string[]; createsAppNamespaces: boolean } {
    const raw = stackRawConfig(from);
    return { appNamespaces: (raw.appNamespaces as string[] | undefined) ?? [], createsAppNamespaces: raw.createAppNamespaces === true };
}

const signingKey: ConfigChange = { key: "kiali.signingKey", value: TEST_SIGNING_KEY, secret: true };

export const STACKS: readonly StackCase[] = [
    {
        title: "dev (Pulumi.dev.yaml: Istio 1.24.2, jaeger 3.4.1, kiali-server 2.1.0)",
        stack: "dev",
        from: "dev",
        policy: "dev",
        // An anonymous Kiali needs no key, but one set as a secret must stay secret on kiali-server 2.1.0 too.
        changes: [...airGapped(), signingKey],
        ...appNamespaces("dev"),
        versions: { istio: REFERENCE_VERSIONS.istiod, jaeger: REFERENCE_VERSIONS.jaeger, kiali: REFERENCE_VERSIONS.kiali },
        prometheusOperator: prometheusOperator("dev"),
    },
    {
        title: "production (Pulumi.production.yaml: current versions, Elasticsearch, token Kiali)",
        stack: "production",
        from: "production",
        policy: "production",
        changes: [...airGapped(), signingKey],
        ...appNamespaces("production"),
        userObjects: [
            { namespace: "istio-system", kind: "secret", name: "jaeger-elasticsearch", data: { password: "user-owned-password" } },
            { namespace: "istio-system", kind: "secret", name: "elasticsearch-ca", data: { "ca.crt": "-----BEGIN CERTIFICATE-----\nZmFrZS1lcy1jYQ==\n-----END CERTIFICATE-----\n" } },
            { namespace: "auth", kind: "configmap", name: "auth-settings", data: { owner: "the auth team" } },
        ],
        versions: { istio: DEFAULT_CHARTS.istiod.version, jaeger: DEFAULT_CHARTS.jaeger.version, kiali: DEFAULT_CHARTS.kiali.version },
        prometheusOperator: prometheusOperator("production"),
    },
    {
        title: "current line (Pulumi.local.yaml with a token Kiali: Istio 1.30.3, jaeger 4.11.1, kiali-server 2.29.0)",
        stack: "current",
        from: "local",
        policy: "dev",
        changes: [...airGapped(), { key: "kiali.authStrategy", value: "token" }, signingKey],
        ...appNamespaces("local"),
        versions: { istio: DEFAULT_CHARTS.istiod.version, jaeger: DEFAULT_CHARTS.jaeger.version, kiali: DEFAULT_CHARTS.kiali.version },
        prometheusOperator: prometheusOperator("local"),
    },
];
