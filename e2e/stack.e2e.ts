/**
 * The real engine against a real API server: the Pulumi CLI and Kubernetes provider built from Go
 * modules, the policy pack, the upstream charts from the loopback mirror, for both version lines.
 * Needs `scripts/cluster.sh up` first (`npm run test:e2e` does it).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import * as yaml from "js-yaml";
import { COLLECTOR_SERVICE, JAEGER_EGRESS_PORTS, QUERY_SERVICE, RELEASES_CONFIGMAP, SYSTEM_NAMESPACE, TELEMETRY_NAME } from "../lib/constants";
import { main } from "../program";
import { EXPECTED_VIOLATIONS, registerBadResources } from "./badResources";
import { POLICY_PACK, WORK_DIR, exists, inlineStack, kubectl, kubectlJson, policyConfig } from "./harness";
import { TEST_SIGNING_KEY, VersionLine, productionConfig, versionLines } from "./lines";

const PASSPHRASE = "e2e-only-passphrase";
const root = path.join(WORK_DIR, "e2e");

interface Policy {
    readonly policy: string;
    readonly level: string;
    readonly message: string;
}

/** Runs a preview and returns its policy events; `ok` is false when the preview failed. */
async function previewWithPolicies(stack: Stack, kind: "dev" | "production"): Promise<{ ok: boolean; policies: Policy[]; error: string }> {
    const policies: Policy[] = [];
    const onEvent = (e: EngineEvent) => {
        if (e.policyEvent !== undefined) {
            policies.push({ policy: e.policyEvent.policyName, level: e.policyEvent.enforcementLevel, message: e.policyEvent.message });
        }
    };
    try {
        await stack.preview({ policyPacks: [POLICY_PACK], policyPackConfigs: [policyConfig(kind)], onEvent });
        return { ok: true, policies, error: "" };
    } catch (e) {
        return { ok: false, policies, error: String(e) };
    }
}

function changes(summary: { resourceChanges?: Record<string, number> }): Record<string, number> {
    return Object.fromEntries(Object.entries(summary.resourceChanges ?? {}).filter(([k]) => k !== "same"));
}

function freshStack(name: string, config: Record<string, unknown>, secretKeys: readonly string[] = [], program?: () => Promise<Record<string, unknown>>): Promise<Stack> {
    const dir = path.join(root, name);
    fs.rmSync(dir, { recursive: true, force: true });
    return inlineStack({ name, backendDir: path.join(dir, "state"), workDir: path.join(dir, "work"), passphrase: PASSPHRASE, config, secretKeys, program });
}

const VALIDATORS = { default: "istiod-default-validator", istiod: `istio-validator-${SYSTEM_NAMESPACE}` };
const FAKE_CA = Buffer.from("-----BEGIN CERTIFICATE-----\nZmFrZS1jYS1mb3ItdGVzdHM=\n-----END CERTIFICATE-----\n").toString("base64");

/** Patches a validating webhook the way istiod does at runtime: Fail + caBundle, under its own field manager. */
function patchLikeIstiod(name: string): void {
    const webhooks = kubectlJson(["get", "validatingwebhookconfiguration", name]).webhooks as unknown[];
    const ops = webhooks.flatMap((_, i) => [
        { op: "replace", path: `/webhooks/${i}/failurePolicy`, value: "Fail" },
        { op: "add", path: `/webhooks/${i}/clientConfig/caBundle`, value: FAKE_CA },
    ]);
    kubectl(["patch", "validatingwebhookconfiguration", name, "--type=json", "--field-manager=pilot-discovery", `-p=${JSON.stringify(ops)}`]);
}

function restoreWithoutIstiod(name: string): void {
    const webhooks = kubectlJson(["get", "validatingwebhookconfiguration", name]).webhooks as unknown[];
    const ops = webhooks.flatMap((_, i) => [
        { op: "replace", path: `/webhooks/${i}/failurePolicy`, value: "Ignore" },
        { op: "remove", path: `/webhooks/${i}/clientConfig/caBundle` },
    ]);
    kubectl(["patch", "validatingwebhookconfiguration", name, "--type=json", "--field-manager=pilot-discovery", `-p=${JSON.stringify(ops)}`]);
}

