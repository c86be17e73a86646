/** Invalid configs: the top-level keys (unknown keys, environment, awaitReadiness, createAppNamespaces). */
import { Case, DEV } from "./shared";

const TOP_KEYS = "environment, awaitReadiness, charts, gateway, mesh, tracing, extAuthz, jaeger, kiali, prometheus, externalServices, appNamespaces, createAppNamespaces, networkPolicies, ui";

export const TOP_LEVEL_CASES: readonly Case[] = [
    // top level
    { mistake: "an unknown top-level key", raw: { ...DEV, samplingRate: 5 }, first: `samplingRate: got 5; unknown key; allowed keys: ${TOP_KEYS}` },
    { mistake: "an unknown environment", raw: { ...DEV, environment: "staging" }, first: 'environment: got "staging"; allowed: dev, production' },
    { mistake: "a number as environment", raw: { ...DEV, environment: 5 }, first: "environment: got 5; allowed: dev, production" },
    { mistake: "a null environment", raw: { ...DEV, environment: null }, first: "environment: got null; allowed: dev, production" },
    { mistake: "a word for awaitReadiness", raw: { ...DEV, awaitReadiness: "yes" }, first: 'awaitReadiness: got "yes"; expected true or false' },
    { mistake: "a null awaitReadiness", raw: { ...DEV, awaitReadiness: null }, first: "awaitReadiness: got null; expected true or false" },
    { mistake: "a number for createAppNamespaces", raw: { ...DEV, createAppNamespaces: 1 }, first: "createAppNamespaces: got 1; expected true or false" },
];
