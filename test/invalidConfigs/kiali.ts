/** Invalid configs: Kiali (`kiali.*`): login, signing key, and its links to Prometheus, Grafana and the Jaeger UI. */
import { Case, DEV, PROD } from "./shared";

const SIGNING_KEY = "required for auth strategies other than anonymous: set it with `pulumi config set --secret kiali.signingKey <16, 24 or 32 characters>`";

export const KIALI_CASES: readonly Case[] = [
    // kiali
    { mistake: "a null kiali", raw: { environment: "dev", kiali: null }, first: "kiali: got null; expected an object" },
    { mistake: "the openid strategy", raw: { ...DEV, kiali: { authStrategy: "openid" } }, first: 'kiali.authStrategy: got "openid"; allowed: anonymous, token, header' },
    {
        mistake: "anonymous Kiali outside dev",
        raw: { ...PROD, kiali: { ...(PROD.kiali as object), authStrategy: "anonymous" } },
        first: 'kiali.authStrategy: got "anonymous"; anonymous access is only allowed when environment is dev; use token or header',
    },
    { mistake: "token login without signing key", raw: { ...DEV, kiali: { authStrategy: "token" } }, first: `kiali.signingKey: got nothing; ${SIGNING_KEY}` },
    {
        mistake: "a short signing key",
        raw: { ...DEV, kiali: { authStrategy: "token", signingKey: "short" } },
        first: 'kiali.signingKey: got "<secret of 5 characters>"; expected 16, 24 or 32 characters (an AES key)',
    },
    {
        mistake: "a Prometheus URL without scheme",
        raw: { ...DEV, kiali: { authStrategy: "anonymous", prometheusUrl: "prometheus:9090" } },
        first: 'kiali.prometheusUrl: got "prometheus:9090"; expected an http:// or https:// URL',
    },
    { mistake: "a word for tracingUseGrpc", raw: { ...DEV, kiali: { authStrategy: "anonymous", tracingUseGrpc: "grpc" } }, first: 'kiali.tracingUseGrpc: got "grpc"; expected true or false' },
    {
        mistake: "a Kiali 1.x key",
        raw: { ...DEV, kiali: { authStrategy: "anonymous", url: "http://kiali" } },
        first: 'kiali.url: got "http://kiali"; unknown key; allowed keys of kiali: authStrategy, signingKey, prometheusUrl, grafanaUrl, grafanaExternalUrl, tracingUseGrpc, tracingExternalUrl',
    },
    {
        mistake: "Grafana without its browser URL",
        raw: { ...DEV, kiali: { authStrategy: "anonymous", grafanaUrl: "http://grafana.monitoring.svc:3000" } },
        first: 'kiali.grafanaExternalUrl: got nothing; required when grafanaUrl is set: Kiali links to Grafana dashboards only through external_url (without it Kiali reports "grafana URL is not set" and shows no links)',
    },
    {
        mistake: "an exposed Jaeger UI without Kiali's link to it",
        raw: { ...DEV, ui: { jaegerHost: "jaeger.example.com" } },
        first: "kiali.tracingExternalUrl: got nothing; required when ui.jaegerHost is set: Kiali's links to traces open external_url in the browser (e.g. https://jaeger.example.com)",
    },
];
