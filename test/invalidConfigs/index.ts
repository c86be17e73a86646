/**
 * Invalid stack configurations, one mistake each, grouped by config area, with the exact first problem line
 * each must be rejected with (test/config.invalid.spec.ts). One module per area; CASES keeps this order.
 */
import { CHART_CASES } from "./charts";
import { EXTERNAL_SERVICE_CASES } from "./externalServices";
import { JAEGER_CASES } from "./jaeger";
import { KIALI_CASES } from "./kiali";
import { MESH_CASES } from "./mesh";
import { NAMESPACE_CASES } from "./namespaces";
import { PROMETHEUS_CASES } from "./prometheus";
import { Case } from "./shared";
import { TOP_LEVEL_CASES } from "./topLevel";
import { UI_CASES } from "./ui";

export const CASES: readonly Case[] = [
    ...TOP_LEVEL_CASES,
    ...CHART_CASES,
    ...MESH_CASES,
    ...JAEGER_CASES,
    ...KIALI_CASES,
    ...PROMETHEUS_CASES,
    ...EXTERNAL_SERVICE_CASES,
    ...NAMESPACE_CASES,
    ...UI_CASES,
];