function webhookState(name: string): { failurePolicy: string; caBundle: string }[] {
    return (kubectlJson(["get", "validatingwebhookconfiguration", name]).webhooks as any[]).map((w) => ({ failurePolicy: w.failurePolicy, caBundle: w.clientConfig.caBundle ?? "" }));
}

for (const line of versionLines()) {
    describe(`real engine, ${line.name} line (Istio ${line.istioVersion}, jaeger ${line.jaegerVersion}, kiali-server ${line.kialiVersion})`, function () {
        this.timeout(600_000);
        let stack: Stack;

        before(async () => {
            stack = await freshStack(`e2e-${line.name}`, line.config, line.secretKeys);
        });

        it("previews the good config under the policy pack with no mandatory violation", async () => {
            const r = await previewWithPolicies(stack, "dev");
            assert.ok(r.ok, r.error);
            assert.deepStrictEqual(r.policies.filter((p) => p.level === "mandatory"), []);
            const advisories = r.policies.map((p) => `${p.policy}: ${p.message.trim()}`).sort();
            if (line.name === "reference") {
                // End-of-life lines are reported (advisory in dev), never silently accepted.
                assert.ok(advisories.some((a) => a.includes("Chart jaeger 3.4.1 must not be used: it runs Jaeger v1, end of life 2025-12-31")), advisories.join("\n"));
                assert.ok(advisories.some((a) => a.includes("Chart istiod 1.24.2 must not be used: Istio 1.24 is past its end of life (2025-06-24)")), advisories.join("\n"));
            } else {
                assert.deepStrictEqual(advisories, []);
            }
        });

        it("runs pulumi up and the API server holds what SPEC says", async () => {
            const up = await stack.up();
            assert.strictEqual(up.summary.result, "succeeded");
            assert.ok((up.summary.resourceChanges?.create ?? 0) > 60, JSON.stringify(up.summary.resourceChanges));

            const collector = kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "service", COLLECTOR_SERVICE.name]);
            assert.strictEqual(collector.spec.type, "ClusterIP");
            assert.notStrictEqual(collector.spec.clusterIP, "None");
            assert.deepStrictEqual(
                collector.spec.ports.map((p: any) => `${p.name}/${p.port}/${p.protocol}`),
                COLLECTOR_SERVICE.ports.map((p) => `${p.name}/${p.port}/${p.protocol}`),
            );
            const query = kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "service", QUERY_SERVICE.name]);
            assert.deepStrictEqual(query.spec.ports.map((p: any) => p.port), [16686, 16685]);
            // The selector matches the pod template the chart line renders.
            const jaegerDeploy = kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "deployment", "jaeger"]);
            for (const [k, v] of Object.entries(collector.spec.selector)) {
                assert.strictEqual(jaegerDeploy.spec.template.metadata.labels[k], v, `pod label ${k}`);
            }
            assert.strictEqual(kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "service", "istio-ingressgateway"]).spec.type, "ClusterIP");

            const telemetry = kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "telemetries.telemetry.istio.io", TELEMETRY_NAME]);
            assert.deepStrictEqual(telemetry.spec, {
                tracing: [{ providers: [{ name: "jaeger" }], randomSamplingPercentage: 100 }],
                accessLogging: [{ providers: [{ name: "json-access-log" }] }],
            });
            const entries = kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "serviceentries.networking.istio.io"]).items;
            assert.deepStrictEqual(entries.map((e: any) => `${e.metadata.name}:${e.spec.resolution}:${e.spec.location}`).sort(), [
                "google-oauth:DNS:MESH_EXTERNAL",
                "kakao-oauth:DNS:MESH_EXTERNAL",
                "openai-external:DNS:MESH_EXTERNAL",
            ]);
            for (const ns of ["auth", "chat"]) {
                const policies = kubectlJson(["-n", ns, "get", "networkpolicies"]).items;
                assert.deepStrictEqual(policies.map((p: any) => p.metadata.name).sort(), [
                    "allow-app-namespaces-egress",
                    "allow-dns-egress",
                    "allow-external-services-egress",
                    "allow-istiod-egress",
                    "allow-jaeger-egress",
                ]);
                const jaeger = policies.find((p: any) => p.metadata.name === "allow-jaeger-egress");
                assert.deepStrictEqual(jaeger.spec.egress[0].ports.map((p: any) => p.port), [...JAEGER_EGRESS_PORTS]);
                assert.strictEqual(kubectlJson(["get", "namespace", ns]).metadata.labels["istio-injection"], "enabled");
            }
            const crds = kubectlJson(["get", "crd"]).items.map((c: any) => c.metadata.name);
            for (const crd of ["telemetries.telemetry.istio.io", "serviceentries.networking.istio.io", "envoyfilters.networking.istio.io"]) {
                assert.ok(crds.includes(crd), `CRD ${crd}`);
            }
            assert.ok(exists(["validatingwebhookconfiguration", VALIDATORS.default]));
            assert.ok(exists(["validatingwebhookconfiguration", VALIDATORS.istiod]));
            assert.ok(exists(["mutatingwebhookconfiguration", "istio-sidecar-injector"]));

            const mesh = yaml.load(kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "configmap", "istio"]).data.mesh) as any;
            assert.deepStrictEqual(mesh.defaultProviders.tracing, ["jaeger"]);
            assert.deepStrictEqual(mesh.extensionProviders[0], { name: "jaeger", zipkin: { service: "jaeger-collector-clusterip.istio-system.svc.cluster.local", port: 9411 } });
            assert.strictEqual(mesh.defaultConfig.tracing, undefined);

            const kiali = yaml.load(kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "configmap", "kiali"]).data["config.yaml"]) as any;
            assert.strictEqual(kiali.external_services.tracing.internal_url, line.name === "reference" ? "http://jaeger-query-clusterip.istio-system.svc.cluster.local:16686" : "http://jaeger-query-clusterip.istio-system.svc.cluster.local:16685");
            assert.strictEqual(kiali.external_services.tracing.in_cluster_url, undefined);
            assert.strictEqual(kiali.external_services.prometheus.url, "http://prometheus-operated.prometheus.svc.cluster.local:9090");
            assert.strictEqual(kiali.deployment.accessible_namespaces, undefined);
            if (line.name === "current") {
                assert.strictEqual(kiali.login_token.signing_key, "secret:kiali-signing-key:signing-key");
                const secret = kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "secret", "kiali-signing-key"]);
                assert.strictEqual(Buffer.from(secret.data["signing-key"], "base64").toString(), TEST_SIGNING_KEY);
                assert.strictEqual(kiali.auth.strategy, "token");
            } else {
                assert.match(kiali.login_token.signing_key, /^[0-9a-f]{32}$/);
                assert.ok(!exists(["-n", SYSTEM_NAMESPACE, "statefulset", "jaeger-cassandra"]), "no Cassandra");
                assert.ok(!exists(["-n", SYSTEM_NAMESPACE, "daemonset", "jaeger-agent"]), "no agent DaemonSet");
            }
            const releases = JSON.parse(kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "configmap", RELEASES_CONFIGMAP.name]).data[RELEASES_CONFIGMAP.key]);
            assert.deepStrictEqual(
                releases.map((r: any) => r.version),
                [line.istioVersion, line.istioVersion, line.istioVersion, line.jaegerVersion, line.kialiVersion],
            );
        });

        it("changes nothing on a second pulumi up", async () => {
            const up = await stack.up();
            assert.deepStrictEqual(changes(up.summary), {});
        });

        it("neither reverts nor conflicts with the webhook fields istiod patches at runtime", async () => {
            patchLikeIstiod(VALIDATORS.default);
            patchLikeIstiod(VALIDATORS.istiod);
            try {
                await upKeepsIstiodPatches();
            } finally {
                // No istiod runs here (no nodes), so with failurePolicy Fail every later write to an Istio resource,
                // including the garbage collector removing its foregroundDeletion finalizer on destroy, would be
                // refused. A live istiod answers those calls; here its patch is undone by the same field manager.
                restoreWithoutIstiod(VALIDATORS.default);
                restoreWithoutIstiod(VALIDATORS.istiod);
            }
        });

        async function upKeepsIstiodPatches(): Promise<void> {
            const patched = { default: webhookState(VALIDATORS.default), istiod: webhookState(VALIDATORS.istiod) };
            assert.ok(patched.default.every((w) => w.failurePolicy === "Fail" && w.caBundle === FAKE_CA));
            // With refresh the drift is read into the state: without ignoreChanges this up would revert it (or conflict).
            const up = await stack.up({ refresh: true });
            assert.strictEqual(up.summary.result, "succeeded");
            assert.deepStrictEqual(changes(up.summary), {});
            assert.deepStrictEqual({ default: webhookState(VALIDATORS.default), istiod: webhookState(VALIDATORS.istiod) }, patched);
            const again = await stack.up();
            assert.deepStrictEqual(changes(again.summary), {});
        }

        it("leaves nothing behind on destroy but the Istio CRDs it retains on purpose", async () => {
            await stack.destroy();
            assert.ok(!exists(["namespace", SYSTEM_NAMESPACE]) || kubectlJson(["get", "namespace", SYSTEM_NAMESPACE]).status.phase === "Terminating");
            for (const ns of ["auth", "chat"]) {
                assert.ok(!exists(["namespace", ns]) || kubectlJson(["get", "namespace", ns]).status.phase === "Terminating", ns);
            }
            assert.ok(!exists(["validatingwebhookconfiguration", VALIDATORS.default]));
            assert.ok(!exists(["mutatingwebhookconfiguration", "istio-sidecar-injector"]));
            assert.ok(!exists(["clusterrole", `istiod-clusterrole-${SYSTEM_NAMESPACE}`]));
            assert.ok(!exists(["clusterrole", "kiali"]));
            assert.ok(exists(["crd", "telemetries.telemetry.istio.io"]), "Istio CRDs are retained (README: Destroy)");
            const state = await stack.exportStack();
            assert.deepStrictEqual((state.deployment.resources ?? []).map((r: any) => r.type), []);
        });
    });
}

