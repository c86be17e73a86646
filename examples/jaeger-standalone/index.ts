/**
 * A program of your own that uses two components of observability-stack without the rest of the
 * stack: Jaeger (chart 4.x, Jaeger v2, in-memory storage) in a namespace it creates, and the ingress
 * NetworkPolicies that let only the app namespaces send spans to it. The components take their
 * Kubernetes provider from the resource options, as any Pulumi component does.
 *
 *   pulumi stack init dev && pulumi preview
 *
 * `npm run test:e2e` previews it against the local control plane, the chart from the loopback mirror
 * (`pulumi config set chartRepo http://127.0.0.1:8879`).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Jaeger, JaegerIngressPolicies } from "../../components";
import { DEFAULT_CHARTS } from "../../lib/charts";
import { JAEGER_PORTS } from "../../lib/constants";

const config = new pulumi.Config();
const namespaceName = config.require("namespace");
const provider = new k8s.Provider("cluster", { enableServerSideApply: true });

const namespace = new k8s.core.v1.Namespace("tracing", { metadata: { name: namespaceName } }, { provider });

const jaeger = new Jaeger(
    "jaeger",
    {
        chart: { ...DEFAULT_CHARTS.jaeger, repo: config.require("chartRepo") },
        namespace: namespaceName,
        resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "250m", memory: "256Mi" } },
        // A node pool of its own: merged last into the values the component renders.
        values: { jaeger: { tolerations: [{ key: "dedicated", operator: "Equal", value: "tracing", effect: "NoSchedule" }] } },
    },
    { provider, dependsOn: [namespace] },
);

new JaegerIngressPolicies("jaeger-ingress", { line: jaeger.chartLine, appNamespaces: ["shop"], namespace: namespaceName }, { provider, dependsOn: [jaeger] });

export const otlpEndpoint = `http://${jaeger.collectorHost}:${JAEGER_PORTS.otlpGrpc}`;
export const chartLine = jaeger.chartLine;
