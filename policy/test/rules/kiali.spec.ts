import * as assert from "assert";
import * as k8s from "@pulumi/kubernetes";
import * as k from "../../rules/kiali";
import { chart, helmRelease, kialiConfigMap, opaqueChart, releasesConfigMap } from "../fixtures";
import { UNKNOWN_STRING, stackViolationsOf, typed, violationsOf } from "../harness";

describe(k.KIALI_ANONYMOUS, () => {
    it("passes a Kiali that requires a token", async () => {
        assert.deepStrictEqual(await violationsOf(k.kialiMustNotAllowAnonymousAccess, kialiConfigMap()), []);
    });

    it("denies anonymous Kiali by default", async () => {
        assert.deepStrictEqual(await violationsOf(k.kialiMustNotAllowAnonymousAccess, kialiConfigMap({ auth: { strategy: "anonymous" } })), [
            "Kiali config istio-system/kiali must require a login; auth.strategy is anonymous, expected token or header (or openid with its client settings).",
        ]);
    });

    it("allows anonymous Kiali where the stack's policy config says so", async () => {
        assert.deepStrictEqual(await violationsOf(k.kialiMustNotAllowAnonymousAccess, kialiConfigMap({ auth: { strategy: "anonymous" } }), { allowAnonymous: true }), []);
    });
});

describe(k.KIALI_STALE_KEYS, () => {
    it("passes Kiali 2.x keys", async () => {
        assert.deepStrictEqual(await violationsOf(k.kialiConfigMustNotUseRemovedKeys, kialiConfigMap()), []);
    });

    it("reports the reference's accessible_namespaces, in_cluster_url and url", async () => {
        const stale = kialiConfigMap(
            {
                deployment: { accessible_namespaces: ["**"] },
                external_services: { tracing: { in_cluster_url: "http://jaeger-query.istio-system.svc.cluster.local:16686", url: "https://jaeger.dev.growbin.app" } },
            },
            "2.1.0",
        );
        assert.deepStrictEqual(await violationsOf(k.kialiConfigMustNotUseRemovedKeys, stale), [
            "Kiali config istio-system/kiali must not set deployment.accessible_namespaces (removed in Kiali 2.x and ignored); expected nothing (the kiali-server chart is cluster-wide; use discovery selectors).",
            "Kiali config istio-system/kiali must not set external_services.tracing.in_cluster_url (removed in Kiali 2.x and ignored); expected external_services.tracing.internal_url.",
            "Kiali config istio-system/kiali must not set external_services.tracing.url (removed in Kiali 2.x and ignored); expected external_services.tracing.external_url.",
        ]);
    });

    it("reports grafana's old url key", async () => {
        assert.deepStrictEqual(await violationsOf(k.kialiConfigMustNotUseRemovedKeys, kialiConfigMap({ external_services: { grafana: { url: "http://grafana" } } })), [
            "Kiali config istio-system/kiali must not set external_services.grafana.url (removed in Kiali 2.x and ignored); expected external_services.grafana.external_url.",
        ]);
    });
});

