/**
 * The Istio documents of every variant through tools/istio-decode, built against the istio.io/api of each Istio
 * line: the mesh config and every Telemetry and ServiceEntry spec, decoded strictly (unknown fields fail), and
 * the checker shown to reject a deliberately wrong field. Also the Prometheus monitors Istio's samples render.
 * Run by scripts/decoders.sh.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as yaml from "js-yaml";
import * as path from "path";
import { toolsBin } from "../e2e/tools";
import { Rendering } from "./render";
import { VARIANTS, renderVariants, renderingOf } from "./variants";
import { AMBIENT_DAEMONSETS, AMBIENT_LABELS, WAYPOINT } from "../lib/constants";

/** Decodes documents with the checker built for an Istio line; returns the error of each (empty: decoded). */
function istioDecode(line: "1.24" | "1.30", items: { id: string; kind: string; yaml?: string; json?: unknown }[]): Record<string, string> {
    const out = execFileSync(path.join(toolsBin(), `istio-decode-${line}`), [], { input: JSON.stringify(items), encoding: "utf8" });
    return Object.fromEntries((JSON.parse(out) as { id: string; error: string }[]).map((r) => [r.id, r.error]));
}

/** The mesh config, Telemetry and ServiceEntry documents of a rendering, as the decoder takes them. */
function istioDocuments(r: Rendering): { id: string; kind: string; yaml?: string; json?: unknown }[] {
    return [
        ...r
            .ofKind("ConfigMap")
            .filter((c) => /^istio(-.+)?$/.test(c.metadata.name) && typeof c.data?.mesh === "string")
            .map((c) => ({ id: `ConfigMap ${c.metadata.name} mesh`, kind: "MeshConfig", yaml: c.data?.mesh })),
        ...r.ofKind("Telemetry").map((t) => ({ id: `Telemetry ${t.metadata.name}`, kind: "Telemetry", json: t.spec })),
        ...r.ofKind("ServiceEntry").map((s) => ({ id: `ServiceEntry ${s.metadata.name}`, kind: "ServiceEntry", json: s.spec })),
    ];
}

function meshOf(r: Rendering): any {
    return yaml.load(r.get("ConfigMap", "istio", "istio-system").data?.mesh ?? "");
}

