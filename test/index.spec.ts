/**
 * The whole program (program.ts, which index.ts exports) with the dev stack's configuration, under mocks: what a
 * `pulumi preview --stack dev` would register, in which order, with which values.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { Registered, dependsOn, ofType, registered, resetRegistered, settle, valueOf } from "./mocks";
import { appTracingEnv } from "../lib/appTracing";
import { stackRawConfig } from "./stackFiles";

const CHART = "kubernetes:helm.sh/v4:Chart";
const RELEASE = "kubernetes:helm.sh/v3:Release";

function chart(name: string): Registered {
    const found = ofType(CHART).filter((r) => r.name === name);
    assert.strictEqual(found.length, 1, `chart ${name}`);
    return found[0];
}

type MainDeps = NonNullable<Parameters<typeof import("../program").main>[0]>;

/**
 * Runs the program on a stack file's raw config (`observability-stack:` keys) with the cluster reads mocked: the
 * namespaces absent unless `deps` says otherwise, the Istio CRDs as Chart v4 children; returns the stack outputs.
 */
async function runMain(raw: Record<string, unknown>, deps: Partial<MainDeps> = {}): Promise<Record<string, any>> {
    resetRegistered();
    pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(raw).map(([k, v]) => [`observability-stack:${k}`, typeof v === "string" ? v : JSON.stringify(v)])));
    const { main } = await import("../program");
    const outputs = await main({
        renderable: async (source) => ({ source }),
        observeNamespaces: async (names) => new Map(names.map((n) => [n, { exists: false }])),
        istioCrdLayout: async () => ({ kind: "chart", reason: "test" }),
        unownedCrds: async () => [],
        ...deps,
    });
    await settle();
    return outputs;
}
describe("main (dev stack)", () => {
    let outputs: Record<string, any>;
    before(async () => {
        resetRegistered();
        const config: Record<string, string> = {};
        for (const [k, v] of Object.entries(stackRawConfig("dev"))) {
            config[`observability-stack:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
        }
        pulumi.runtime.setAllConfig(config);
        const { main } = await import("../program");
        // The reference cluster: the app namespaces exist, istio-system does not yet.
        outputs = await main({
            renderable: async (source) => ({ source }),
            observeNamespaces: async (names) => new Map(names.map((n) => [n, n === "istio-system" ? { exists: false } : { exists: true, annotations: {} }])),
            // Base 1.24.2 cannot render its CRDs alone (lib/istioCrds.ts): they stay Chart v4 children.
            istioCrdLayout: async () => ({ kind: "chart", reason: "base 1.24.2" }),
            unownedCrds: async () => [],
        });
        await settle();
    });

    it("installs the five charts at the reference versions", () => {
        assert.deepStrictEqual(
            ofType(CHART)
                .map((c) => `${c.inputs.chart}@${c.inputs.version} as ${c.inputs.name}`)
                .sort(),
            ["base@1.24.2 as istio-base", "gateway@1.24.2 as istio-ingressgateway", "istiod@1.24.2 as istiod", "jaeger@3.4.1 as jaeger", "kiali-server@2.1.0 as kiali"],
        );
    });

    it("orders only where a cluster needs it: the namespace first, base -> istiod -> gateway, the CRDs before Istio resources, each namespace before its policies; Jaeger, Kiali and Istio side by side", () => {
        const ns = ["kubernetes:core/v1:Namespace", "observability-system-namespace"] as const;
        const jaeger = chart("observability-jaeger-chart");
        assert.ok(dependsOn(jaeger, ...ns));
        assert.ok(!jaeger.dependencies.some((d) => d.includes("observability-istio")), "Jaeger does not wait for Istio");
        const base = chart("observability-istio-base");
        assert.ok(dependsOn(base, ...ns), "base waits for the namespace");
        assert.ok(!base.dependencies.some((d) => d.includes("observability-jaeger")), "Istio does not wait for Jaeger: nothing flows from it");
        assert.ok(dependsOn(chart("observability-istio-istiod"), CHART, "observability-istio-base"), "istiod waits for the CRDs (base 1.24.2 renders them)");
        assert.ok(dependsOn(chart("observability-istio-gateway"), CHART, "observability-istio-istiod"), "istiod's injection webhook before the gateway's pods");
        const telemetry = ofType("kubernetes:telemetry.istio.io/v1:Telemetry")[0];
        assert.ok(dependsOn(telemetry, CHART, "observability-istio-base"), "Telemetry waits for the CRDs (base 1.24.2 renders them)");
        assert.ok(!dependsOn(telemetry, CHART, "observability-istio-istiod"), "Telemetry does not wait for istiod");
        const entries = ofType("kubernetes:networking.istio.io/v1:ServiceEntry");
        assert.ok(entries.length > 0);
        for (const se of entries) {
            assert.ok(dependsOn(se, CHART, "observability-istio-base") && !dependsOn(se, CHART, "observability-istio-istiod"), `${se.name} waits for the CRDs only`);
        }
        const kiali = chart("observability-kiali-chart");
        assert.ok(dependsOn(kiali, ...ns));
        assert.ok(!kiali.dependencies.some((d) => d.includes("observability-istio") || d.includes("observability-jaeger")), "Kiali waits for neither Istio nor Jaeger");
        const apps = ofType("kubernetes:core/v1:Namespace").filter((n) => n.name.startsWith("observability-ns-"));
        assert.deepStrictEqual(apps.map((p) => p.inputs.metadata.name).sort(), ["auth", "character", "chat", "image", "location", "scan"]);
        assert.ok(apps.every((p) => p.inputs.metadata.labels["istio-injection"] === "enabled"));
        assert.ok(
            apps.every((p) => !p.dependencies.some((d) => d.includes("observability-istio"))),
            "the injection label needs no istiod yet",
        );
        const policies = ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy");
        const systemPolicies = policies.filter((p) => p.inputs.metadata.namespace === "istio-system");
        assert.ok(systemPolicies.length > 0);
        for (const np of systemPolicies) {
            assert.ok(dependsOn(np, ...ns) && !dependsOn(np, CHART, "observability-jaeger-chart"), `${np.name} waits for its namespace, not for Jaeger`);
        }
        for (const np of policies.filter((p) => p.inputs.metadata.namespace !== "istio-system")) {
            assert.ok(dependsOn(np, "kubernetes:core/v1:Namespace", `observability-ns-${np.inputs.metadata.namespace}`), `${np.name} waits for its namespace`);
        }
    });

    it("creates istio-system (owned, deleted on destroy) and adopts the existing app namespaces (kept on destroy)", () => {
        const namespaces = ofType("kubernetes:core/v1:Namespace").map((n) => ({
            name: n.inputs.metadata.name,
            owner: n.inputs.metadata.annotations?.["observability-stack/created-by"],
            retainOnDelete: n.retainOnDelete,
        }));
        assert.deepStrictEqual(
            namespaces.sort((a, b) => a.name.localeCompare(b.name)),
            [
                ...["auth", "character", "chat", "image"].map((name) => ({ name, owner: undefined, retainOnDelete: true })),
                { name: "istio-system", owner: "observability-stack/unit", retainOnDelete: false },
                ...["location", "scan"].map((name) => ({ name, owner: undefined, retainOnDelete: true })),
            ],
        );
        assert.strictEqual(ofType("kubernetes:core/v1:NamespacePatch").length, 0);
    });

    it("creates the documented objects in the documented numbers", () => {
        const count = (t: string) => ofType(t).length;
        assert.deepStrictEqual(
            {
                services: count("kubernetes:core/v1:Service"),
                telemetry: count("kubernetes:telemetry.istio.io/v1:Telemetry"),
                serviceEntries: count("kubernetes:networking.istio.io/v1:ServiceEntry"),
                networkPolicies: count("kubernetes:networking.k8s.io/v1:NetworkPolicy"),
                ingresses: count("kubernetes:networking.k8s.io/v1:Ingress"),
                secrets: count("kubernetes:core/v1:Secret"),
                podMonitors: count("kubernetes:monitoring.coreos.com/v1:PodMonitor"),
                serviceMonitors: count("kubernetes:monitoring.coreos.com/v1:ServiceMonitor"),
                jobs: count("kubernetes:batch/v1:Job"),
            },
            { services: 2, telemetry: 1, serviceEntries: 3, networkPolicies: 6 * 5 + 3, ingresses: 2, secrets: 1, podMonitors: 1, serviceMonitors: 1, jobs: 0 },
        );
    });

    it("keeps the mesh's Prometheus metrics beside tracing, bounds Jaeger's memory store, and lets the operator's Prometheus find the mesh", async () => {
        assert.deepStrictEqual(chart("observability-istio-istiod").inputs.values.meshConfig.defaultProviders, { metrics: ["prometheus"], tracing: ["jaeger"] });
        assert.deepStrictEqual(chart("observability-jaeger-chart").inputs.values.storage.memory.extraEnv, [{ name: "MEMORY_MAX_TRACES", value: "10752" }]);
        assert.deepStrictEqual(outputs.prometheusMonitors, ["istio-system/envoy-stats-monitor", "istio-system/istio-component-monitor"]);
        const kiali = chart("observability-kiali-chart").inputs.values.external_services;
        assert.deepStrictEqual(
            [kiali.prometheus.url, kiali.grafana.external_url, kiali.tracing.external_url],
            ["http://prometheus-operated.prometheus.svc.cluster.local:9090", "https://grafana.dev.growbin.app", "https://jaeger.dev.growbin.app"],
        );
    });

    it("records every chart it asks Helm for in the releases ConfigMap, with the signing key redacted", () => {
        const cm = ofType("kubernetes:core/v1:ConfigMap").find((r) => r.inputs.metadata.name === "observability-stack-charts");
        assert.ok(cm !== undefined);
        assert.strictEqual(cm.inputs.metadata.namespace, "istio-system");
        const releases = JSON.parse(cm.inputs.data["charts.json"]) as { release: string; chart: string; version: string; repo: string; values: any }[];
        assert.deepStrictEqual(
            releases.map((r) => `${r.release}=${r.chart}@${r.version}`),
            ["istio-base=base@1.24.2", "istiod=istiod@1.24.2", "istio-ingressgateway=gateway@1.24.2", "jaeger=jaeger@3.4.1", "kiali=kiali-server@2.1.0"],
        );
        const kiali = releases[4];
        assert.deepStrictEqual(kiali.values.login_token, { signing_key: "<redacted>" });
        assert.deepStrictEqual(releases[3].values.provisionDataStore, { cassandra: false, elasticsearch: false, kafka: false });
        assert.ok(!cm.inputs.data["charts.json"].includes(chart("observability-kiali-chart").inputs.values.login_token.signing_key));
        // complete mode reads nothing from the cluster
        assert.deepStrictEqual(JSON.parse(cm.inputs.data["reads.json"]), []);
    });

    it("gives Kiali a fixed signing key (the same on every run), only through its Secret", async () => {
        const secret = ofType("kubernetes:core/v1:Secret").find((r) => r.inputs.metadata.name === "kiali-signing-key");
        assert.ok(secret !== undefined);
        const { anonymousSigningKey } = await import("../components/observabilityStack");
        const key = anonymousSigningKey("observability-stack", "unit");
        assert.match(key, /^[0-9a-f]{32}$/);
        assert.deepStrictEqual(secret.inputs.stringData, { "value.txt": key });
        assert.strictEqual(chart("observability-kiali-chart").inputs.values.login_token.signing_key, "from-secret-file");
        for (const r of registered.filter((x) => x !== secret)) {
            assert.ok(!JSON.stringify(r.inputs).includes(key), `${r.type} ${r.name} holds the key`);
        }
    });

    it("gives every chart inputs known at preview time (no secrets, no unknowns)", () => {
        for (const c of ofType(CHART)) {
            const text = JSON.stringify(c.inputs.values);
            assert.ok(!text.includes("4dabf18193072939515e22adb298388d"), `${c.name} values hold a secret`);
            assert.ok(!text.includes("04da6b54-80e4-46f7-96ec-b56ff0331ba9"), `${c.name} values hold an unknown`);
        }
    });

    it("exports the app tracing environment and the endpoints", async () => {
        // The literal values are asserted in lib.spec.ts; here: the output is that function's result.
        assert.deepStrictEqual(outputs.appTracingEnvironment, appTracingEnv("my-service"));
        assert.strictEqual(outputs.zipkinEndpoint, "http://jaeger-collector-clusterip.istio-system.svc.cluster.local:9411/api/v2/spans");
        assert.strictEqual(outputs.kialiTracingUrl, "http://jaeger-query-clusterip.istio-system.svc.cluster.local:16686");
        assert.strictEqual(outputs.jaegerChartLine, "v1");
        assert.strictEqual(outputs.otlpEndpoint, "http://jaeger-collector-clusterip.istio-system.svc.cluster.local:4317");
        assert.strictEqual(outputs.samplingPercentage, 100);
        assert.strictEqual(outputs.tracePropagation, "b3", "Istio 1.24: B3 only");
        assert.deepStrictEqual(outputs.uiUrls, { kiali: "http://kiali.dev.growbin.app", jaeger: "http://jaeger.dev.growbin.app" });
        assert.strictEqual((await valueOf<string[]>(outputs.networkPolicies)).length, 30);
        assert.ok(registered.length > 40);
    });
});

describe("main (local stack with tracing.provider opentelemetry)", () => {
    let outputs: Record<string, any>;
    before(async () => {
        outputs = await runMain({ ...stackRawConfig("local"), tracing: { samplingPercentage: 100, provider: "opentelemetry" } });
    });

    it("gives istiod an opentelemetry provider on the collector's OTLP gRPC port, selected for tracing", () => {
        const mesh = chart("observability-istio-istiod").inputs.values.meshConfig;
        assert.deepStrictEqual(mesh.extensionProviders[0], { name: "jaeger", opentelemetry: { service: "jaeger-collector-clusterip.istio-system.svc.cluster.local", port: 4317 } });
        assert.deepStrictEqual(mesh.defaultProviders, { metrics: ["prometheus"], tracing: ["jaeger"] });
        const telemetry = ofType("kubernetes:telemetry.istio.io/v1:Telemetry")[0];
        assert.deepStrictEqual(telemetry.inputs.spec.tracing, [{ providers: [{ name: "jaeger" }], randomSamplingPercentage: 100 }]);
    });

    it("exports an app tracing environment with W3C trace context propagation", async () => {
        const env = outputs.appTracingEnvironment as { name: string; value: string }[];
        assert.deepStrictEqual(env, appTracingEnv("my-service", undefined, "opentelemetry"));
        assert.strictEqual(env.find((e) => e.name === "OTEL_PROPAGATORS")?.value, "tracecontext,baggage");
        assert.strictEqual(outputs.tracingProvider, "opentelemetry");
        assert.strictEqual(outputs.tracePropagation, "w3c");
    });
});

describe("main (local stack: Istio 1.30.3, zipkin provider, propagation by default)", () => {
    let outputs: Record<string, any>;
    before(async () => {
        outputs = await runMain(stackRawConfig("local"));
    });

    it("gives istiod a zipkin provider that propagates B3 and W3C trace context", () => {
        const mesh = chart("observability-istio-istiod").inputs.values.meshConfig;
        assert.deepStrictEqual(mesh.extensionProviders[0], {
            name: "jaeger",
            zipkin: { service: "jaeger-collector-clusterip.istio-system.svc.cluster.local", port: 9411, traceContextOption: "USE_B3_WITH_W3C_PROPAGATION" },
        });
    });

    it("exports what the proxies propagate and an app tracing environment with W3C trace context only", () => {
        assert.strictEqual(outputs.tracePropagation, "b3+w3c");
        assert.deepStrictEqual(outputs.appTracingEnvironment, appTracingEnv("my-service", undefined, "b3+w3c"));
        assert.strictEqual((outputs.appTracingEnvironment as { name: string; value: string }[]).find((e) => e.name === "OTEL_PROPAGATORS")?.value, "tracecontext,baggage");
    });
});

describe("main (local stack, the base chart's CRDs as one Helm Release)", () => {
    const PATCH = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinitionPatch";
    before(async () => {
        await runMain(stackRawConfig("local"), {
            istioCrdLayout: async () => ({ kind: "release", names: ["gateways.networking.istio.io", "telemetries.telemetry.istio.io"] }),
            // The cluster holds one of them without the release's ownership (a stack created before this layout).
            unownedCrds: async (names) => names.filter((n) => n.startsWith("telemetries")).map((name) => ({ name, group: "telemetry.istio.io", kind: "Telemetry" })),
        });
    });

    it("installs the CRDs alone as Helm release istio-crds, without Helm's wait (the provider retries a custom resource until its CRD is served)", () => {
        const [release] = ofType(RELEASE);
        assert.deepStrictEqual(
            {
                name: release.name,
                chart: release.inputs.chart,
                version: release.inputs.version,
                release: release.inputs.name,
                namespace: release.inputs.namespace,
                skipAwait: release.inputs.skipAwait,
            },
            { name: "observability-istio-crds", chart: "base", version: "1.30.3", release: "istio-crds", namespace: "istio-system", skipAwait: true },
        );
        assert.strictEqual(release.inputs.repositoryOpts.repo, "http://127.0.0.1:8879");
        assert.deepStrictEqual(release.inputs.values, { defaultRevision: "", global: { resourceScope: "cluster" } });
        assert.strictEqual(ofType(RELEASE).length, 1);
        assert.strictEqual(release.retainOnDelete ?? false, false, "a destroy uninstalls it: Helm keeps the CRDs annotated helm.sh/resource-policy: keep");
    });

    it("renders the rest of base through Chart v4 without a CRD, after the release; istiod waits for the release, not for the rest of base", () => {
        const istiod = chart("observability-istio-istiod");
        assert.ok(dependsOn(istiod, RELEASE, "observability-istio-crds") && !dependsOn(istiod, CHART, "observability-istio-base"));
        const base = chart("observability-istio-base");
        assert.deepStrictEqual(base.inputs.values, { defaultRevision: "default", base: { excludedCRDs: ["gateways.networking.istio.io", "telemetries.telemetry.istio.io"] } });
        assert.ok(dependsOn(base, RELEASE, "observability-istio-crds"));
        const telemetry = ofType("kubernetes:telemetry.istio.io/v1:Telemetry")[0];
        assert.ok(dependsOn(telemetry, RELEASE, "observability-istio-crds"), "Telemetry waits for the CRD release");
        for (const se of ofType("kubernetes:networking.istio.io/v1:ServiceEntry")) {
            assert.ok(dependsOn(se, RELEASE, "observability-istio-crds"), `${se.name} waits for the CRD release`);
        }
    });

    it("gives a CRD the cluster holds without the release's ownership Helm's label and annotations first, under a field manager of its own, retained on delete", () => {
        const patches = ofType(PATCH);
        assert.deepStrictEqual(
            patches.map((p) => ({ name: p.name, spec: p.inputs.spec, metadata: p.inputs.metadata, retainOnDelete: p.retainOnDelete })),
            [
                {
                    name: "observability-istio-crd-ownership-telemetries.telemetry.istio.io",
                    // What the provider needs to register a CRD it applies, as the cluster holds it.
                    spec: { group: "telemetry.istio.io", names: { kind: "Telemetry" } },
                    metadata: {
                        name: "telemetries.telemetry.istio.io",
                        labels: { "app.kubernetes.io/managed-by": "Helm" },
                        annotations: {
                            "meta.helm.sh/release-name": "istio-crds",
                            "meta.helm.sh/release-namespace": "istio-system",
                            "pulumi.com/patchFieldManager": "observability-stack-crd-adoption",
                            "pulumi.com/patchForce": "true",
                        },
                    },
                    retainOnDelete: true,
                },
            ],
        );
        assert.ok(dependsOn(ofType(RELEASE)[0], PATCH, patches[0].name));
    });

    it("keeps Helm's record of the release in a ConfigMap (a preview's credentials read ConfigMaps, not Secrets)", () => {
        const [provider] = ofType("pulumi:providers:kubernetes");
        assert.deepStrictEqual(JSON.parse(provider.inputs.helmReleaseSettings as string), { driver: "configmap" });
    });
});

describe("main (local stack, mesh.dataPlane ambient)", () => {
    const AMBIENT = { ...stackRawConfig("local"), mesh: { dataPlane: "ambient" } };
    const GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway";
    let outputs: Record<string, any>;
    before(async () => {
        outputs = await runMain(AMBIENT, { missingGatewayApiCrds: async () => [] });
    });

    it("installs istiod with the ambient profile, then the cni agent and ztunnel of the same version, each after istiod only", () => {
        assert.strictEqual(chart("observability-istio-istiod").inputs.values.profile, "ambient");
        const cni = chart("observability-istio-cni");
        const ztunnel = chart("observability-istio-ztunnel");
        assert.deepStrictEqual(
            [cni, ztunnel].map((c) => [c.inputs.chart, c.inputs.version, c.inputs.name, c.inputs.namespace, c.inputs.values]),
            [
                ["cni", "1.30.3", "istio-cni", "istio-system", { profile: "ambient" }],
                ["ztunnel", "1.30.3", "ztunnel", "istio-system", { istioNamespace: "istio-system" }],
            ],
        );
        for (const c of [cni, ztunnel]) {
            assert.ok(dependsOn(c, CHART, "observability-istio-istiod"), `${c.name} waits for istiod`);
            assert.ok(!dependsOn(c, CHART, "observability-istio-gateway"), `${c.name} does not wait for the gateway`);
        }
    });

    it("enrols the app namespaces in ambient mode with their waypoint (ingress traffic included) instead of sidecar injection", () => {
        const apps = ofType("kubernetes:core/v1:Namespace").filter((r) => ["auth", "chat"].includes(r.inputs.metadata.name));
        assert.strictEqual(apps.length, 2);
        for (const ns of apps) {
            assert.deepStrictEqual(ns.inputs.metadata.labels, { "istio.io/dataplane-mode": "ambient", "istio.io/use-waypoint": "waypoint", "istio.io/ingress-use-waypoint": "true" });
        }
    });

    it("gives each app namespace one waypoint: a Gateway of class istio-waypoint with the HBONE listener, after its namespace", () => {
        const waypoints = ofType(GATEWAY);
        assert.deepStrictEqual(
            waypoints.map((w) => [w.inputs.metadata.namespace, w.inputs.metadata.name, w.inputs.metadata.labels, w.inputs.spec]),
            ["auth", "chat"].map((ns) => [
                ns,
                "waypoint",
                { "istio.io/waypoint-for": "service" },
                { gatewayClassName: "istio-waypoint", listeners: [{ name: "mesh", port: 15008, protocol: "HBONE" }] },
            ]),
        );
        for (const w of waypoints) {
            assert.ok(dependsOn(w, "kubernetes:core/v1:Namespace", `observability-ns-${w.inputs.metadata.namespace}`));
        }
        assert.deepStrictEqual(outputs.waypoints, ["auth/waypoint", "chat/waypoint"]);
        assert.strictEqual(outputs.dataPlane, "ambient");
    });

    it("has Kiali read a workload's proxy spans under its waypoint's name", () => {
        assert.strictEqual(chart("observability-kiali-chart").inputs.values.external_services.tracing.use_waypoint_name, true);
    });

    it("lets app pods tunnel (HBONE 15008) to enrolled namespaces, and admits enrolled namespaces to Jaeger's collector", () => {
        const policies = ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy");
        const hbone = policies.filter((p) => p.inputs.metadata.name === "allow-hbone-egress");
        assert.deepStrictEqual(
            hbone.map((p) => [p.inputs.metadata.namespace, p.inputs.spec.egress]),
            ["auth", "chat"].map((ns) => [ns, [{ to: [{ namespaceSelector: { matchLabels: { "istio.io/dataplane-mode": "ambient" } } }], ports: [{ protocol: "TCP", port: 15008 }] }]]),
        );
        const collector = policies.find((p) => p.inputs.metadata.name === "jaeger-collector-from-mesh");
        assert.ok(collector?.inputs.spec.ingress[0].from.some((f: any) => f.namespaceSelector?.matchLabels?.["istio.io/dataplane-mode"] === "ambient"));
    });

    it("records the cni and ztunnel charts in the releases ConfigMap", () => {
        const record = ofType("kubernetes:core/v1:ConfigMap").find((c) => c.inputs.metadata.name === "observability-stack-charts");
        const charts = (JSON.parse(record?.inputs.data["charts.json"]) as { chart: string; release: string }[]).map((c) => c.chart);
        assert.ok(charts.includes("cni") && charts.includes("ztunnel"), charts.join(", "));
    });

    it("refuses ambient mode on a cluster without the Gateway API CRDs in one line with the fix, before registering anything", async () => {
        await assert.rejects(
            runMain(AMBIENT, { missingGatewayApiCrds: async () => ["gateways.gateway.networking.k8s.io", "gatewayclasses.gateway.networking.k8s.io"] }),
            (e: Error) =>
                e.name === "ConfigError" &&
                e.message ===
                    'invalid stack configuration:\n  - mesh.dataPlane: got "ambient"; the cluster lacks the Gateway API CRDs gateways.gateway.networking.k8s.io, gatewayclasses.gateway.networking.k8s.io (v1), which waypoints need: install them first (kubectl apply --server-side -f https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/standard-install.yaml), or use sidecar',
        );
        assert.strictEqual(registered.length, 0);
    });

    it("never asks the cluster for the Gateway API CRDs with sidecars", async () => {
        let asked = false;
        await runMain(stackRawConfig("local"), {
            missingGatewayApiCrds: async () => {
                asked = true;
                return ["gateways.gateway.networking.k8s.io"];
            },
        });
        assert.strictEqual(asked, false);
        assert.strictEqual(ofType(GATEWAY).length, 0);
        assert.ok(!ofType(CHART).some((c) => c.name === "observability-istio-cni" || c.name === "observability-istio-ztunnel"));
    });
});
