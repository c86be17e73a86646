/** Kiali's login and the exposed UIs (`kiali.*`, `ui.*`): what is allowed outside dev. */
import * as assert from "assert";
import { parseStackConfig } from "../config";
import { DEV_MINIMAL, problems } from "./configParsing";
import { stackRawConfig } from "./stackFiles";

describe("parseStackConfig", () => {
    it("rejects anonymous Kiali and in-memory Jaeger outside dev", () => {
        assert.deepStrictEqual(problems({ environment: "production", kiali: { authStrategy: "anonymous" } }), [
            'kiali.authStrategy: got "anonymous"; anonymous access is only allowed when environment is dev; use token or header',
            'jaeger.storage.type: got "memory"; in-memory storage is only allowed when environment is dev; use elasticsearch',
        ]);
    });

    it("rejects a signing key that is not an AES key length, without echoing it", () => {
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, kiali: { authStrategy: "token", signingKey: "short" } }), [
            'kiali.signingKey: got "<secret of 5 characters>"; expected 16, 24 or 32 characters (an AES key)',
        ]);
    });

    it("requires an authenticating proxy for the Jaeger UI outside dev", () => {
        const raw = { ...stackRawConfig("production"), kiali: { ...(stackRawConfig("production").kiali as object), signingKey: "0123456789abcdef" } };
        assert.deepStrictEqual(problems({ ...raw, ui: { jaegerHost: "jaeger.example.com" } }), [
            "ui.authAnnotations: got nothing; required outside dev when ui.jaegerHost is set: the Jaeger UI has no login of its own, so put an authenticating proxy in front of it",
            "ui.tlsSecretName: got nothing; required outside dev when a UI is exposed: the UIs must be served over HTTPS",
        ]);
        // An annotation that is not an authenticating proxy (the dev stack's ExternalDNS one) does not count.
        const externalDns = { "external-dns.alpha.kubernetes.io/hostname": "jaeger.example.com" };
        assert.deepStrictEqual(problems({ ...raw, ui: { jaegerHost: "jaeger.example.com", tlsSecretName: "tls", authAnnotations: externalDns } }), [
            'ui.authAnnotations: got {"external-dns.alpha.kubernetes.io/hostname":"jaeger.example.com"}; must name an authenticating proxy outside dev when ui.jaegerHost is set: expected nginx.ingress.kubernetes.io/auth-url or alb.ingress.kubernetes.io/auth-type or traefik.ingress.kubernetes.io/router.middlewares (or name your controller\'s annotation in ui.authProxyAnnotation)',
        ]);
        // Another controller's auth annotation counts once it is named.
        const named = { ui: { jaegerHost: "jaeger.example.com", tlsSecretName: "tls", authAnnotations: { ...externalDns, "konghq.com/plugins": "oidc" }, authProxyAnnotation: "konghq.com/plugins" } };
        assert.strictEqual(parseStackConfig({ ...raw, ...named }).ui.authAnnotations["konghq.com/plugins"], "oidc");
        assert.deepStrictEqual(problems({ ...raw, ui: { ...named.ui, authAnnotations: externalDns } }), [
            'ui.authAnnotations: got {"external-dns.alpha.kubernetes.io/hostname":"jaeger.example.com"}; must name an authenticating proxy outside dev when ui.jaegerHost is set: expected konghq.com/plugins',
        ]);
    });
});
