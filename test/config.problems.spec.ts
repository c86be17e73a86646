/**
 * How rejections read (config/problems.ts): one line per problem with the key, the value as written and what
 * is allowed, in schema order; and the ConfigError that carries them.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, parseStackConfig } from "../config";
import { DEV_MINIMAL, problems, rejection } from "./configParsing";

/** The SDK's formatter for uncaught program errors (`cmd/run/run.js` runs it on every one); internal, so untyped. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { defaultErrorMessage } = require("@pulumi/pulumi/cmd/run/error") as { defaultErrorMessage: (err: unknown) => string };

describe("parseStackConfig", () => {
    it("rejects unknown keys and names the allowed ones", () => {
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, samplingRate: 5 }), [
            "samplingRate: got 5; unknown key; allowed keys: environment, awaitReadiness, charts, gateway, mesh, tracing, extAuthz, jaeger, kiali, prometheus, externalServices, appNamespaces, createAppNamespaces, networkPolicies, ui",
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
                charts: { kiali: { version: "2.29.0", valuesFile: "values.yaml" } },
                jaeger: { storage: { type: "elasticsearch", url: "https://es:9200", username: "jaeger", passwordSecret: { name: "es", key: "password", optional: true }, index: "mesh" } },
                externalServices: [{ name: "api", hosts: ["api.example.com"], ports: [443] }],
            }),
            [
                'charts.kiali.valuesFile: got "values.yaml"; unknown key; allowed keys of charts.kiali: repo, chart, version, values',
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
                `extra: got true; unknown key; allowed keys: environment, awaitReadiness, charts, gateway, mesh, tracing, extAuthz, jaeger, kiali, prometheus, externalServices, appNamespaces, createAppNamespaces, networkPolicies, ui`,
                'kiali.authStrategy: got "anonymous"; anonymous access is only allowed when environment is dev; use token or header',
                'jaeger.storage.type: got "memory"; in-memory storage is only allowed when environment is dev; use elasticsearch',
            ],
        );
    });

    it("checks a rule between keys only when those keys are valid, and shows a value as written", () => {
        assert.deepStrictEqual(problems({ environment: "staging", kiali: { authStrategy: "anonymous" } }), ['environment: got "staging"; allowed: dev, production']);
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, kiali: { authStrategy: "openid" } }), ['kiali.authStrategy: got "openid"; allowed: anonymous, token, header']);
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, jaeger: { replicas: "2" } }), [
            'jaeger.replicas: got "2"; in-memory storage needs exactly 1 replica (each replica would hold a part of the traces)',
        ]);
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
    const error = (): ConfigError => rejection({ ...DEV_MINIMAL, tracing: { samplingPercentage: 101 }, appNamespaces: ["A"] });

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
