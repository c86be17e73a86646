/**
 * The two version lines the real-engine tests run: the reference deployment's versions and the
 * current ones, both starting from the committed local stack file (Pulumi.local.yaml).
 */
import { REFERENCE_VERSIONS } from "../lib/charts";
import { stackRawConfig } from "../test/stackFiles";

export interface VersionLine {
    /** Stack name suffix and test title. */
    readonly name: "reference" | "current";
    readonly config: Record<string, unknown>;
    readonly secretKeys: readonly string[];
    readonly istioVersion: string;
    readonly jaegerVersion: string;
    readonly kialiVersion: string;
}

/** A fixed 32-character signing key (a test secret, set as a Pulumi secret). */
export const TEST_SIGNING_KEY = "e2e-signing-key-0123456789abcdef";

/** The local stack's config, its chart repos pointed at `OBS_CHARTS_URL` when set (the e2e mirror). */
export function localConfig(): Record<string, unknown> {
    const local = stackRawConfig("local");
    const mirror = process.env.OBS_CHARTS_URL;
    const charts = local.charts as Record<string, { repo: string }>;
    return { ...local, charts: Object.fromEntries(Object.entries(charts).map(([role, c]) => [role, { ...c, repo: mirror ?? c.repo }])) };
}

/**
 * The production example stack (Pulumi.production.yaml) as it can run here: charts from the mirror,
 * nothing awaited (no nodes), and the signing key it asks for set as a secret.
 */
export function productionConfig(): { config: Record<string, unknown>; secretKeys: string[] } {
    const prod = stackRawConfig("production");
    const local = localConfig();
    return {
        config: { ...prod, charts: local.charts, awaitReadiness: false, kiali: { ...(prod.kiali as object), signingKey: TEST_SIGNING_KEY } },
        secretKeys: ["kiali"],
    };
}

export function versionLines(): VersionLine[] {
    const local = localConfig();
    const charts = local.charts as Record<string, { repo: string }>;
    const withVersions = Object.fromEntries(Object.entries(charts).map(([role, c]) => [role, { ...c, version: REFERENCE_VERSIONS[role as keyof typeof REFERENCE_VERSIONS] }]));
    return [
        {
            // Reference: Istio 1.24.2, jaeger 3.4.1, kiali-server 2.1.0; anonymous Kiali reading HTTP 16686.
            name: "reference",
            config: { ...local, charts: withVersions, kiali: { authStrategy: "anonymous", tracingUseGrpc: false } },
            secretKeys: [],
            istioVersion: "1.24.2",
            jaegerVersion: "3.4.1",
            kialiVersion: "2.1.0",
        },
        {
            // Current: Istio 1.30.3, jaeger 4.11.1, kiali-server 2.29.0; token login with a secret signing key.
            name: "current",
            config: { ...local, kiali: { authStrategy: "token", signingKey: TEST_SIGNING_KEY } },
            secretKeys: ["kiali"],
            istioVersion: "1.30.3",
            jaegerVersion: "4.11.1",
            kialiVersion: "2.29.0",
        },
    ];
}
