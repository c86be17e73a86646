/** What the API server holds, read back with kubectl: after a stack's `pulumi up`, and after its `destroy`. */
import * as assert from "assert";
import * as yaml from "js-yaml";
import { istioZipkinPropagatesW3c, jaegerChartLine } from "../lib/charts";
import { defaultMaxTraces } from "../lib/sizing";
import { COLLECTOR_SERVICE, GATEWAY_NAME, JAEGER_EGRESS_PORTS, PROVIDER_NAMES, QUERY_SERVICE, RELEASES_CONFIGMAP, SYSTEM_NAMESPACE, TELEMETRY_NAME, ZIPKIN_B3_WITH_W3C } from "../lib/constants";
import { stackRawConfig } from "../test/stackFiles";
import { exists, kubectlJson } from "./harness";
import { VALIDATORS } from "./istiodWebhooks";
import { StackCase, TEST_SIGNING_KEY } from "./lines";

/** Deleted, or on its way: a namespace stays Terminating until its controller has emptied it. */
export function gone(args: string[]): boolean {
    return !exists(args) || kubectlJson(["get", ...args]).status?.phase === "Terminating";
}

/** What the API server must hold after `up`, read back with kubectl and compared with the stack file. */
export function checkObjects(c: StackCase): void {
    const raw = stackRawConfig(c.from);
    const collector = kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "service", COLLECTOR_SERVICE.name]);
    assert.strictEqual(collector.spec.type, "ClusterIP");
    assert.notStrictEqual(collector.spec.clusterIP, "None");
    assert.deepStrictEqual(
        collector.spec.ports.map((p: any) => `${p.name}/${p.port}/${p.protocol}`),
        COLLECTOR_SERVICE.ports.map((p) => `${p.name}/${p.port}/${p.protocol}`),
    );
    assert.deepStrictEqual(
        kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "service", QUERY_SERVICE.name]).spec.ports.map((p: any) => p.port),
        QUERY_SERVICE.ports.map((p) => p.port),
    );
    // The selector matches the pod template the chart line renders.
    const jaegerDeploy = kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "deployment", "jaeger"]);
    for (const [k, v] of Object.entries(collector.spec.selector)) {
        assert.strictEqual(jaegerDeploy.spec.template.metadata.labels[k], v, `pod label ${k}`);
    }
    const gatewayType = (raw.gateway as { serviceType?: string } | undefined)?.serviceType ?? "ClusterIP";
    assert.strictEqual(kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "service", GATEWAY_NAME]).spec.type, gatewayType);

    const sampling = (raw.tracing as { samplingPercentage: number }).samplingPercentage;
    const telemetry = kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "telemetries.telemetry.istio.io", TELEMETRY_NAME]);
    assert.deepStrictEqual(telemetry.spec, {
        tracing: [{ providers: [{ name: PROVIDER_NAMES.tracing }], randomSamplingPercentage: sampling }],
        accessLogging: [{ providers: [{ name: PROVIDER_NAMES.accessLog }] }],
    });
    const entries = kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "serviceentries.networking.istio.io"]).items;
    assert.deepStrictEqual(
        entries.map((e: any) => `${e.metadata.name}:${e.spec.resolution}:${e.spec.location}`).sort(),
        (raw.externalServices as { name: string }[]).map((e) => `${e.name}:DNS:MESH_EXTERNAL`).sort(),
    );
    for (const ns of c.appNamespaces) {
        const policies = kubectlJson(["-n", ns, "get", "networkpolicies"]).items;
        assert.deepStrictEqual(policies.map((p: any) => p.metadata.name).sort(), [
            "allow-app-namespaces-egress",
            "allow-dns-egress",
            "allow-external-services-egress",
            "allow-istiod-egress",
            "allow-jaeger-egress",
        ]);
        const jaeger = policies.find((p: any) => p.metadata.name === "allow-jaeger-egress");
        assert.deepStrictEqual(
            jaeger.spec.egress[0].ports.map((p: any) => p.port),
            [...JAEGER_EGRESS_PORTS],
        );
        assert.strictEqual(kubectlJson(["get", "namespace", ns]).metadata.labels["istio-injection"], "enabled");
    }
    const crds = kubectlJson(["get", "crd"]).items.map((x: any) => x.metadata.name);
    for (const crd of ["telemetries.telemetry.istio.io", "serviceentries.networking.istio.io", "envoyfilters.networking.istio.io"]) {
        assert.ok(crds.includes(crd), `CRD ${crd}`);
    }
    assert.ok(exists(["validatingwebhookconfiguration", VALIDATORS.default]));
    assert.ok(exists(["validatingwebhookconfiguration", VALIDATORS.istiod]));
    assert.ok(exists(["mutatingwebhookconfiguration", "istio-sidecar-injector"]));

    const mesh = yaml.load(kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "configmap", "istio"]).data.mesh) as any;
    // Metrics stay on beside tracing (the istiod chart drops its default metrics once defaultProviders is set).
    assert.deepStrictEqual(mesh.defaultProviders, { metrics: [PROVIDER_NAMES.metrics], tracing: [PROVIDER_NAMES.tracing] });
    // B3 and W3C propagation where the stack file sets it (production) or by default from Istio 1.28 (current); B3 only on 1.24 (dev).
    const propagation = (raw.tracing as { propagation?: string }).propagation ?? (istioZipkinPropagatesW3c(c.versions.istio) ? "b3+w3c" : "b3");
    assert.deepStrictEqual(mesh.extensionProviders[0], {
        name: PROVIDER_NAMES.tracing,
        zipkin: { service: `${COLLECTOR_SERVICE.name}.${SYSTEM_NAMESPACE}.svc.cluster.local`, port: 9411, ...(propagation === "b3+w3c" ? { traceContextOption: ZIPKIN_B3_WITH_W3C } : {}) },
    });
    assert.strictEqual(mesh.defaultConfig.tracing, undefined);

    const kialiRaw = raw.kiali as { tracingUseGrpc?: boolean; prometheusUrl?: string };
    const kiali = yaml.load(kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "configmap", "kiali"]).data["config.yaml"]) as any;
    const queryPort = kialiRaw.tracingUseGrpc === false ? 16686 : 16685;
    assert.strictEqual(kiali.external_services.tracing.internal_url, `http://${QUERY_SERVICE.name}.${SYSTEM_NAMESPACE}.svc.cluster.local:${queryPort}`);
    assert.strictEqual(kiali.external_services.tracing.in_cluster_url, undefined);
    assert.strictEqual(kiali.deployment.accessible_namespaces, undefined);
    assert.strictEqual(kiali.external_services.prometheus.url, kialiRaw.prometheusUrl ?? "http://prometheus-operated.prometheus.svc.cluster.local:9090");
    // The signing key reaches Kiali only through its Secret: a secret: reference (kiali-server >= 2.21) or Kiali's override file.
    const secret = kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "secret", "kiali-signing-key"]);
    assert.strictEqual(Buffer.from(secret.data["value.txt"], "base64").toString(), TEST_SIGNING_KEY);
    if (c.versions.kiali === "2.1.0") {
        assert.strictEqual(kiali.login_token.signing_key, "from-secret-file");
        const pod = kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "deployment", "kiali"]).spec.template.spec;
        const volume = pod.volumes.find((v: any) => v.secret?.secretName === "kiali-signing-key");
        assert.ok(volume !== undefined, "the Secret is a volume of the Kiali pod");
        assert.ok(pod.containers[0].volumeMounts.some((m: any) => m.name === volume.name && m.mountPath === "/kiali-override-secrets/login-token-signing-key"));
    } else {
        assert.strictEqual(kiali.login_token.signing_key, "secret:kiali-signing-key:value.txt");
    }
    const tokenLogin = c.changes.some((x) => x.key === "kiali.authStrategy") || c.from === "production";
    assert.strictEqual(kiali.auth.strategy, tokenLogin ? "token" : "anonymous");
    if (jaegerChartLine(c.versions.jaeger) === "v1") {
        assert.ok(!exists(["-n", SYSTEM_NAMESPACE, "statefulset", "jaeger-cassandra"]), "no Cassandra");
        assert.ok(!exists(["-n", SYSTEM_NAMESPACE, "daemonset", "jaeger-agent"]), "no agent DaemonSet");
    }
    // In-memory Jaeger is bounded, by default sized to the memory limit and the line (lib/sizing.ts; 512Mi: v1 10752, v2 21504).
    const jaegerRaw = (raw.jaeger ?? {}) as { storage?: { type?: string; maxTraces?: number }; resources?: { limits?: { memory?: string } } };
    const storage = jaegerRaw.storage ?? {};
    if ((storage.type ?? "memory") === "memory") {
        const bound = String(storage.maxTraces ?? defaultMaxTraces(jaegerRaw.resources?.limits?.memory ?? "512Mi", jaegerChartLine(c.versions.jaeger)));
        if (jaegerChartLine(c.versions.jaeger) === "v1") {
            assert.strictEqual(jaegerDeploy.spec.template.spec.containers[0].env.find((e: any) => e.name === "MEMORY_MAX_TRACES")?.value, bound);
        } else {
            const userConfig = yaml.load(kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "configmap", "user-config"]).data["user-config.yaml"]) as any;
            assert.strictEqual(String(userConfig.extensions.jaeger_storage.backends.primary_store.memory.max_traces), bound);
        }
    }
    // Jaeger v2 serves its own metrics where the chart's pod annotation says (0.0.0.0:8888, not the OpenTelemetry default localhost).
    if (jaegerChartLine(c.versions.jaeger) === "v2") {
        assert.strictEqual(jaegerDeploy.spec.template.metadata.annotations["prometheus.io/port"], "8888");
        const userConfig = yaml.load(kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "configmap", "user-config"]).data["user-config.yaml"]) as any;
        assert.deepStrictEqual(userConfig.service.telemetry.metrics.readers, [{ pull: { exporter: { prometheus: { host: "0.0.0.0", port: 8888 } } } }]);
        assert.match(jaegerDeploy.spec.template.metadata.labels["observability-stack/config-hash"], /^[0-9a-f]{16}$/);
    }
    // Prometheus finds the mesh: Istio's sample PodMonitor (sidecars and gateway) and ServiceMonitor (istiod), with the operator only.
    const monitors = (kind: string) => (exists(["crd", `${kind}.monitoring.coreos.com`]) ? kubectlJson(["-n", SYSTEM_NAMESPACE, "get", `${kind}.monitoring.coreos.com`]).items : []);
    if (c.prometheusOperator) {
        const [pm] = monitors("podmonitors");
        const [sm] = monitors("servicemonitors");
        assert.strictEqual(pm.metadata.name, "envoy-stats-monitor");
        assert.deepStrictEqual(pm.spec.podMetricsEndpoints[0].relabelings[0], { action: "keep", sourceLabels: ["__meta_kubernetes_pod_container_name"], regex: "istio-proxy" });
        assert.strictEqual(pm.spec.podMetricsEndpoints[0].path, "/stats/prometheus");
        assert.strictEqual(sm.metadata.name, "istio-component-monitor");
        assert.deepStrictEqual(sm.spec.endpoints, [{ port: "http-monitoring", interval: "15s" }]);
    } else {
        assert.deepStrictEqual([...monitors("podmonitors"), ...monitors("servicemonitors")], []);
    }
    const kialiUrls = raw.kiali as { grafanaExternalUrl?: string; tracingExternalUrl?: string };
    if (kialiUrls.grafanaExternalUrl !== undefined) {
        assert.strictEqual(kiali.external_services.grafana.external_url, kialiUrls.grafanaExternalUrl);
    }
    if (kialiUrls.tracingExternalUrl !== undefined) {
        assert.strictEqual(kiali.external_services.tracing.external_url, kialiUrls.tracingExternalUrl);
    }
    // kiali-server >= 2.29 adds a NetworkPolicy of its own (`kiali`); ours are the Jaeger ones.
    assert.deepStrictEqual(
        kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "networkpolicies"])
            .items.map((p: any) => p.metadata.name)
            .filter((n: string) => n.startsWith("jaeger-"))
            .sort(),
        ["jaeger-collector-from-mesh", "jaeger-metrics-from-prometheus", "jaeger-query-from-ui-clients"],
    );
    const releases = JSON.parse(kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "configmap", RELEASES_CONFIGMAP.name]).data[RELEASES_CONFIGMAP.key]);
    assert.deepStrictEqual(
        releases.map((r: any) => r.version),
        [c.versions.istio, c.versions.istio, c.versions.istio, c.versions.jaeger, c.versions.kiali],
    );
}

