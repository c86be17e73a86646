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
    dataPlane: "sidecar",
    waypoints: [],
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
        pods: [{ namespace: "auth", name: "api-1", labels: { app: "api" }, annotations: {}, containers: ["api", "istio-proxy"], phase: "Running" }],
        networkPolicies: [],
        services: [svc(COLLECTOR_SERVICE), svc(QUERY_SERVICE)],
        deployments: new Map([["jaeger", JAEGER_LABELS]]),
        readyEndpoints: new Map<string, Map<string, number>>([
            [COLLECTOR_SERVICE.name, new Map<string, number>(COLLECTOR_SERVICE.ports.map((p) => [p.name, 1]))],
            [QUERY_SERVICE.name, new Map<string, number>(QUERY_SERVICE.ports.map((p) => [p.name, 1]))],
        ]),
        nodes: 1,
        kialiConfig: { external_services: { tracing: { internal_url: declared.kiali?.tracingUrl }, prometheus: { url: "http://prometheus:9090" } } },
        daemonSets: new Map(),
        appDeployments: new Map(),
        ...overrides,
    };
}

const failing = (l: Live, d: Declared = declared) =>
    objectChecks(d, l)
        .filter((r) => r.status === "fail")
        .map((r) => [r.id, r.found.filter((f) => / the stack declares |expected|cannot|overrides|no |without|matches no|, but /.test(f))]);

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
        assert.deepStrictEqual(failing(live({ pods: [{ namespace: "auth", name: "api-2", labels: {}, annotations: {}, containers: ["api"], phase: "Running" }] })), [
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

describe("verify's object checks, on an ambient stack", () => {
    const ambient: Declared = { ...declared, appNamespaces: ["auth", "chat"], dataPlane: "ambient", waypoints: ["auth/waypoint", "chat/waypoint"] };
    const AMBIENT_NS = { "istio.io/dataplane-mode": "ambient", "istio.io/use-waypoint": "waypoint", "istio.io/ingress-use-waypoint": "true" };
    const ENROLLED = { "ambient.istio.io/redirection": "enabled" };
    const WAYPOINT_POD = { labels: { "gateway.networking.k8s.io/gateway-name": "waypoint", "istio.io/dataplane-mode": "none" }, annotations: {}, containers: ["istio-proxy"], phase: "Running" };
    const ambientLive = (overrides: Partial<Live> = {}): Live =>
        live({
            namespaces: [
                { name: "auth", labels: AMBIENT_NS },
                { name: "chat", labels: AMBIENT_NS },
                { name: "istio-system", labels: {} },
            ],
            pods: [
                { namespace: "auth", name: "api-1", labels: { app: "api" }, annotations: ENROLLED, containers: ["api"], phase: "Running" },
                { namespace: "auth", name: "waypoint-5d8f-x", ...WAYPOINT_POD },
                { namespace: "chat", name: "chat-1", labels: { app: "chat" }, annotations: ENROLLED, containers: ["chat"], phase: "Running" },
                { namespace: "chat", name: "migrate-1", labels: {}, annotations: {}, containers: ["migrate"], phase: "Succeeded" },
                { namespace: "chat", name: "waypoint-7c9a-y", ...WAYPOINT_POD },
            ],
            gateways: [
                { namespace: "auth", name: "waypoint", gatewayClassName: "istio-waypoint" },
                { namespace: "chat", name: "waypoint", gatewayClassName: "istio-waypoint" },
            ],
            daemonSets: new Map([
                ["istio-cni-node", { desired: 2, ready: 2 }],
                ["ztunnel", { desired: 2, ready: 2 }],
            ]),
            appDeployments: new Map([
                ["auth/waypoint", 1],
                ["auth/api", 1],
                ["chat/waypoint", 1],
            ]),
            ...overrides,
        });
    const ambientFailing = (l: Live) => failing(l, ambient);

    it("pass on a cluster that holds what the ambient stack declared, with ambient-enrolment and waypoints in place of injection", () => {
        assert.deepStrictEqual(ambientFailing(ambientLive()), []);
        const results = objectChecks(ambient, ambientLive());
        assert.deepStrictEqual(
            results.map((r) => r.id),
            ["mesh-config", "telemetry", "ambient-enrolment", "waypoints", "network", "jaeger-services", "kiali-config"],
        );
        assert.deepStrictEqual(results.find((r) => r.id === "ambient-enrolment")?.found, [
            "DaemonSet istio-system/istio-cni-node: 2 of 2 pods ready",
            "DaemonSet istio-system/ztunnel: 2 of 2 pods ready",
            "auth: enrolled, 1 pods, each redirected to ztunnel, none with a sidecar",
            "chat: enrolled, 1 pods, each redirected to ztunnel, none with a sidecar",
        ]);
        assert.deepStrictEqual(results.find((r) => r.id === "waypoints")?.found, [
            "auth: waypoint waypoint (Gateway class istio-waypoint), 1 available replica",
            "chat: waypoint waypoint (Gateway class istio-waypoint), 1 available replica",
        ]);
    });

    it("each report one ambient drift by its own check", () => {
        const withNs = (labels: Record<string, string>) => [
            { name: "auth", labels },
            { name: "chat", labels: AMBIENT_NS },
            { name: "istio-system", labels: {} },
        ];
        const without = (key: string) => Object.fromEntries(Object.entries(AMBIENT_NS).filter(([k]) => k !== key));
        assert.deepStrictEqual(ambientFailing(ambientLive({ namespaces: withNs(without("istio.io/dataplane-mode")) })), [
            ["ambient-enrolment", ["auth: not enrolled (istio.io/dataplane-mode unset; the stack declares ambient)"]],
        ]);
        assert.deepStrictEqual(ambientFailing(ambientLive({ namespaces: withNs(without("istio.io/use-waypoint")) })), [
            ["waypoints", ["auth: no istio.io/use-waypoint label: its Services' traffic goes through no waypoint; the stack declares waypoint"]],
        ]);
        assert.deepStrictEqual(ambientFailing(ambientLive({ gateways: [{ namespace: "chat", name: "waypoint", gatewayClassName: "istio-waypoint" }] })), [
            ["waypoints", ["auth: istio.io/use-waypoint=waypoint, but there is no Gateway auth/waypoint"]],
        ]);
        const pods = ambientLive().pods;
        assert.deepStrictEqual(
            ambientFailing(ambientLive({ pods: [...pods, { namespace: "auth", name: "api-2", labels: { app: "api" }, annotations: {}, containers: ["api", "istio-proxy"], phase: "Running" }] })),
            [["ambient-enrolment", ["auth: enrolled, but 1 of 2 pods run a sidecar (istio-proxy), which wins over ambient: api-2"]]],
        );
        assert.deepStrictEqual(
            ambientFailing(ambientLive({ pods: [...pods, { namespace: "chat", name: "chat-2", labels: { app: "chat" }, annotations: {}, containers: ["chat"], phase: "Running" }] })),
            [["ambient-enrolment", ["chat: enrolled, but 1 of 2 pods have no ambient.istio.io/redirection: enabled (istio-cni did not enrol them): chat-2"]]],
        );
        assert.deepStrictEqual(ambientFailing(ambientLive({ appDeployments: new Map([["auth/waypoint", 1]]) })), [
            ["waypoints", ["chat: waypoint waypoint, but no Deployment chat/waypoint (istiod deploys it)"]],
        ]);
        assert.deepStrictEqual(ambientFailing(ambientLive({ daemonSets: new Map([["istio-cni-node", { desired: 2, ready: 2 }]]) })), [["ambient-enrolment", ["no DaemonSet istio-system/ztunnel"]]]);
        const noHbone = {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [{ ports: [{ port: 53, protocol: "UDP" }, { port: 53 }, { port: 15012 }, { port: 9411 }, { port: 4317 }] }],
        };
        assert.deepStrictEqual(ambientFailing(ambientLive({ networkPolicies: [{ namespace: "auth", name: "no-hbone", spec: noHbone }] })), [
            ["network", ["auth: cannot reach waypoint auth/waypoint HBONE TCP 15008, waypoint chat/waypoint HBONE TCP 15008 (egress policies: auth/no-hbone)"]],
        ]);
    });

    it("reports an app namespace that does not exist in each check that judges namespaces, in the declared order, and fails them", () => {
        const results = objectChecks(ambient, ambientLive({ namespaces: ambientLive().namespaces.filter((n) => n.name !== "auth") }));
        const of = (id: string) => results.find((r) => r.id === id);
        assert.deepStrictEqual(of("ambient-enrolment")?.found.slice(2), ["auth: the namespace does not exist", "chat: enrolled, 1 pods, each redirected to ztunnel, none with a sidecar"]);
        assert.deepStrictEqual(of("waypoints")?.found, ["auth: the namespace does not exist", "chat: waypoint waypoint (Gateway class istio-waypoint), 1 available replica"]);
        assert.deepStrictEqual([of("ambient-enrolment")?.status, of("waypoints")?.status], ["fail", "fail"]);
        const sidecar = objectChecks({ ...declared, appNamespaces: ["gone", "auth"] }, live()).find((r) => r.id === "injection");
        assert.deepStrictEqual([sidecar?.status, sidecar?.found], ["fail", ["gone: the namespace does not exist", "auth: injected, 1 pods, each with a proxy"]]);
    });

    it("judges the waypoint's pods as sources of their namespace: an allow for the app pods only cuts the waypoint off from the collector", () => {
        const everything = [{ port: 53, protocol: "UDP" }, { port: 53 }, { port: 15012 }, { port: 15008 }, { port: 9411 }, { port: 4317 }];
        const policies = [
            { namespace: "auth", name: "deny-all", spec: { podSelector: {}, policyTypes: ["Egress"] } },
            {
                namespace: "auth",
                name: "apps-only",
                spec: { podSelector: { matchExpressions: [{ key: "gateway.networking.k8s.io/gateway-name", operator: "DoesNotExist" }] }, policyTypes: ["Egress"], egress: [{ ports: everything }] },
            },
        ];
        assert.deepStrictEqual(ambientFailing(ambientLive({ networkPolicies: policies })), [
            [
                "network",
                [
                    "auth: cannot reach DNS UDP 53, DNS TCP 53, istiod TCP 15012, Jaeger collector TCP 9411, Jaeger collector TCP 4317, waypoint auth/waypoint HBONE TCP 15008, waypoint chat/waypoint HBONE TCP 15008 from waypoint pods of Gateway auth/waypoint (egress policies: auth/apps-only, auth/deny-all)",
                ],
            ],
        ]);
        // The same allow, given to the waypoint's pods too (by a label istiod copies from the Gateway), passes.
        const gateways = [
            { namespace: "auth", name: "waypoint", gatewayClassName: "istio-waypoint", labels: { team: "auth" } },
            { namespace: "chat", name: "waypoint", gatewayClassName: "istio-waypoint" },
        ];
        const waypointAllow = { namespace: "auth", name: "waypoint", spec: { podSelector: { matchLabels: { team: "auth" } }, policyTypes: ["Egress"], egress: [{ ports: everything }] } };
        assert.deepStrictEqual(ambientFailing(ambientLive({ networkPolicies: [...policies, waypointAllow], gateways })), []);
    });

    it("names the waypoint Deployment without an available replica, a Gateway of another class, the ingress label, and a waypoint for workloads only", () => {
        const waypoints = (l: Live) => objectChecks(ambient, l).find((r) => r.id === "waypoints");
        assert.ok(
            waypoints(
                ambientLive({
                    appDeployments: new Map([
                        ["auth/waypoint", 0],
                        ["chat/waypoint", 1],
                    ]),
                }),
            )?.found.includes("auth: waypoint waypoint, but Deployment auth/waypoint has no available replica"),
        );
        const other = waypoints(
            ambientLive({
                gateways: [
                    { namespace: "auth", name: "waypoint", gatewayClassName: "istio" },
                    { namespace: "chat", name: "waypoint", gatewayClassName: "istio-waypoint" },
                ],
            }),
        );
        assert.strictEqual(other?.status, "fail");
        assert.ok(other.found.includes("auth: Gateway auth/waypoint is of class istio, not istio-waypoint: it is no waypoint"));
        const ingress = waypoints(
            ambientLive({
                namespaces: [
                    { name: "auth", labels: { ...AMBIENT_NS, "istio.io/ingress-use-waypoint": "false" } },
                    { name: "chat", labels: AMBIENT_NS },
                ],
            }),
        );
        assert.ok(ingress?.found.includes("auth: waypoint waypoint, but istio.io/ingress-use-waypoint is false: the ingress gateway's traffic skips the waypoint"));
        const workloadsOnly = waypoints(
            ambientLive({
                gateways: [
                    { namespace: "auth", name: "waypoint", gatewayClassName: "istio-waypoint", waypointFor: "workload" },
                    { namespace: "chat", name: "waypoint", gatewayClassName: "istio-waypoint", waypointFor: "all" },
                ],
            }),
        );
        assert.strictEqual(workloadsOnly?.status, "fail");
        assert.deepStrictEqual(
            workloadsOnly.found.filter((f) => f.startsWith("auth:") || f.startsWith("chat:")),
            [
                "auth: waypoint waypoint is labelled istio.io/waypoint-for=workload: it serves no Service, so the Services' traffic skips it",
                "chat: waypoint waypoint (Gateway class istio-waypoint), 1 available replica",
            ],
        );
    });

    it("fails waypoints with a clear finding on a cluster without the Gateway API CRDs", () => {
        const r = objectChecks(ambient, ambientLive({ gateways: undefined })).find((c) => c.id === "waypoints");
        assert.strictEqual(r?.status, "fail");
        assert.deepStrictEqual(r.found, ["the cluster has no Gateway API CRDs (gateways.gateway.networking.k8s.io, v1): no waypoint can exist"]);
        assert.ok(r.fix.includes("standard-install.yaml"), r.fix);
    });

    it("says waypoint readiness is not checked on a cluster without nodes, and passes", () => {
        const l = ambientLive({
            nodes: 0,
            pods: [],
            appDeployments: new Map(),
            readyEndpoints: new Map(),
            daemonSets: new Map([
                ["istio-cni-node", { desired: 0, ready: 0 }],
                ["ztunnel", { desired: 0, ready: 0 }],
            ]),
        });
        const results = objectChecks(ambient, l);
        assert.deepStrictEqual(
            results.filter((r) => r.status !== "pass").map((r) => r.id),
            [],
        );
        assert.ok(results.find((r) => r.id === "waypoints")?.found.includes("waypoint readiness not checked: the cluster has no nodes, so no pod is ever scheduled"));
    });

    it("prints the ambient checks with the fix naming pulumi up and the labels", () => {
        const lines = reportLines("verify: stack dev", objectChecks(ambient, ambientLive({ gateways: [] })));
        assert.deepStrictEqual(
            lines.filter((l) => /^[✓✗–] /.test(l)),
            ["✓ mesh-config", "✓ telemetry", "✓ ambient-enrolment", "✗ waypoints", "✓ network", "✓ jaeger-services", "✓ kiali-config"],
        );
        const fix = lines.find((l) => l.startsWith("    fix: ") && l.includes("waypoint"));
        assert.ok(fix?.startsWith("    fix: pulumi up --refresh --stack dev ") && fix.includes(") restores the waypoint Gateways and the namespace labels"), fix);
        assert.ok(fix?.includes("kubectl label --overwrite namespace <ns> istio.io/use-waypoint=waypoint istio.io/ingress-use-waypoint=true"), fix);
        assert.ok(lines.some((l) => l.startsWith("    guards against: ztunnel emits no spans, only the waypoint does")));
    });
});