describe("configs checked by the real decoders", function () {
    this.timeout(900_000);

    before(renderVariants);

    const r = renderingOf;

    describe("istio-decode (istio.io/api per Istio line, unknown fields fail)", () => {
        it("is built against the istio.io/api istio/istio pins at 1.24.2 and 1.30.3", () => {
            assert.strictEqual(execFileSync(path.join(toolsBin(), "istio-decode-1.24"), ["version"], { encoding: "utf8" }).trim(), "v1.24.2-0.20241206152109-43afb8563706");
            assert.strictEqual(execFileSync(path.join(toolsBin(), "istio-decode-1.30"), ["version"], { encoding: "utf8" }).trim(), "v1.30.3-0.20260710004328-2e43f07b30b6");
        });

        for (const v of VARIANTS) {
            it(`decodes every rendered mesh config, Telemetry and ServiceEntry of ${v.name} with the ${v.istio} API`, () => {
                const docs = istioDocuments(r(v.name));
                assert.deepStrictEqual(
                    docs.map((d) => d.kind).filter((k, i, all) => all.indexOf(k) === i),
                    ["MeshConfig", "Telemetry", "ServiceEntry"],
                );
                const errors = istioDecode(v.istio, docs);
                assert.deepStrictEqual(errors, Object.fromEntries(docs.map((d) => [d.id, ""])));
            });

            it(`renders metrics and tracing providers side by side in ${v.name}'s mesh config`, () => {
                const mesh = meshOf(r(v.name));
                assert.deepStrictEqual(mesh.defaultProviders, { metrics: ["prometheus"], tracing: ["jaeger"] });
                assert.strictEqual(mesh.enableTracing, true);
                assert.strictEqual(mesh.defaultConfig.tracing, undefined);
            });
        }

        it("renders the zipkin provider with traceContextOption USE_B3_WITH_W3C_PROPAGATION on the 1.30 line (set in production, the default in current), which the 1.30 API decodes, and without it on 1.24", () => {
            const zipkin = (name: string) => meshOf(r(name)).extensionProviders.find((p: any) => p.name === "jaeger").zipkin;
            const service = "jaeger-collector-clusterip.istio-system.svc.cluster.local";
            for (const name of ["production", "current"]) {
                assert.deepStrictEqual(zipkin(name), { service, port: 9411, traceContextOption: "USE_B3_WITH_W3C_PROPAGATION" }, name);
            }
            for (const name of ["reference", "reference-elasticsearch"]) {
                assert.deepStrictEqual(zipkin(name), { service, port: 9411 }, name);
            }
            const mesh = r("production").get("ConfigMap", "istio", "istio-system").data?.mesh ?? "";
            assert.deepStrictEqual(istioDecode("1.30", [{ id: "mesh", kind: "MeshConfig", yaml: mesh }]), { mesh: "" });
        });

        it("rejects a mesh config whose zipkin provider has traceContextOption with the 1.24 API (a field Istio 1.24 does not have), and a wrong option with the 1.30 API", () => {
            const mesh = r("production").get("ConfigMap", "istio", "istio-system").data?.mesh ?? "";
            assert.match(mesh, /traceContextOption: USE_B3_WITH_W3C_PROPAGATION/);
            const zipkin = { service: "jaeger-collector-clusterip.istio-system.svc.cluster.local", port: 9411 };
            const provider = (option: object) => ({ extensionProviders: [{ name: "jaeger", zipkin: { ...zipkin, ...option } }] });
            const on124 = istioDecode("1.24", [
                { id: "rendered", kind: "MeshConfig", yaml: mesh },
                { id: "option", kind: "MeshConfig", json: provider({ traceContextOption: "USE_B3_WITH_W3C_PROPAGATION" }) },
                { id: "without", kind: "MeshConfig", json: provider({}) },
            ]);
            assert.match(on124.rendered, /unknown field "traceContextOption"/);
            assert.match(on124.option, /unknown field "traceContextOption"/);
            assert.strictEqual(on124.without, "");
            const on130 = istioDecode("1.30", [
                { id: "name", kind: "MeshConfig", json: provider({ traceContextOption: "USE_B3_WITH_W3C_PROPAGATION" }) },
                { id: "number", kind: "MeshConfig", json: provider({ traceContextOption: 1 }) },
                { id: "wrong", kind: "MeshConfig", json: provider({ traceContextOption: "USE_W3C" }) },
            ]);
            assert.deepStrictEqual([on130.name, on130.number], ["", ""]);
            assert.match(on130.wrong, /USE_W3C/);
        });

        it("decodes the HTTP ext-authz provider with every option the program sends, on both lines", () => {
            for (const name of ["reference-elasticsearch", "current"]) {
                const provider = meshOf(r(name)).extensionProviders.find((p: any) => p.name === "ext-authz");
                assert.deepStrictEqual(
                    provider,
                    {
                        name: "ext-authz",
                        envoyExtAuthzHttp: {
                            service: "ext-authz.auth.svc.cluster.local",
                            port: 8000,
                            timeout: "2s",
                            failOpen: true,
                            pathPrefix: "/authz",
                            includeRequestHeadersInCheck: ["authorization", "x-request-id", "x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid", "x-b3-sampled"],
                            headersToUpstreamOnAllow: ["x-user-id"],
                        },
                    },
                    name,
                );
            }
        });

        for (const line of ["1.24", "1.30"] as const) {
            it(`rejects a deliberately wrong field with the ${line} API, naming it`, () => {
                const mesh = r(line === "1.24" ? "reference" : "current").get("ConfigMap", "istio", "istio-system").data?.mesh ?? "";
                const wrongMesh = mesh.replace("enableTracing: true", "enableTracing: true\nenableTracng: true");
                assert.notStrictEqual(wrongMesh, mesh);
                // The reference's gRPC ext-authz with a header list: a field the gRPC provider does not have.
                const grpc = { name: "ext-authz", envoyExtAuthzGrpc: { service: "ext-authz.auth.svc.cluster.local", port: 9000, includeHeadersInCheck: ["authorization"] } };
                const telemetry = r("reference").get("Telemetry", "global-sampling").spec;
                const entry = r("reference").ofKind("ServiceEntry")[0].spec;
                const errors = istioDecode(line, [
                    { id: "mesh", kind: "MeshConfig", yaml: wrongMesh },
                    { id: "grpc", kind: "MeshConfig", json: { extensionProviders: [grpc] } },
                    { id: "telemetry", kind: "Telemetry", json: { ...telemetry, tracing: [{ ...telemetry.tracing[0], randomSamplingPercent: 1 }] } },
                    { id: "serviceentry", kind: "ServiceEntry", json: { ...entry, resolutions: "DNS" } },
                    { id: "type", kind: "Telemetry", json: { ...telemetry, tracing: [{ ...telemetry.tracing[0], randomSamplingPercentage: "all" }] } },
                ]);
                assert.match(errors.mesh, /unknown field "enableTracng"/);
                assert.match(errors.grpc, /unknown field "includeHeadersInCheck"/);
                assert.match(errors.telemetry, /unknown field "randomSamplingPercent"/);
                assert.match(errors.serviceentry, /unknown field "resolutions"/);
                assert.notStrictEqual(errors.type, "", "a wrong type fails too");
            });
        }
    });

    describe("ambient mode (the local stack with mesh.dataPlane ambient, Istio 1.30.3)", () => {
        const env = (container: any, name: string) => (container.env as { name: string; value?: string }[]).find((e) => e.name === name)?.value;

        it("renders istiod with the ambient profile: PILOT_ENABLE_AMBIENT on, HBONE in the proxies' metadata, the mesh config as in sidecar mode otherwise", () => {
            const istiod = r("ambient").get("Deployment", "istiod", "istio-system");
            assert.strictEqual(env(istiod.spec.template.spec.containers[0], "PILOT_ENABLE_AMBIENT"), "true");
            const mesh = meshOf(r("ambient"));
            assert.strictEqual(mesh.defaultConfig.proxyMetadata.ISTIO_META_ENABLE_HBONE, "true");
            const sidecar = meshOf(r("current"));
            assert.deepStrictEqual(
                mesh.extensionProviders.find((p: any) => p.name === "jaeger"),
                sidecar.extensionProviders.find((p: any) => p.name === "jaeger"),
            );
            assert.deepStrictEqual(mesh.defaultProviders, sidecar.defaultProviders);
        });

        it("renders the cni agent with ambient redirection on and ztunnel dialling istiod in istio-system, both of istiod's version", () => {
            const cniConfig = r("ambient").get("ConfigMap", "istio-cni-config", "istio-system");
            assert.strictEqual(cniConfig.data?.AMBIENT_ENABLED, "true");
            const cni = r("ambient").get("DaemonSet", AMBIENT_DAEMONSETS.cni, "istio-system");
            const ztunnel = r("ambient").get("DaemonSet", AMBIENT_DAEMONSETS.ztunnel, "istio-system");
            const container = ztunnel.spec.template.spec.containers[0];
            assert.deepStrictEqual([env(container, "XDS_ADDRESS"), env(container, "CA_ADDRESS")], ["istiod.istio-system.svc:15012", "istiod.istio-system.svc:15012"]);
            assert.deepStrictEqual([cni.metadata.labels?.["helm.sh/chart"], ztunnel.metadata.labels?.["helm.sh/chart"]], ["cni-1.30.3", "ztunnel-1.30.3"]);
            assert.ok(!r("current").has("DaemonSet", AMBIENT_DAEMONSETS.ztunnel), "a sidecar stack has no ztunnel");
        });

        it("enrols each app namespace with one waypoint Gateway, which the API server accepted against the real Gateway API CRDs in the preview", () => {
            for (const ns of ["auth", "chat"]) {
                assert.strictEqual(r("ambient").get("Namespace", ns).metadata.labels?.[AMBIENT_LABELS.dataplaneMode], "ambient");
                const gw = r("ambient").get("Gateway", WAYPOINT.name, ns);
                assert.strictEqual(gw.apiVersion, "gateway.networking.k8s.io/v1");
                assert.strictEqual(gw.spec.gatewayClassName, WAYPOINT.gatewayClassName);
            }
        });
    });

    describe("Prometheus monitors", () => {
        it("renders Istio's PodMonitor and ServiceMonitor where the stack says the operator runs Prometheus, and none elsewhere; production also Jaeger's span-metrics monitor (its Monitor tab)", () => {
            const istio = ["monitoring.coreos.com/v1 PodMonitor istio-system/envoy-stats-monitor", "monitoring.coreos.com/v1 ServiceMonitor istio-system/istio-component-monitor"];
            for (const [name, expected] of [
                ["reference", istio],
                ["production", [...istio, "monitoring.coreos.com/v1 ServiceMonitor istio-system/jaeger-span-metrics"]],
            ] as const) {
                assert.deepStrictEqual(
                    [...r(name).ofKind("PodMonitor"), ...r(name).ofKind("ServiceMonitor")].map((m) => `${m.apiVersion} ${m.kind} ${m.metadata.namespace}/${m.metadata.name}`).sort(),
                    [...expected].sort(),
                    name,
                );
            }
            assert.deepStrictEqual([...r("current").ofKind("PodMonitor"), ...r("current").ofKind("ServiceMonitor")], []);
        });

        it("points Jaeger's span-metrics monitor at a port the jaeger 4.11.1 chart's Service really has: its selector picks the chart's jaeger Service, whose span-metrics port is 8889", () => {
            const monitor = r("production").get("ServiceMonitor", "jaeger-span-metrics", "istio-system");
            const selected = r("production")
                .ofKind("Service")
                .filter(
                    (svc) =>
                        (monitor.spec.namespaceSelector.matchNames as string[]).includes(svc.metadata.namespace ?? "") &&
                        Object.entries(monitor.spec.selector.matchLabels as Record<string, string>).every(([k, v]) => svc.metadata.labels?.[k] === v),
                );
            assert.deepStrictEqual(
                selected.map((svc) => `${svc.metadata.namespace}/${svc.metadata.name}`),
                ["istio-system/jaeger"],
            );
            assert.deepStrictEqual(
                selected[0].spec.ports.filter((p: any) => p.name === monitor.spec.endpoints[0].port).map((p: any) => [p.port, p.targetPort]),
                [[8889, 8889]],
            );
        });

        it("scrapes the port the rendered gateway pods and istiod Service expose: prometheus.io annotations, http-monitoring", () => {
            const gateway = r("production").get("Deployment", "istio-ingressgateway");
            assert.strictEqual(gateway.spec.template.metadata.annotations["prometheus.io/scrape"], "true");
            assert.strictEqual(gateway.spec.template.metadata.annotations["prometheus.io/port"], "15020");
            assert.strictEqual(gateway.spec.template.spec.containers[0].name, "istio-proxy");
            const istiod = r("production").get("Service", "istiod");
            assert.strictEqual(istiod.metadata.labels?.istio, "pilot");
            assert.ok(istiod.spec.ports.some((p: any) => p.name === "http-monitoring" && p.port === 15014));
        });
    });
});
