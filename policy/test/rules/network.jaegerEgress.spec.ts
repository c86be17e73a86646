import * as assert from "assert";
import * as n from "../../rules/network";
import { WAYPOINT, WAYPOINT_POD } from "../../../lib/constants";
import {
    ambientNamespace,
    collectorService,
    dnsEgressPolicy,
    jaegerEgressPolicy,
    jaegerV1Deployment,
    namespacePatch,
    networkPolicy,
    readNetworkPolicy,
    releasesConfigMap,
    waypoint,
} from "../fixtures";
import { stackViolationsOf } from "../harness";
import { JAEGER, egressPolicy, table } from "./networkTable";

const JAEGER_TO = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "istio-system" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "jaeger" } } };
const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: "TCP", port }));

const jaegerMessage = (ns: string, unreachable: string, policies: string) =>
    `Namespace ${ns} must allow egress to the Jaeger pods (Service istio-system/jaeger-collector-clusterip) on TCP 4317, 4318, 9411; unreachable${unreachable} (${policies}).`;

describe(n.JAEGER_EGRESS, () => {
    table(n.jaegerEgressMustAllowOtlpAndZipkin, [
        { name: "passes egress to the Jaeger pods on 4317, 4318 and 9411", stack: [...JAEGER, jaegerEgressPolicy("auth"), dnsEgressPolicy("auth")], expected: [] },
        {
            name: "denies the reference's policy without 9411",
            stack: [...JAEGER, jaegerEgressPolicy("chat", [4317, 4318])],
            expected: [jaegerMessage("chat", ": TCP 9411", "egress policies: chat/allow-jaeger-egress")],
        },
        {
            name: "denies the right pods in the wrong namespace (namespaceSelector AND podSelector)",
            stack: [
                ...JAEGER,
                egressPolicy("auth", "allow-jaeger-egress", [
                    { to: [{ ...JAEGER_TO, namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "observability" } } }], ports: tcp(4317, 4318, 9411) },
                ]),
            ],
            expected: [jaegerMessage("auth", ": TCP 4317, TCP 4318, TCP 9411", "egress policies: auth/allow-jaeger-egress")],
        },
        {
            name: "denies a podSelector-only peer (it selects pods of the policy's own namespace)",
            stack: [...JAEGER, egressPolicy("auth", "allow-jaeger-egress", [{ to: [{ podSelector: JAEGER_TO.podSelector }], ports: tcp(4317, 4318, 9411) }])],
            expected: [jaegerMessage("auth", ": TCP 4317, TCP 4318, TCP 9411", "egress policies: auth/allow-jaeger-egress")],
        },
        {
            name: "passes the ports written as a range (port + endPort)",
            stack: [...JAEGER, egressPolicy("auth", "allow-jaeger-egress", [{ to: [JAEGER_TO], ports: [{ protocol: "TCP", port: 4317, endPort: 4318 }, { port: 9411 }] }])],
            expected: [],
        },
        {
            name: "denies a range that stops short of 9411",
            stack: [...JAEGER, egressPolicy("auth", "allow-jaeger-egress", [{ to: [JAEGER_TO], ports: [{ protocol: "TCP", port: 4317, endPort: 4318 }] }])],
            expected: [jaegerMessage("auth", ": TCP 9411", "egress policies: auth/allow-jaeger-egress")],
        },
        {
            name: "denies the ports over UDP",
            stack: [...JAEGER, egressPolicy("auth", "allow-jaeger-egress", [{ to: [JAEGER_TO], ports: [4317, 4318, 9411].map((port) => ({ protocol: "UDP", port })) }])],
            expected: [jaegerMessage("auth", ": TCP 4317, TCP 4318, TCP 9411", "egress policies: auth/allow-jaeger-egress")],
        },
        {
            name: "passes a Jaeger rule without ports (every port) and a rule without `to` (every destination)",
            stack: [...JAEGER, egressPolicy("auth", "jaeger-all-ports", [{ to: [JAEGER_TO] }]), egressPolicy("chat", "ports-anywhere", [{ ports: tcp(4317, 4318, 9411) }])],
            expected: [],
        },
        {
            name: "passes the ports split over two policies (policies are a union)",
            stack: [...JAEGER, egressPolicy("auth", "otlp", [{ to: [JAEGER_TO], ports: tcp(4317, 4318) }]), egressPolicy("auth", "zipkin", [{ to: [JAEGER_TO], ports: tcp(9411) }])],
            expected: [],
        },
        {
            name: "judges a policy without policyTypes by its egress rules (Egress inferred)",
            stack: [...JAEGER, networkPolicy("auth", "allow-jaeger-egress", { podSelector: {}, egress: [{ to: [JAEGER_TO], ports: tcp(4317, 4318) }] })],
            expected: [jaegerMessage("auth", ": TCP 9411", "egress policies: auth/allow-jaeger-egress")],
        },
        {
            name: "names the pods that cannot reach Jaeger when a policy selects only some of them",
            stack: [
                ...JAEGER,
                egressPolicy("auth", "allow-jaeger-egress", [{ to: [JAEGER_TO], ports: tcp(4317, 4318, 9411) }], { podSelector: { matchLabels: { app: "api" } } }),
                egressPolicy("auth", "locked-down", [], { podSelector: { matchLabels: { app: "batch" } } }),
            ],
            expected: [jaegerMessage("auth", " from pods with labels app=batch: TCP 4317, TCP 4318, TCP 9411", "egress policies: auth/locked-down")],
        },
        {
            name: "resolves named ports against the Jaeger pods' container ports",
            stack: [
                collectorService(),
                (() => {
                    const d = jaegerV1Deployment();
                    d.props.spec.template.spec.containers[0].ports = [
                        { name: "zipkin", containerPort: 9411, protocol: "TCP" },
                        { name: "otlp-grpc", containerPort: 4317, protocol: "TCP" },
                        { name: "otlp-http", containerPort: 4318, protocol: "TCP" },
                    ];
                    return d;
                })(),
                egressPolicy("auth", "allow-jaeger-egress", [{ to: [JAEGER_TO], ports: [{ port: "otlp-grpc" }, { port: "otlp-http" }, { port: "zipkin" }] }]),
                egressPolicy("chat", "allow-jaeger-egress", [{ to: [JAEGER_TO], ports: [{ port: "otlp-grpc" }, { port: "otlp-http" }, { port: "http-zipkin" }] }]),
            ],
            expected: [jaegerMessage("chat", ": TCP 9411", "egress policies: chat/allow-jaeger-egress")],
        },
        {
            name: "honors an ingress policy of the Jaeger pods: a namespace it does not admit cannot reach them",
            stack: [
                ...JAEGER,
                jaegerEgressPolicy("auth"),
                jaegerEgressPolicy("chat"),
                namespacePatch("auth", { "istio-injection": "enabled", mesh: "observability" }),
                networkPolicy("istio-system", "collector-ingress", {
                    podSelector: { matchLabels: { "app.kubernetes.io/name": "jaeger" } },
                    policyTypes: ["Ingress"],
                    ingress: [{ from: [{ namespaceSelector: { matchLabels: { mesh: "observability" } } }], ports: tcp(4317, 4318, 9411) }],
                }),
            ],
            expected: [jaegerMessage("chat", ": TCP 4317, TCP 4318, TCP 9411", "egress policies: chat/allow-jaeger-egress; ingress policies: istio-system/collector-ingress")],
        },
        {
            name: "checks mesh namespaces without egress policies against the Jaeger ingress policy",
            stack: [
                ...JAEGER,
                namespacePatch("scan", { "istio-injection": "enabled" }),
                networkPolicy("istio-system", "collector-ingress", { podSelector: { matchLabels: { "app.kubernetes.io/name": "jaeger" } }, ingress: [{ from: [{ podSelector: {} }] }] }),
            ],
            expected: [jaegerMessage("scan", ": TCP 4317, TCP 4318, TCP 9411", "egress policies: none; ingress policies: istio-system/collector-ingress")],
        },
        {
            name: "checks ambient namespaces (their waypoint pods send the Zipkin spans) like sidecar ones, and not namespaces whose revision label istio-injection: disabled overrides",
            stack: [
                ...JAEGER,
                namespacePatch("shop", { "istio.io/dataplane-mode": "ambient", "istio.io/use-waypoint": "waypoint" }),
                namespacePatch("legacy", { "istio-injection": "disabled", "istio.io/rev": "default" }),
                networkPolicy("istio-system", "collector-ingress", { podSelector: { matchLabels: { "app.kubernetes.io/name": "jaeger" } }, ingress: [{ from: [{ podSelector: {} }] }] }),
            ],
            expected: [jaegerMessage("shop", ": TCP 4317, TCP 4318, TCP 9411", "egress policies: none; ingress policies: istio-system/collector-ingress")],
        },
        {
            name: "passes an ambient namespace whose pods, the waypoint's included, the Jaeger ingress policy admits",
            stack: [
                ...JAEGER,
                namespacePatch("shop", { "istio.io/dataplane-mode": "ambient", "istio.io/use-waypoint": "waypoint" }),
                jaegerEgressPolicy("shop"),
                networkPolicy("istio-system", "collector-ingress", {
                    podSelector: { matchLabels: { "app.kubernetes.io/name": "jaeger" } },
                    ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "shop" } } }], ports: tcp(4317, 4318, 9411) }],
                }),
            ],
            expected: [],
        },
        {
            name: "judges the waypoint's pods (istiod deploys them, so they are not in the stack): an allow that leaves them out, under a deny-all, loses the namespace's proxy spans",
            stack: [
                ...JAEGER,
                ambientNamespace("shop"),
                waypoint("shop"),
                egressPolicy("shop", "deny-all", []),
                networkPolicy("shop", "apps-to-jaeger", {
                    podSelector: { matchExpressions: [{ key: WAYPOINT_POD.gatewayNameLabel, operator: "DoesNotExist" }] },
                    policyTypes: ["Egress"],
                    egress: [{ to: [JAEGER_TO], ports: tcp(4317, 4318, 9411) }],
                }),
            ],
            expected: [jaegerMessage("shop", " from waypoint pods of Gateway shop/waypoint: TCP 4317, TCP 4318, TCP 9411", "egress policies: shop/deny-all")],
        },
        {
            name: "passes the waypoint's pods when an allow selects them by the labels istiod gives them (the Gateway's infrastructure labels included)",
            stack: [
                ...JAEGER,
                ambientNamespace("shop"),
                waypoint("shop", WAYPOINT.name, { infrastructure: { labels: { team: "shop", [WAYPOINT_POD.gatewayNameLabel]: "ignored" } } }),
                egressPolicy("shop", "deny-all", []),
                networkPolicy("shop", "apps-to-jaeger", {
                    podSelector: { matchExpressions: [{ key: WAYPOINT_POD.gatewayNameLabel, operator: "DoesNotExist" }] },
                    policyTypes: ["Egress"],
                    egress: [{ to: [JAEGER_TO], ports: tcp(4317, 4318, 9411) }],
                }),
                networkPolicy("shop", "waypoint-to-jaeger", {
                    podSelector: { matchLabels: { team: "shop", [WAYPOINT_POD.gatewayNameLabel]: WAYPOINT.name, [WAYPOINT_POD.managedLabel.key]: WAYPOINT_POD.managedLabel.value } },
                    policyTypes: ["Egress"],
                    egress: [{ to: [JAEGER_TO], ports: tcp(4317, 4318, 9411) }],
                }),
            ],
            expected: [],
        },
        {
            name: "takes a policy the program read from the cluster (reads.json) into account",
            stack: [
                ...JAEGER,
                jaegerEgressPolicy("auth", [4317, 4318]),
                releasesConfigMap([], [readNetworkPolicy("auth", "baseline", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [JAEGER_TO], ports: tcp(9411) }] })]),
            ],
            expected: [],
        },
        {
            name: "reports that it cannot see the Jaeger pods when the collector Service is not in the stack",
            stack: [jaegerEgressPolicy("auth")],
            expected: ["Namespace auth must allow egress to the Jaeger pods on TCP 4317, 4318, 9411; the pack cannot see them: no Service jaeger-collector-clusterip in the stack."],
        },
        {
            name: "stands in for Jaeger pods outside the stack with the collector Service's selector",
            stack: [collectorService(), jaegerEgressPolicy("auth"), jaegerEgressPolicy("chat", [4317])],
            expected: [jaegerMessage("chat", ": TCP 4318, TCP 9411", "egress policies: chat/allow-jaeger-egress")],
        },
        { name: "passes a stack without egress policies or mesh namespaces", stack: [...JAEGER], expected: [] },
    ]);

    it("reports a reads record it cannot parse instead of passing", async () => {
        const record = releasesConfigMap([]);
        record.props.data["reads.json"] = "{not json";
        assert.deepStrictEqual(await stackViolationsOf(n.jaegerEgressMustAllowOtlpAndZipkin, [...JAEGER, record]), [
            "reads.json of the releases record observability-stack-charts must be readable for the pack to judge egress to Jaeger; it is not JSON.",
        ]);
    });
});