describe("real engine, production-shaped stack (Pulumi.production.yaml)", function () {
    this.timeout(600_000);
    let stack: Stack;

    before(async () => {
        // Production app namespaces already exist (createAppNamespaces is false there). A namespace an
        // earlier test destroyed may still be terminating: wait until it is gone, then create it.
        if (exists(["namespace", "auth"]) && kubectlJson(["get", "namespace", "auth"]).status.phase === "Terminating") {
            kubectl(["wait", "--for=delete", "namespace/auth", "--timeout=120s"]);
        }
        if (!exists(["namespace", "auth"])) {
            kubectl(["create", "namespace", "auth"]);
        }
        const { config, secretKeys } = productionConfig();
        stack = await freshStack("e2e-production", config, secretKeys);
    });

    after(async () => {
        await stack?.destroy();
        kubectl(["delete", "namespace", "auth", "--ignore-not-found", "--wait=false"]);
    });

    it("passes the production policy config with no violation at all", async () => {
        const r = await previewWithPolicies(stack, "production");
        assert.ok(r.ok, r.error);
        assert.deepStrictEqual(r.policies, []);
    });

    it("creates Elasticsearch-backed Jaeger v2, token Kiali, 1% sampling and UIs behind the auth proxy", async () => {
        const up = await stack.up();
        assert.strictEqual(up.summary.result, "succeeded");
        const userConfig = yaml.load(kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "configmap", "user-config"]).data["user-config.yaml"]) as any;
        assert.deepStrictEqual(userConfig.extensions.jaeger_storage.backends.primary_store.elasticsearch.server_urls, ["https://elasticsearch.logging.svc.cluster.local:9200"]);
        assert.strictEqual(userConfig.extensions.jaeger_storage.backends.primary_store.elasticsearch.auth.basic.password, "${env:ES_PASSWORD}");
        const container = kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "deployment", "jaeger"]).spec.template.spec.containers[0];
        assert.deepStrictEqual(container.args, ["--config", "/etc/jaeger/user-config.yaml"]);
        assert.deepStrictEqual(container.env.find((e: any) => e.name === "ES_PASSWORD").valueFrom.secretKeyRef, { name: "jaeger-elasticsearch", key: "password" });
        assert.strictEqual(kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "telemetries.telemetry.istio.io", TELEMETRY_NAME]).spec.tracing[0].randomSamplingPercentage, 1);
        const kiali = yaml.load(kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "configmap", "kiali"]).data["config.yaml"]) as any;
        assert.strictEqual(kiali.auth.strategy, "token");
        assert.strictEqual(kiali.login_token.signing_key, "secret:kiali-signing-key:signing-key");
        const ingresses = kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "ingresses"]).items;
        assert.deepStrictEqual(ingresses.map((i: any) => `${i.metadata.name} ${i.spec.rules[0].host} ${i.spec.tls[0].secretName}`).sort(), [
            "jaeger-ui jaeger.example.com observability-tls",
            "kiali-ui kiali.example.com observability-tls",
        ]);
        assert.ok(ingresses.every((i: any) => i.metadata.annotations["nginx.ingress.kubernetes.io/auth-url"] === "https://oauth2-proxy.example.com/oauth2/auth"));
        assert.strictEqual(kubectlJson(["get", "namespace", "auth"]).metadata.labels["istio-injection"], "enabled");
        const again = await stack.up();
        assert.deepStrictEqual(changes(again.summary), {});
    });
});

