import * as assert from "assert";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, ConfigError, DEFAULT_JAEGER_RESOURCES, RawConfig, parseStackConfig } from "../config";
import { DEFAULT_CHARTS } from "../lib/charts";
import { deepFreeze, stackRawConfig } from "./stackFiles";

/** The SDK's formatter for uncaught program errors (`cmd/run/run.js` runs it on every one); internal, so untyped. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { defaultErrorMessage } = require("@pulumi/pulumi/cmd/run/error") as { defaultErrorMessage: (err: unknown) => string };

const DEV_MINIMAL: RawConfig = { environment: "dev", kiali: { authStrategy: "anonymous" } };

/** The problems a raw config is rejected with. */
function problems(raw: RawConfig): readonly string[] {
    try {
        parseStackConfig(deepFreeze(raw));
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
        return e.problems;
    }
    assert.fail("expected the config to be rejected");
}

describe("parseStackConfig", () => {
    it("applies the documented defaults to a minimal dev config", () => {
        const c = parseStackConfig(deepFreeze({ ...DEV_MINIMAL }));
        assert.deepStrictEqual(c.charts, DEFAULT_CHARTS);
        assert.strictEqual(c.samplingPercentage, 100);
        assert.strictEqual(c.tracingProvider, "zipkin");
        assert.strictEqual(c.gatewayServiceType, "ClusterIP");
        assert.strictEqual(c.awaitReadiness, true);
        assert.deepStrictEqual(c.jaeger, { storage: { type: "memory", maxTraces: 21504 }, replicas: 1, resources: DEFAULT_JAEGER_RESOURCES, image: { registry: undefined, repository: undefined, tag: undefined } });
        assert.deepStrictEqual(c.prometheus, { operator: false, monitorLabels: {} });
        assert.strictEqual(c.kiali.tracingUseGrpc, true);
        assert.strictEqual(c.kiali.prometheusUrl, "http://prometheus-operated.prometheus.svc.cluster.local:9090");
        assert.deepStrictEqual(c.networkPolicies, { mode: "complete", baselinePolicy: undefined, dnsNamespace: "kube-system", dnsPodLabels: { "k8s-app": "kube-dns" } });
        assert.strictEqual(c.extAuthz, undefined);
        assert.deepStrictEqual(c.appNamespaces, []);
    });

    it("takes the opentelemetry tracing provider, with the sampling percentage beside it", () => {
        const c = parseStackConfig(deepFreeze({ ...DEV_MINIMAL, tracing: { provider: "opentelemetry", samplingPercentage: 5 } }));
        assert.strictEqual(c.tracingProvider, "opentelemetry");
        assert.strictEqual(c.samplingPercentage, 5);
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, tracing: { provider: "otlp" } }), ['tracing.provider: got "otlp"; allowed: zipkin, opentelemetry']);
    });

    it("accepts the dev stack file with the reference versions", () => {
        const c = parseStackConfig(deepFreeze(stackRawConfig("dev")));
        assert.deepStrictEqual(
            Object.fromEntries(Object.entries(c.charts).map(([k, v]) => [k, v.version])),
            { istioBase: "1.24.2", istiod: "1.24.2", istioGateway: "1.24.2", jaeger: "3.4.1", kiali: "2.1.0" },
        );
        assert.strictEqual(c.kiali.authStrategy, "anonymous");
        assert.deepStrictEqual(c.appNamespaces, ["auth", "character", "chat", "scan", "location", "image"]);
        assert.deepStrictEqual(c.extAuthz, { protocol: "grpc", service: "ext-authz.auth.svc.cluster.local", port: 9000, timeout: undefined, failOpen: false });
        assert.deepStrictEqual(
            c.externalServices.map((s) => [s.name, s.hosts.length, s.port]),
            [
                ["google-oauth", 3, 443],
                ["kakao-oauth", 2, 443],
                ["openai-external", 1, 443],
            ],
        );
    });

    it("accepts the production stack file once the signing key is set, and asks for it before", () => {
        const raw = stackRawConfig("production");
        assert.deepStrictEqual(problems(raw), [
            "kiali.signingKey: got nothing; required for auth strategies other than anonymous: set it with `pulumi config set --secret kiali.signingKey <16, 24 or 32 characters>`",
        ]);
        const c = parseStackConfig({ ...raw, kiali: { ...(raw.kiali as object), signingKey: "0123456789abcdef0123456789abcdef" } });
        assert.strictEqual(c.environment, "production");
        assert.strictEqual(c.samplingPercentage, 1);
        assert.strictEqual(c.jaeger.storage.type, "elasticsearch");
        assert.strictEqual(c.charts.jaeger.version, "4.11.1");
    });

    it("gives the production stack file's Elasticsearch the dependencies job, the index cleaner and the CA, and the operator's monitors", () => {
        const raw = stackRawConfig("production");
        const c = parseStackConfig({ ...raw, kiali: { ...(raw.kiali as object), signingKey: "0123456789abcdef0123456789abcdef" } });
        assert.ok(c.jaeger.storage.type === "elasticsearch");
        assert.deepStrictEqual(c.jaeger.storage.dependencies, { enabled: true, schedule: "49 23 * * *", image: { registry: undefined, repository: undefined, tag: undefined } });
        assert.deepStrictEqual(c.jaeger.storage.indexCleaner, { enabled: true, retentionDays: 7, schedule: "55 23 * * *" });
        assert.deepStrictEqual(c.jaeger.storage.rollover, { enabled: false, schedule: "10 0 * * *", maxAge: "1d" });
        assert.deepStrictEqual(c.jaeger.storage.tls, { caSecret: { name: "elasticsearch-ca", key: "ca.crt" }, insecureSkipVerify: false });
        assert.deepStrictEqual(c.prometheus, { operator: true, monitorLabels: {} });
        assert.strictEqual(c.kiali.grafanaExternalUrl, "https://grafana.example.com");
    });

    it("applies the Elasticsearch defaults: dependencies job and index cleaner on, rollover off, certificates verified", () => {
        const c = parseStackConfig({ ...DEV_MINIMAL, jaeger: { storage: { type: "elasticsearch", url: "https://es:9200", username: "jaeger", passwordSecret: { name: "es", key: "password" } } } });
        assert.ok(c.jaeger.storage.type === "elasticsearch");
        assert.deepStrictEqual(
            [c.jaeger.storage.dependencies.enabled, c.jaeger.storage.indexCleaner.enabled, c.jaeger.storage.indexCleaner.retentionDays, c.jaeger.storage.rollover.enabled, c.jaeger.storage.tls],
            [true, true, 7, false, { caSecret: undefined, insecureSkipVerify: false }],
        );
        assert.strictEqual((c.jaeger.storage as { maxTraces?: number }).maxTraces, undefined);
    });

    it("sizes the default memory bound to the memory limit and the Jaeger line, and keeps one that is set", () => {
        const bound = (jaeger: object) => (parseStackConfig({ ...DEV_MINIMAL, jaeger }).jaeger.storage as { maxTraces: number }).maxTraces;
        assert.strictEqual(bound({}), 21504);
        assert.strictEqual(bound({ resources: { limits: { memory: "2Gi" } } }), 95232);
        assert.strictEqual(bound({ resources: { limits: { memory: "1G" } } }), 42704);
        const v1 = parseStackConfig({ ...DEV_MINIMAL, charts: { jaeger: { version: "3.4.1" } } }).jaeger.storage as { maxTraces: number };
        assert.strictEqual(v1.maxTraces, 10752);
        assert.strictEqual(bound({ storage: { maxTraces: "2500" } }), 2500);
    });

    it("keeps a URL path on jaeger 4.x without the dependencies job", () => {
        const c = parseStackConfig({
            ...DEV_MINIMAL,
            jaeger: { storage: { type: "elasticsearch", url: "https://es.example.com/elastic", username: "jaeger", passwordSecret: { name: "es", key: "password" }, dependencies: { enabled: false } } },
        });
        assert.ok(c.jaeger.storage.type === "elasticsearch" && c.jaeger.storage.url === "https://es.example.com/elastic");
    });

    it("accepts the dev stack file's Grafana and Jaeger browser URLs and the operator's monitors", () => {
        const c = parseStackConfig(deepFreeze(stackRawConfig("dev")));
        assert.deepStrictEqual([c.kiali.grafanaExternalUrl, c.kiali.tracingExternalUrl], ["https://grafana.dev.growbin.app", "https://jaeger.dev.growbin.app"]);
        assert.strictEqual(c.prometheus.operator, true);
        assert.deepStrictEqual(c.jaeger.storage, { type: "memory", maxTraces: 10752 });
    });

    it("accepts the local stack file: mirror repos, current versions, nothing awaited", () => {
        const c = parseStackConfig(deepFreeze(stackRawConfig("local")));
        assert.strictEqual(c.awaitReadiness, false);
        assert.deepStrictEqual(
            Object.values(c.charts).map((s) => `${s.repo} ${s.chart}@${s.version}`),
            ["http://127.0.0.1:8879 base@1.30.3", "http://127.0.0.1:8879 istiod@1.30.3", "http://127.0.0.1:8879 gateway@1.30.3", "http://127.0.0.1:8879 jaeger@4.11.1", "http://127.0.0.1:8879 kiali-server@2.29.0"],
        );
        assert.strictEqual(c.gatewayServiceType, "ClusterIP");
    });

    it("rejects sampling outside 0-100", () => {
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, tracing: { samplingPercentage: 150 } }), ["tracing.samplingPercentage: got 150; expected a number from 0 to 100"]);
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, tracing: { samplingPercentage: -1 } }), ["tracing.samplingPercentage: got -1; expected a number from 0 to 100"]);
    });

    it("rejects an unknown storage type", () => {
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, jaeger: { storage: { type: "cassandra" } } }), ['jaeger.storage.type: got "cassandra"; allowed: memory, elasticsearch']);
    });

    it("rejects elasticsearch storage without its connection details", () => {
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, jaeger: { storage: { type: "elasticsearch" } } }), [
            "jaeger.storage.url: got nothing; required: the URL of an existing Elasticsearch cluster",
            "jaeger.storage.username: got nothing; required: the Elasticsearch user name",
            "jaeger.storage.passwordSecret.name: got nothing; required: the name of a Secret in istio-system holding the password",
            "jaeger.storage.passwordSecret.key: got nothing; required: the key of the password in that Secret",
        ]);
    });

    it("rejects in-memory storage with more than one replica", () => {
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, jaeger: { replicas: 2 } }), [
            "jaeger.replicas: got 2; in-memory storage needs exactly 1 replica (each replica would hold a part of the traces)",
        ]);
    });

    it("rejects a ServiceEntry without hosts", () => {
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, externalServices: [{ name: "openai-external", hosts: [] }] }), [
            "externalServices[0].hosts: got []; a ServiceEntry needs at least one host name",
        ]);
    });

    it("rejects a port outside 1-65535", () => {
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, externalServices: [{ name: "openai-external", hosts: ["api.openai.com"], port: 70000 }] }), [
            "externalServices[0].port: got 70000; expected an integer from 1 to 65535",
        ]);
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, extAuthz: { protocol: "grpc", service: "authz.auth.svc.cluster.local", port: 0 } }), [
            "extAuthz.port: got 0; expected an integer from 1 to 65535",
        ]);
    });

    it("rejects a gRPC ext-authz provider with a header list", () => {
        assert.deepStrictEqual(
            problems({
                ...DEV_MINIMAL,
                extAuthz: { protocol: "grpc", service: "authz.auth.svc.cluster.local", port: 9000, includeHeadersInCheck: ["authorization", "x-b3-traceid"] },
            }),
            [
                'extAuthz.includeHeadersInCheck: got ["authorization","x-b3-traceid"]; not a field of the gRPC ext-authz provider (gRPC ext_authz already sends every request header); remove it',
            ],
        );
        assert.deepStrictEqual(
            problems({ ...DEV_MINIMAL, extAuthz: { protocol: "grpc", service: "authz.auth.svc.cluster.local", port: 9000, includeRequestHeadersInCheck: ["authorization"] } }),
            [
                'extAuthz.includeRequestHeadersInCheck: got ["authorization"]; not a field of the gRPC ext-authz provider (gRPC ext_authz already sends every request header); remove it or use protocol http',
            ],
        );
    });

    it("gives an HTTP ext-authz provider the B3 headers by default", () => {
        const c = parseStackConfig({ ...DEV_MINIMAL, extAuthz: { protocol: "http", service: "authz.auth.svc.cluster.local", port: 8000 } });
        assert.deepStrictEqual(c.extAuthz, {
            protocol: "http",
            service: "authz.auth.svc.cluster.local",
            port: 8000,
            timeout: undefined,
            failOpen: false,
            pathPrefix: undefined,
            includeRequestHeadersInCheck: ["authorization", "x-request-id", "x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid", "x-b3-sampled"],
            headersToUpstreamOnAllow: [],
        });
    });

    it("rejects a chart version that is a range or empty", () => {
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, charts: { jaeger: { version: "^4.0.0" } } }), [
            'charts.jaeger.version: got "^4.0.0"; expected an exact chart version such as 1.30.3 (no range, no empty value)',
        ]);
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, charts: { kiali: { version: "" } } }), [
            'charts.kiali.version: got ""; expected an exact chart version such as 1.30.3 (no range, no empty value)',
        ]);
    });

    it("rejects Istio charts of different versions", () => {
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, charts: { istiod: { version: "1.24.2" } } }), [
            'charts.istioBase/istiod/istioGateway.version: got ["1.30.3","1.24.2","1.30.3"]; the three Istio charts must share one version',
        ]);
    });

    it("rejects a chart repository that is not an http(s) URL", () => {
        assert.strictEqual(parseStackConfig({ ...DEV_MINIMAL, charts: { istiod: { repo: "oci://registry.example.com/istio" } } }).charts.istiod.repo, "oci://registry.example.com/istio");
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, charts: { istiod: { repo: "oci//bad" } } }), ['charts.istiod.repo: got "oci//bad"; expected an http:// or https:// Helm repository URL, or an oci:// registry']);
    });

    it("rejects an app namespace that is not a DNS label", () => {
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, appNamespaces: ["auth", "Chat_API"] }), [
            'appNamespaces[1]: got "Chat_API"; expected a DNS label (lower-case letters, digits and \'-\', at most 63 characters)',
        ]);
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, appNamespaces: ["istio-system"] }), ['appNamespaces[0]: got "istio-system"; system namespaces cannot be app namespaces']);
    });

    it("rejects unknown keys and names the allowed ones", () => {
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, samplingRate: 5 }), [
            "samplingRate: got 5; unknown key; allowed keys: environment, awaitReadiness, charts, gateway, tracing, extAuthz, jaeger, kiali, prometheus, externalServices, appNamespaces, createAppNamespaces, networkPolicies, ui",
        ]);
    });

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

    it("rejects an unknown gateway Service type and an unknown environment", () => {
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, gateway: { serviceType: "ExternalName" } }), ['gateway.serviceType: got "ExternalName"; allowed: ClusterIP, NodePort, LoadBalancer']);
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, environment: "staging" }).slice(0, 1), ['environment: got "staging"; allowed: dev, production']);
    });

    it("requires the baseline policy name in baseline mode", () => {
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, networkPolicies: { mode: "baseline" } }), [
            "networkPolicies.baselinePolicy: got nothing; required when mode is baseline: the name of the existing NetworkPolicy in every app namespace that allows DNS and istiod egress",
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

    it("rejects null like any other wrong value, at the top level, nested and in lists", () => {
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, tracing: { samplingPercentage: null } }), ["tracing.samplingPercentage: got null; expected a number from 0 to 100"]);
        assert.deepStrictEqual(problems({ environment: "dev", kiali: null }), ["kiali: got null; expected an object"]);
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, awaitReadiness: null }), ["awaitReadiness: got null; expected true or false"]);
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, gateway: { serviceType: null } }), ["gateway.serviceType: got null; allowed: ClusterIP, NodePort, LoadBalancer"]);
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, extAuthz: null }), ["extAuthz: got null; expected an object"]);
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, charts: { istiod: { repo: null } } }), ["charts.istiod.repo: got null; expected a non-empty string"]);
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, appNamespaces: ["auth", null] }), ["appNamespaces[1]: got null; expected a non-empty string"]);
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, externalServices: [{ name: "openai-external", hosts: ["api.openai.com"], port: null }] }), [
            "externalServices[0].port: got null; expected an integer from 1 to 65535",
        ]);
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, networkPolicies: { dnsNamespace: null } }), ["networkPolicies.dnsNamespace: got null; expected a non-empty string"]);
    });

    it("keeps the messages that already named a null required value", () => {
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, extAuthz: { service: "authz.auth.svc.cluster.local", port: null } }), ["extAuthz.port: got null; required: a port from 1 to 65535"]);
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, externalServices: [{ name: "openai-external", hosts: null }] }), [
            "externalServices[0].hosts: got null; a ServiceEntry needs at least one host name",
        ]);
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, jaeger: { storage: { type: "elasticsearch", url: null, username: "jaeger", passwordSecret: { name: "es", key: "password" } } } }), [
            "jaeger.storage.url: got null; required: the URL of an existing Elasticsearch cluster",
        ]);
    });

    it("rejects wrong types in nested objects and lists, each at its key", () => {
        assert.deepStrictEqual(
            problems({
                ...DEV_MINIMAL,
                charts: { jaeger: "4.11.1" },
                jaeger: { storage: "memory", resources: { limits: ["500m"] }, image: { tag: 2 } },
                externalServices: [{ name: "api", hosts: "api.example.com", port: true }],
                networkPolicies: { dnsPodLabels: ["k8s-app=kube-dns"] },
                ui: { authAnnotations: { "nginx.ingress.kubernetes.io/auth-url": 1 } },
            }),
            [
                'charts.jaeger: got "4.11.1"; expected an object',
                'jaeger.storage: got "memory"; expected an object',
                'jaeger.resources.limits: got ["500m"]; expected an object',
                "jaeger.image.tag: got 2; expected a non-empty string",
                'externalServices[0].hosts: got "api.example.com"; expected a list',
                "externalServices[0].port: got true; expected an integer from 1 to 65535",
                'networkPolicies.dnsPodLabels: got ["k8s-app=kube-dns"]; expected a map of string to string',
                'ui.authAnnotations: got {"nginx.ingress.kubernetes.io/auth-url":1}; expected a map of string to string',
            ],
        );
    });

    it("rejects unknown keys at every level, each with the allowed keys of its object", () => {
        assert.deepStrictEqual(
            problems({
                ...DEV_MINIMAL,
                charts: { kiali: { version: "2.29.0", values: {} } },
                jaeger: { storage: { type: "elasticsearch", url: "https://es:9200", username: "jaeger", passwordSecret: { name: "es", key: "password", optional: true }, index: "mesh" } },
                externalServices: [{ name: "api", hosts: ["api.example.com"], ports: [443] }],
            }),
            [
                "charts.kiali.values: got {}; unknown key; allowed keys of charts.kiali: repo, chart, version",
                "jaeger.storage.passwordSecret.optional: got true; unknown key; allowed keys of jaeger.storage.passwordSecret: name, key",
                'jaeger.storage.index: got "mesh"; unknown key; allowed keys of jaeger.storage: type, maxTraces, url, username, passwordSecret, indexPrefix, tls, dependencies, indexCleaner, rollover',
                "externalServices[0].ports: got [443]; unknown key; allowed keys of externalServices[0]: name, hosts, port",
            ],
        );
    });

    it("reports problems in schema order: keys in order, then unknown keys, then rules between keys", () => {
        assert.deepStrictEqual(
            problems({
                environment: "production",
                kiali: { authStrategy: "anonymous", typo: 1 },
                tracing: { samplingPercentage: 101 },
                awaitReadiness: "no",
                extra: true,
                ui: { ingressClassName: "" },
            }),
            [
                'awaitReadiness: got "no"; expected true or false',
                "tracing.samplingPercentage: got 101; expected a number from 0 to 100",
                "kiali.typo: got 1; unknown key; allowed keys of kiali: authStrategy, signingKey, prometheusUrl, grafanaUrl, grafanaExternalUrl, tracingUseGrpc, tracingExternalUrl",
                'ui.ingressClassName: got ""; expected a non-empty string',
                `extra: got true; unknown key; allowed keys: environment, awaitReadiness, charts, gateway, tracing, extAuthz, jaeger, kiali, prometheus, externalServices, appNamespaces, createAppNamespaces, networkPolicies, ui`,
                'kiali.authStrategy: got "anonymous"; anonymous access is only allowed when environment is dev; use token or header',
                'jaeger.storage.type: got "memory"; in-memory storage is only allowed when environment is dev; use elasticsearch',
            ],
        );
    });

    it("checks a rule between keys only when those keys are valid, and shows a value as written", () => {
        assert.deepStrictEqual(problems({ environment: "staging", kiali: { authStrategy: "anonymous" } }), ['environment: got "staging"; allowed: dev, production']);
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, kiali: { authStrategy: "openid" } }), ['kiali.authStrategy: got "openid"; allowed: anonymous, token, header']);
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, jaeger: { replicas: "2" } }), ['jaeger.replicas: got "2"; in-memory storage needs exactly 1 replica (each replica would hold a part of the traces)']);
    });

    it("reports every problem at once", () => {
        assert.strictEqual(problems({ ...DEV_MINIMAL, tracing: { samplingPercentage: 101 }, appNamespaces: ["A"], jaeger: { storage: { type: "x" } } }).length, 3);
    });

    it("formats the error message with one line per problem", () => {
        assert.throws(() => parseStackConfig({ ...DEV_MINIMAL, tracing: { samplingPercentage: 101 } }), {
            name: "ConfigError",
            message: "invalid stack configuration:\n  - tracing.samplingPercentage: got 101; expected a number from 0 to 100",
        });
    });
});

