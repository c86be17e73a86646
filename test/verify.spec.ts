import * as assert from "assert";
import { COLLECTOR_SERVICE, QUERY_SERVICE } from "../lib/constants";
import { Declared, Live, objectChecks } from "../verify/checks";
import { reportLines } from "../verify/report";

const MESH = {
    defaultProviders: { tracing: ["jaeger"], metrics: ["prometheus"] },
    extensionProviders: [
        { name: "jaeger", zipkin: { service: "jaeger-collector-clusterip.istio-system.svc.cluster.local", port: 9411 } },
        { name: "json-access-log", envoyFileAccessLog: { path: "/dev/stdout", logFormat: { labels: { "trace.id": "%TRACE_ID%" } } } },
    ],
};
const JAEGER_LABELS = { "app.kubernetes.io/name": "jaeger", "app.kubernetes.io/instance": "jaeger", "app.kubernetes.io/component": "all-in-one" };

const declared: Declared = {
    stack: "dev",
    samplingPercentage: 100,
    tracingProvider: "zipkin",
    mesh: MESH,
    appNamespaces: ["auth"],
    dns: { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } },
    kiali: { tracingUrl: "http://jaeger-query-clusterip.istio-system.svc.cluster.local:16685", prometheusUrl: "http://prometheus:9090" },
};

const svc = (spec: typeof COLLECTOR_SERVICE | typeof QUERY_SERVICE, selector = JAEGER_LABELS) => ({
    namespace: "istio-system",
    name: spec.name,
    selector,
    ports: spec.ports.map((p) => ({ name: p.name, port: p.port })),
});

function live(overrides: Partial<Live> = {}): Live {
    return {
        meshConfigs: [{ name: "istio", mesh: MESH }],
        telemetries: [{ namespace: "istio-system", name: "global-sampling", spec: { tracing: [{ providers: [{ name: "jaeger" }], randomSamplingPercentage: 100 }] } }],
        namespaces: [
            { name: "auth", labels: { "istio-injection": "enabled" } },
            { name: "istio-system", labels: {} },
        ],
        pods: [{ namespace: "auth", name: "api-1", labels: { app: "api" }, containers: ["api", "istio-proxy"], phase: "Running" }],
        networkPolicies: [],
        services: [svc(COLLECTOR_SERVICE), svc(QUERY_SERVICE)],
        deployments: new Map([["jaeger", JAEGER_LABELS]]),
        readyEndpoints: new Map<string, Map<string, number>>([
            [COLLECTOR_SERVICE.name, new Map<string, number>(COLLECTOR_SERVICE.ports.map((p) => [p.name, 1]))],
            [QUERY_SERVICE.name, new Map<string, number>(QUERY_SERVICE.ports.map((p) => [p.name, 1]))],
        ]),
        nodes: 1,
        kialiConfig: { external_services: { tracing: { internal_url: declared.kiali?.tracingUrl }, prometheus: { url: "http://prometheus:9090" } } },
        ...overrides,
    };
}

const failing = (l: Live) =>
    objectChecks(declared, l)
        .filter((r) => r.status === "fail")
        .map((r) => [r.id, r.found.filter((f) => / the stack declares |expected|cannot|overrides|no |without|matches no/.test(f))]);

describe("verify's object checks", () => {
    it("pass on a cluster that holds what the stack declared", () => {
        assert.deepStrictEqual(failing(live()), []);
    });

    it("each report one drift by its own check", () => {
        assert.deepStrictEqual(failing(live({ meshConfigs: [{ name: "istio", mesh: { ...MESH, defaultProviders: { tracing: ["jaeger"] } } }] })), [
            ["mesh-config", ["defaultProviders.metrics: none, the stack declares prometheus"]],
        ]);
        assert.deepStrictEqual(failing(live({ telemetries: [...live().telemetries, { namespace: "auth", name: "off", spec: { tracing: [{ randomSamplingPercentage: 0 }] } }] })), [
            ["telemetry", ["auth: sampling 0 %, set by Telemetry auth/off (overrides the mesh's)"]],
        ]);
        assert.deepStrictEqual(failing(live({ pods: [{ namespace: "auth", name: "api-2", labels: {}, containers: ["api"], phase: "Running" }] })), [
            ["injection", ["auth: injected, but 1 of 1 pods run without a proxy: api-2"]],
        ]);
        const jaegerOnly = {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [{ to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "jaeger" } }, namespaceSelector: {} }], ports: [{ port: 9411 }, { port: 4317 }] }],
        };
        assert.deepStrictEqual(failing(live({ networkPolicies: [{ namespace: "auth", name: "allow-jaeger-egress", spec: jaegerOnly }] })), [
            ["network", ["auth: cannot reach DNS UDP 53, DNS TCP 53, istiod TCP 15012 (egress policies: auth/allow-jaeger-egress)"]],
        ]);
        assert.deepStrictEqual(failing(live({ readyEndpoints: new Map() })), [
            [
                "jaeger-services",
                [
                    "jaeger-collector-clusterip: no ready endpoint on http-zipkin 9411, grpc-otlp 4317, http-otlp 4318",
                    "jaeger-query-clusterip: no ready endpoint on http-query 16686, grpc-query 16685",
                ],
            ],
        ]);
        assert.deepStrictEqual(failing(live({ kialiConfig: { external_services: { tracing: { internal_url: "http://jaeger-query:16686" }, prometheus: { url: "http://prometheus:9090" } } } })), [
            ["kiali-config", ["tracing internal_url: http://jaeger-query:16686, the stack declares http://jaeger-query-clusterip.istio-system.svc.cluster.local:16685"]],
        ]);
    });

    it("says ready endpoints are not checked on a cluster without nodes, and passes", () => {
        const r = objectChecks(declared, live({ nodes: 0, readyEndpoints: new Map() })).find((c) => c.id === "jaeger-services");
        assert.strictEqual(r?.status, "pass");
        assert.ok(r.found.includes("ready endpoints not checked: the cluster has no nodes, so no pod is ever scheduled"));
    });

    it("prints ✓/✗ per check with what it found, what it guards against, and the fix of what failed", () => {
        const lines = reportLines("verify: stack dev", objectChecks(declared, live({ telemetries: [] })));
        assert.deepStrictEqual(
            lines.filter((l) => /^[✓✗–] /.test(l)),
            ["✓ mesh-config", "✗ telemetry", "✓ injection", "✓ network", "✓ jaeger-services", "✓ kiali-config"],
        );
        assert.ok(lines.includes("    0 mesh-wide Telemetries in istio-system; expected one, global-sampling"), lines.join("\n"));
        assert.ok(lines.some((l) => l.startsWith("    fix: keep one mesh-wide Telemetry (istio-system/global-sampling, the stack's)")));
        assert.strictEqual(lines[lines.length - 1], "1 of 6 checks failed");
    });
});
