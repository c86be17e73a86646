/** The evaluator's cases on the kubernetes.io/metadata.name namespace label, and on reachability (egress of the source AND ingress of the destination). */
import { Case, coredns, dnsPolicy, pod, policy } from "./fixtures";

export const NAMESPACE_AND_REACHABILITY_CASES: readonly Case[] = [
    // Namespace name label
    {
        rule: "namespaces carry kubernetes.io/metadata.name",
        policies: [dnsPolicy([{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }] }])],
        question: "egress",
        src: pod("auth"),
        dst: coredns,
        port: 53,
        protocol: "UDP",
        allowed: true,
    },
    {
        rule: "the right pods in the wrong namespace are not reached",
        policies: [dnsPolicy([{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "dns" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }] }])],
        question: "egress",
        src: pod("auth"),
        dst: coredns,
        port: 53,
        protocol: "UDP",
        allowed: false,
    },
    // Reachability: egress of the source AND ingress of the destination
    {
        rule: "reachable when egress and ingress both allow",
        policies: [dnsPolicy([{}]), policy("kube-system", "dns-in", { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] })],
        question: "reachable",
        src: pod("auth"),
        dst: coredns,
        port: 53,
        protocol: "UDP",
        allowed: true,
    },
    {
        rule: "not reachable when the destination's ingress denies",
        policies: [dnsPolicy([{}]), policy("kube-system", "dns-in", { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] })],
        question: "reachable",
        src: pod("auth"),
        dst: coredns,
        port: 53,
        protocol: "UDP",
        allowed: false,
    },
];