describe("ConfigError", () => {
    const error = (): ConfigError => {
        try {
            parseStackConfig({ ...DEV_MINIMAL, tracing: { samplingPercentage: 101 }, appNamespaces: ["A"] });
        } catch (e) {
            assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
            return e;
        }
        assert.fail("expected the config to be rejected");
    };

    it("is a pulumi.RunError, which the SDK's program runner reports by its message alone", () => {
        const e = error();
        assert.ok(e instanceof pulumi.RunError);
        assert.ok(pulumi.RunError.isInstance(e));
        assert.strictEqual(e.name, "ConfigError");
    });

    it("carries no stack frames, so the SDK's error formatter never walks them", () => {
        const e = error();
        assert.strictEqual(e.stack, `ConfigError: ${e.message}`);
        const formatted = defaultErrorMessage(e);
        assert.doesNotMatch(formatted, /^\s*at /m);
        assert.ok(formatted.includes("  - tracing.samplingPercentage: got 101; expected a number from 0 to 100\n"), formatted);
    });
});

describe("Pulumi.yaml config declarations", () => {
    it("declare no project key that a committed stack omits (the CLI would refuse that stack), and no default", () => {
        const project = yaml.load(fs.readFileSync(path.join(__dirname, "..", "Pulumi.yaml"), "utf8")) as { config?: Record<string, unknown> };
        const declared = Object.entries(project.config ?? {}).filter(([key]) => !key.includes(":") || key.startsWith(`${CONFIG_NAMESPACE}:`));
        for (const [key, declaration] of declared) {
            assert.ok(typeof declaration === "object" && declaration !== null, `${key}: a declaration`);
            assert.ok(!("default" in declaration) && !("value" in declaration), `${key}: config/ owns the defaults`);
            const name = key.replace(`${CONFIG_NAMESPACE}:`, "");
            for (const stack of ["dev", "production", "local"]) {
                assert.ok(name in stackRawConfig(stack), `Pulumi.${stack}.yaml omits ${key}, so the CLI would refuse the stack`);
            }
        }
        assert.ok("pulumi:tags" in (project.config ?? {}), "the file was read");
    });
});
