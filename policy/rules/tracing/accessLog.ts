/** What the access log carries: the trace id Envoy always sets, in the mesh config's formats and in EnvoyFilters. */
import * as k8s from "@pulumi/kubernetes";
import { ResourceValidationPolicy } from "@pulumi/policy";
import { STALE_TRACE_ID_OPERATOR, TRACE_ID_OPERATOR } from "../../../lib/constants";
import { ConfigMapProps, CustomResourceProps, TYPES, at, customResourceOf, extensionProviders, meshConfigOf, ref, strings } from "../../lib/k8s";

export const ACCESS_LOG_TRACE_ID = "access-log-must-use-trace-id";

/** Access-log formats carry `%TRACE_ID%`, never `%REQ(X-B3-TRACEID)%` (empty when the client sent no header). */
export const accessLogMustUseTraceId: ResourceValidationPolicy = {
    name: ACCESS_LOG_TRACE_ID,
    description: "Access-log formats must log the trace id with %TRACE_ID%, which Envoy always sets, not %REQ(X-B3-TRACEID)%.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: `Replace ${STALE_TRACE_ID_OPERATOR} with ${TRACE_ID_OPERATOR} in the access-log format; with enforcement level "remediate" the pack rewrites it.`,
    url: "https://www.envoyproxy.io/docs/envoy/latest/configuration/observability/access_log/usage#command-operators",
    // Unambiguous and harmless: %TRACE_ID% carries the same id whenever the header is present, and an id when it is not.
    remediateResource: (args) => {
        const replace = (text: string) => text.split(STALE_TRACE_ID_OPERATOR).join(TRACE_ID_OPERATOR);
        const filter = customResourceOf(TYPES.envoyFilter, args);
        if (filter !== undefined && JSON.stringify(filter).includes(STALE_TRACE_ID_OPERATOR)) {
            return JSON.parse(replace(JSON.stringify(filter))) as Record<string, unknown>;
        }
        const cm = args.asType(k8s.core.v1.ConfigMap);
        const mesh = cm?.data?.mesh;
        if (cm !== undefined && meshConfigOf(cm) !== undefined && typeof mesh === "string" && mesh.includes(STALE_TRACE_ID_OPERATOR)) {
            return { ...cm, data: { ...cm.data, mesh: replace(mesh) } };
        }
        return undefined;
    },
    // One validation, not one per type: @pulumi/policy 1.21.0 deserializes a resource's properties once per validation.
    validateResource: (args, reportViolation) => {
        const cm = args.asType(k8s.core.v1.ConfigMap);
        if (cm !== undefined) {
            checkAccessLogFormats(meshAccessLogFormats(cm), reportViolation);
        }
        const filter = customResourceOf(TYPES.envoyFilter, args);
        if (filter !== undefined) {
            checkAccessLogFormats(envoyFilterFormats(filter), reportViolation);
        }
    },
};

interface AccessLogFormat {
    readonly label: string;
    readonly value: unknown;
    readonly requireTraceId: boolean;
}

/** Access-log formats of a mesh config: the file access-log providers and `accessLogFormat`. */
function meshAccessLogFormats(cm: ConfigMapProps): AccessLogFormat[] {
    const mesh = meshConfigOf(cm);
    if (mesh === undefined) {
        return [];
    }
    const where: AccessLogFormat[] = [];
    for (const p of extensionProviders(mesh)) {
        const logFormat = at(p, ["envoyFileAccessLog", "logFormat"]);
        if (logFormat !== undefined) {
            where.push({ label: `access-log provider ${p.name}`, value: logFormat, requireTraceId: true });
        }
    }
    if (typeof mesh.accessLogFormat === "string" && mesh.accessLogFormat !== "") {
        where.push({ label: "meshConfig.accessLogFormat", value: mesh.accessLogFormat, requireTraceId: true });
    }
    return where;
}

/** The access-log formats an EnvoyFilter patches in (json_format, text_format, log_format). */
function envoyFilterFormats(filter: CustomResourceProps): AccessLogFormat[] {
    const formats = strings(filter.spec).filter((s) => /json_format|text_format|log_format/.test(s.path));
    return [{ label: `EnvoyFilter ${ref(filter)}`, value: formats.map((s) => s.value), requireTraceId: formats.length > 0 }];
}

function checkAccessLogFormats(where: readonly AccessLogFormat[], reportViolation: (message: string) => void): void {
    for (const w of where) {
        const values = strings(w.value).map((s) => s.value);
        if (values.some((v) => v.includes(STALE_TRACE_ID_OPERATOR))) {
            reportViolation(`${cap(w.label)} must log the trace id with ${TRACE_ID_OPERATOR}, not ${STALE_TRACE_ID_OPERATOR} (empty when the client sent no B3 header).`);
        } else if (w.requireTraceId && !values.some((v) => v.includes(TRACE_ID_OPERATOR))) {
            reportViolation(`${cap(w.label)} must carry the trace id; expected a field with ${TRACE_ID_OPERATOR}.`);
        }
    }
}

function cap(s: string): string {
    return s.charAt(0).toUpperCase() + s.slice(1);
}
