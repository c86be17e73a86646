/** Chart versions: pinned exactly, and not on a line past its end of life. */
import { StackValidationPolicy } from "@pulumi/policy";
import { EXACT_VERSION, JAEGER_V1_END_OF_LIFE, parseVersion } from "../../lib/charts";
import { installedCharts, requestedChartsOfStack } from "../lib/charts";
import { configOf, stackResources } from "../lib/policy";

export const PINNED = "chart-versions-must-be-pinned";

/** Requested versions are exact; a Chart v4 without a readable releases record is reported, not passed. */
export const chartVersionsMustBePinned: StackValidationPolicy = {
    name: PINNED,
    description: "Every Helm chart must be pinned to an exact version, never empty or a range.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
        "Set charts.<role>.version to an exact version such as 1.30.3; install charts through the program, which records them for the pack (Chart v4 inputs are invisible to policy packs).",
    url: "https://helm.sh/docs/topics/charts/#charts-and-versioning",
    validateStack: (args, reportViolation) => {
        const { charts, blind } = requestedChartsOfStack(stackResources(args), { what: "its requested version" });
        for (const b of blind) {
            reportViolation(b.message, b.urn);
        }
        for (const c of charts) {
            if (typeof c.version !== "string" || !EXACT_VERSION.test(c.version)) {
                reportViolation(`Chart ${c.chart} must be pinned to an exact version such as 1.30.3; version is ${JSON.stringify(c.version ?? "")}.`, c.urn);
            }
        }
    },
};

export const END_OF_LIFE = "chart-versions-must-not-be-end-of-life";

/** Config of {@link chartVersionsMustNotBeEndOfLife}. */
interface EndOfLifeArgs {
    /** Oldest Istio minor still supported (Istio supports a minor until 6 weeks after N+2). @default 28 */
    oldestSupportedIstioMinor: number;
}

/** End-of-life dates published on istio.io (Supported Releases), for the messages. */
const ISTIO_END_OF_LIFE: Readonly<Record<string, string>> = { "1.23": "2025-04-16", "1.24": "2025-06-24" };

const ISTIO_CHARTS = ["base", "istiod", "gateway"];

export const chartVersionsMustNotBeEndOfLife: StackValidationPolicy = {
    name: END_OF_LIFE,
    description: "Charts must not install a line past its end of life: Jaeger v1 (jaeger chart below 4) or an unsupported Istio minor.",
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps: "Move to the current versions (the program's defaults: Istio 1.30.3, jaeger 4.11.1, kiali-server 2.29.0).",
    url: "https://istio.io/latest/docs/releases/supported-releases/",
    configSchema: { properties: { oldestSupportedIstioMinor: { type: "integer", minimum: 0, default: 28 } } },
    validateStack: (args, reportViolation) => {
        const { oldestSupportedIstioMinor } = configOf<EndOfLifeArgs>(args);
        for (const c of installedCharts(stackResources(args))) {
            const v = parseVersion(c.version);
            if (v === undefined) {
                continue;
            }
            if (c.chart === "jaeger" && v.major < 4) {
                reportViolation(`Chart jaeger ${c.version} must not be used: it runs Jaeger v1, end of life ${JAEGER_V1_END_OF_LIFE}; expected jaeger 4.x (Jaeger v2).`, c.urn);
            }
            if (ISTIO_CHARTS.includes(c.chart) && v.major === 1 && v.minor < oldestSupportedIstioMinor) {
                const minor = `${v.major}.${v.minor}`;
                const date = ISTIO_END_OF_LIFE[minor];
                reportViolation(
                    `Chart ${c.chart} ${c.version} must not be used: Istio ${minor} is past its end of life${date !== undefined ? ` (${date})` : ""}; expected Istio 1.${oldestSupportedIstioMinor} or later.`,
                    c.urn,
                );
            }
        }
    },
};

export const chartPolicies = [chartVersionsMustBePinned, chartVersionsMustNotBeEndOfLife];