describe("real engine, guardrails", function () {
    this.timeout(600_000);

    it("denies the reference deployment's mistakes, each by its policy with its message", async () => {
        const current = versionLines().find((l) => l.name === "current") as VersionLine;
        const program = async () => {
            const outputs = await main();
            registerBadResources();
            return outputs;
        };
        const stack = await freshStack("e2e-guardrails", { ...current.config, kiali: { authStrategy: "anonymous" } }, [], program);
        const r = await previewWithPolicies(stack, "production");
        assert.ok(!r.ok, "the preview must fail on mandatory violations");
        const mandatory = r.policies.filter((p) => p.level === "mandatory");
        for (const expected of EXPECTED_VIOLATIONS) {
            const found = mandatory.filter((p) => p.policy === expected.policy);
            assert.ok(found.length > 0, `${expected.policy} reported nothing`);
            assert.ok(
                found.some((p) => p.message.includes(expected.message)),
                `${expected.policy} did not report:\n  ${expected.message}\nit reported:\n  ${found.map((p) => p.message).join("\n  ")}`,
            );
        }
        assert.strictEqual(new Set(mandatory.map((p) => p.policy)).size, EXPECTED_VIOLATIONS.length, "every policy of the pack fired");
    });

    it("rejects an invalid config before registering any resource, and the state stays empty", async () => {
        const current = versionLines().find((l) => l.name === "current") as VersionLine;
        const stack = await freshStack("e2e-invalid", { ...current.config, tracing: { samplingPercentage: 150 }, appNamespaces: ["Auth"] });
        await assert.rejects(stack.up(), (e: Error) => {
            assert.ok(e.message.includes("invalid stack configuration:"), e.message);
            assert.ok(e.message.includes("tracing.samplingPercentage: got 150; expected a number from 0 to 100"), e.message);
            assert.ok(e.message.includes(`appNamespaces[0]: got "Auth"; expected a DNS label`), e.message);
            return true;
        });
        const state = await stack.exportStack();
        assert.deepStrictEqual((state.deployment.resources ?? []).filter((r: any) => r.type !== "pulumi:pulumi:Stack").map((r: any) => r.urn), []);
        assert.ok(!exists(["namespace", SYSTEM_NAMESPACE]) || kubectlJson(["get", "namespace", SYSTEM_NAMESPACE]).status.phase === "Terminating");
    });
});