describe(k.KIALI_SIGNING_KEY, () => {
    it("passes a kiali-server chart with a fixed key or a secret reference", async () => {
        assert.deepStrictEqual(await stackViolationsOf(k.kialiSigningKeyMustBeSet, [chart("kiali-server", "2.1.0", { login_token: { signing_key: "0123456789abcdef" } })]), []);
        assert.deepStrictEqual(await stackViolationsOf(k.kialiSigningKeyMustBeSet, [chart("kiali-server", "2.29.0", { login_token: { signing_key: "secret:kiali-signing-key:signing-key" } })]), []);
    });

    it("denies a kiali-server chart without a signing key (random key on every render)", async () => {
        assert.deepStrictEqual(await stackViolationsOf(k.kialiSigningKeyMustBeSet, [chart("kiali-server", "2.29.0", { auth: { strategy: "token" } })]), [
            "Chart kiali-server 2.29.0 must set values.login_token.signing_key; expected a fixed key of 16, 24 or 32 characters or secret:<name>:<key>.",
        ]);
        assert.deepStrictEqual(await stackViolationsOf(k.kialiSigningKeyMustBeSet, [chart("kiali-server", "2.1.0", { login_token: { signing_key: "" } })]), [
            "Chart kiali-server 2.1.0 must set values.login_token.signing_key; expected a fixed key of 16, 24 or 32 characters or secret:<name>:<key>.",
        ]);
    });

    it("reads the signing key from the program's releases ConfigMap", async () => {
        assert.deepStrictEqual(
            await stackViolationsOf(k.kialiSigningKeyMustBeSet, [releasesConfigMap([{ chart: "kiali-server", version: "2.1.0", values: { login_token: { signing_key: "<redacted>" } } }])]),
            [],
        );
        assert.deepStrictEqual(await stackViolationsOf(k.kialiSigningKeyMustBeSet, [releasesConfigMap([{ chart: "kiali-server", version: "2.29.0", values: { auth: { strategy: "token" } } }])]), [
            "Chart kiali-server 2.29.0 must set values.login_token.signing_key; expected a fixed key of 16, 24 or 32 characters or secret:<name>:<key>.",
        ]);
    });

    it("reads a Helm v3 Release's inline values", async () => {
        assert.deepStrictEqual(
            await stackViolationsOf(k.kialiSigningKeyMustBeSet, [helmRelease("kiali-server", "2.29.0", { values: { login_token: { signing_key: "secret:kiali-signing-key:signing-key" } } })]),
            [],
        );
        assert.deepStrictEqual(await stackViolationsOf(k.kialiSigningKeyMustBeSet, [helmRelease("kiali-server", "2.29.0", { values: { auth: { strategy: "token" } } })]), [
            "Chart kiali-server 2.29.0 must set values.login_token.signing_key; expected a fixed key of 16, 24 or 32 characters or secret:<name>:<key>.",
        ]);
    });

    it("reports a Helm v3 Release whose values are in files, or unknown during preview, instead of passing", async () => {
        assert.deepStrictEqual(await stackViolationsOf(k.kialiSigningKeyMustBeSet, [helmRelease("kiali-server", "2.29.0", { valueYamlFiles: [{ path: "kiali-values.yaml" }] })]), [
            "Helm Release kiali-server must pass its values inline (values, not valueYamlFiles) for the pack to check the Kiali signing key of chart kiali-server; values in files are not visible to policy packs.",
        ]);
        assert.deepStrictEqual(await stackViolationsOf(k.kialiSigningKeyMustBeSet, [helmRelease("kiali-server", "2.29.0", { values: { login_token: { signing_key: UNKNOWN_STRING } } })]), [
            "Helm Release kiali-server must have values known at preview for the pack to check the Kiali signing key of chart kiali-server: string value at .values.login_token.signing_key can't be known during preview.",
        ]);
    });

    it("reports a Chart v4 resource without a releases record (it could be kiali-server)", async () => {
        assert.deepStrictEqual(await stackViolationsOf(k.kialiSigningKeyMustBeSet, [opaqueChart("observability-kiali-chart")]), [
            "Chart v4 resource observability-kiali-chart must be described by the releases record (ConfigMap observability-stack-charts, key charts.json) for the pack to check the Kiali signing key: Chart v4 inputs reach policy packs empty, and the stack has no such record.",
        ]);
    });

    it("ignores other charts", async () => {
        assert.deepStrictEqual(await stackViolationsOf(k.kialiSigningKeyMustBeSet, [chart("jaeger", "4.11.1")]), []);
    });
});

describe(k.KIALI_SIGNING_KEY_SECRET, () => {
    const MOUNT = "/kiali-override-secrets/login-token-signing-key";
    function kialiDeployment(volume: Record<string, unknown>, mountPath = MOUNT) {
        return typed(k8s.apps.v1.Deployment, {
            metadata: { name: "kiali", namespace: "istio-system" },
            spec: {
                selector: { matchLabels: { "app.kubernetes.io/name": "kiali" } },
                template: {
                    metadata: { labels: { "app.kubernetes.io/name": "kiali" } },
                    spec: {
                        containers: [{ name: "kiali", image: "quay.io/kiali/kiali:v2.1.0", volumeMounts: [{ name: "kiali-signing-key", mountPath }] }],
                        volumes: [{ name: "kiali-signing-key", ...volume }],
                    },
                },
            },
        });
    }
    const literal = kialiConfigMap({ login_token: { signing_key: "from-secret-file" } }, "2.1.0");
    const DENIED =
        "Kiali config istio-system/kiali must not hold login_token.signing_key as a literal (every ConfigMap is readable by Kiali's cluster-wide role); expected secret:<name>:<key> or a Secret mounted at /kiali-override-secrets/login-token-signing-key.";

    it("passes a secret: reference (kiali-server >= 2.21 mounts it)", async () => {
        assert.deepStrictEqual(await stackViolationsOf(k.kialiSigningKeyMustComeFromASecret, [kialiConfigMap({ login_token: { signing_key: "secret:kiali-signing-key:value.txt" } })]), []);
    });

    it("passes a placeholder that a Secret mounted at Kiali's override path replaces (kiali-server 2.1.0)", async () => {
        assert.deepStrictEqual(await stackViolationsOf(k.kialiSigningKeyMustComeFromASecret, [literal, kialiDeployment({ secret: { secretName: "kiali-signing-key" } })]), []);
    });

    it("denies a literal key with nothing mounted over it", async () => {
        assert.deepStrictEqual(await stackViolationsOf(k.kialiSigningKeyMustComeFromASecret, [literal]), [DENIED]);
    });

    it("denies a literal key when what is mounted there is no Secret, or is mounted elsewhere", async () => {
        assert.deepStrictEqual(await stackViolationsOf(k.kialiSigningKeyMustComeFromASecret, [literal, kialiDeployment({ configMap: { name: "kiali-key" } })]), [DENIED]);
        assert.deepStrictEqual(await stackViolationsOf(k.kialiSigningKeyMustComeFromASecret, [literal, kialiDeployment({ secret: { secretName: "kiali-signing-key" } }, "/kiali-secret")]), [DENIED]);
    });
});
