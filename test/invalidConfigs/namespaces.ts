/** Invalid configs: the app namespaces and their network policies (`appNamespaces`, `networkPolicies`). */
import { Case, DEV } from "./shared";

const DNS_LABEL = "expected a DNS label (lower-case letters, digits and '-', at most 63 characters)";

export const NAMESPACE_CASES: readonly Case[] = [
    // app namespaces
    { mistake: "namespaces as one string", raw: { ...DEV, appNamespaces: "auth,chat" }, first: 'appNamespaces: got "auth,chat"; expected a list' },
    { mistake: "a system namespace", raw: { ...DEV, appNamespaces: ["auth", "kube-system"] }, first: 'appNamespaces[1]: got "kube-system"; system namespaces cannot be app namespaces' },
    { mistake: "a namespace twice", raw: { ...DEV, appNamespaces: ["auth", "auth"] }, first: 'appNamespaces[1]: got "auth"; namespaces must be unique' },
    { mistake: "a namespace of 64 characters", raw: { ...DEV, appNamespaces: ["a".repeat(64)] }, first: `appNamespaces[0]: got "${"a".repeat(64)}"; ${DNS_LABEL}` },
    { mistake: "a null namespace", raw: { ...DEV, appNamespaces: [null] }, first: "appNamespaces[0]: got null; expected a non-empty string" },
    // network policies
    { mistake: "an unknown policy mode", raw: { ...DEV, networkPolicies: { mode: "strict" } }, first: 'networkPolicies.mode: got "strict"; allowed: complete, baseline' },
    {
        mistake: "baseline mode without its policy",
        raw: { ...DEV, networkPolicies: { mode: "baseline" } },
        first: "networkPolicies.baselinePolicy: got nothing; required when mode is baseline: the name of the existing NetworkPolicy in every app namespace that allows DNS and istiod egress",
    },
    {
        mistake: "a baseline policy in complete mode",
        raw: { ...DEV, networkPolicies: { baselinePolicy: "allow-dns" } },
        first: 'networkPolicies.baselinePolicy: got "allow-dns"; only allowed when mode is baseline',
    },
    {
        mistake: "a baseline policy name with spaces",
        raw: { ...DEV, networkPolicies: { mode: "baseline", baselinePolicy: "Allow DNS" } },
        first: 'networkPolicies.baselinePolicy: got "Allow DNS"; expected a NetworkPolicy name',
    },
    { mistake: "a DNS namespace with spaces", raw: { ...DEV, networkPolicies: { dnsNamespace: "Kube System" } }, first: 'networkPolicies.dnsNamespace: got "Kube System"; expected a namespace name' },
    {
        mistake: "a number as label value",
        raw: { ...DEV, networkPolicies: { dnsPodLabels: { "k8s-app": 1 } } },
        first: 'networkPolicies.dnsPodLabels: got {"k8s-app":1}; expected a map of string to string',
    },
    {
        mistake: "an unknown network policy key",
        raw: { ...DEV, networkPolicies: { egress: "deny" } },
        first: 'networkPolicies.egress: got "deny"; unknown key; allowed keys of networkPolicies: mode, baselinePolicy, dnsNamespace, dnsPodLabels',
    },
];
