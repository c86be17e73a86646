/** Invalid configs: the exposed UIs (`ui.*`). */
import { Case, DEV, PROD } from "./shared";

export const UI_CASES: readonly Case[] = [
    // ui
    {
        mistake: "a host name that is not qualified for Kiali",
        raw: { ...DEV, ui: { kialiHost: "kiali" } },
        first: 'ui.kialiHost: got "kiali"; expected a fully qualified host name such as kiali.example.com',
    },
    {
        mistake: "a Jaeger UI outside dev without an authenticating proxy",
        raw: { ...PROD, ui: { jaegerHost: "jaeger.example.com" } },
        first: "ui.authAnnotations: got nothing; required outside dev when ui.jaegerHost is set: the Jaeger UI has no login of its own, so put an authenticating proxy in front of it",
    },
    { mistake: "an upper-case TLS Secret name", raw: { ...DEV, ui: { tlsSecretName: "TLS" } }, first: 'ui.tlsSecretName: got "TLS"; expected a Secret name' },
    { mistake: "a number as ingress class", raw: { ...DEV, ui: { ingressClassName: 5 } }, first: "ui.ingressClassName: got 5; expected a non-empty string" },
    { mistake: "annotations as one string", raw: { ...DEV, ui: { authAnnotations: "oauth2" } }, first: 'ui.authAnnotations: got "oauth2"; expected a map of string to string' },
    {
        mistake: "a Grafana UI host",
        raw: { ...DEV, ui: { grafanaHost: "grafana.example.com" } },
        first: 'ui.grafanaHost: got "grafana.example.com"; unknown key; allowed keys of ui: kialiHost, jaegerHost, ingressClassName, ingressControllerNamespace, tlsSecretName, authAnnotations, authProxyAnnotation',
    },
    { mistake: "a null ui", raw: { ...DEV, ui: null }, first: "ui: got null; expected an object" },
];