/** Production's own objects: Elasticsearch-backed Jaeger v2, 1 % sampling, UIs behind the auth proxy with TLS. */
export function checkProductionObjects(): void {
    const userConfig = yaml.load(kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "configmap", "user-config"]).data["user-config.yaml"]) as any;
    const es = userConfig.extensions.jaeger_storage.backends.primary_store.elasticsearch;
    assert.deepStrictEqual(es.server_urls, ["https://elasticsearch.logging.svc.cluster.local:9200"]);
    assert.strictEqual(es.auth.basic.password, "${env:ES_PASSWORD}");
    assert.deepStrictEqual(es.tls, { ca_file: "/es-tls/ca.crt" });
    const jaegerPod = kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "deployment", "jaeger"]).spec.template.spec;
    const container = jaegerPod.containers[0];
    assert.deepStrictEqual(container.args, ["--config", "/etc/jaeger/user-config.yaml"]);
    assert.deepStrictEqual(container.env.find((e: any) => e.name === "ES_PASSWORD").valueFrom.secretKeyRef, { name: "jaeger-elasticsearch", key: "password" });
    assert.ok(
        container.volumeMounts.some((m: any) => m.name === "es-tls-ca" && m.mountPath === "/es-tls/ca.crt"),
        "the CA is mounted into Jaeger",
    );
    assert.deepStrictEqual(jaegerPod.volumes.find((v: any) => v.name === "es-tls-ca").secret, { secretName: "elasticsearch-ca", items: [{ key: "ca.crt", path: "ca.crt" }], defaultMode: 420 });
    // The dependencies job ("No service dependencies found" otherwise) and the index cleaner, as the stack file says.
    const envOf = (c: any) => Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    const spark = kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "cronjob", "jaeger-spark"]);
    assert.strictEqual(spark.spec.schedule, "49 23 * * *");
    const sparkPod = spark.spec.jobTemplate.spec.template.spec;
    const sparkEnv = envOf(sparkPod.containers[0]);
    assert.deepStrictEqual(
        [sparkEnv.ES_NODES, sparkEnv.ES_INDEX_PREFIX, sparkEnv.ES_PASSWORD],
        ["https://elasticsearch.logging.svc.cluster.local:9200", "mesh", { secretKeyRef: { name: "jaeger-elasticsearch", key: "password" } }],
    );
    assert.match(sparkEnv.JAVA_OPTS, /-Djavax\.net\.ssl\.trustStore=\/es-truststore\/ca\.p12/);
    assert.deepStrictEqual(
        sparkPod.initContainers.map((c: any) => c.name),
        ["es-truststore"],
    );
    const cleaner = kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "cronjob", "jaeger-es-index-cleaner"]);
    assert.strictEqual(cleaner.spec.schedule, "55 23 * * *");
    const cleanerContainer = cleaner.spec.jobTemplate.spec.template.spec.containers[0];
    assert.deepStrictEqual(cleanerContainer.args, ["7", "https://elasticsearch.logging.svc.cluster.local:9200", "--index-prefix=mesh"]);
    assert.deepStrictEqual([envOf(cleanerContainer).ES_TLS_ENABLED, envOf(cleanerContainer).ES_TLS_CA], ["true", "/es-tls/ca.crt"]);
    assert.ok(!exists(["-n", SYSTEM_NAMESPACE, "cronjob", "jaeger-es-rollover"]) && !exists(["-n", SYSTEM_NAMESPACE, "job", "jaeger-es-rollover-init"]), "rollover is off");
    const ingresses = kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "ingresses"]).items;
    assert.deepStrictEqual(ingresses.map((i: any) => `${i.metadata.name} ${i.spec.rules[0].host} ${i.spec.tls[0].secretName}`).sort(), [
        "jaeger-ui jaeger.example.com observability-tls",
        "kiali-ui kiali.example.com observability-tls",
    ]);
    assert.ok(ingresses.every((i: any) => i.metadata.annotations["nginx.ingress.kubernetes.io/auth-url"] === "https://oauth2-proxy.example.com/oauth2/auth"));
    // Kiali view-only, its RBAC scoped to the mesh's namespaces (kiali-server 2.29 renders a Role per namespace it finds).
    const kiali = yaml.load(kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "configmap", "kiali"]).data["config.yaml"]) as any;
    assert.strictEqual(kiali.deployment.view_only_mode, true);
    assert.strictEqual(kiali.deployment.cluster_wide_access, false);
    for (const ns of [SYSTEM_NAMESPACE, "auth"]) {
        assert.ok(exists(["-n", ns, "role", "kiali-viewer"]), `Role kiali-viewer in ${ns}`);
        assert.ok(exists(["-n", ns, "rolebinding", "kiali-viewer"]), `RoleBinding kiali-viewer in ${ns}`);
    }
    assert.ok(!exists(["clusterrolebinding", "kiali-viewer"]) && !exists(["clusterrolebinding", "kiali"]), "no cluster-wide binding");
}
