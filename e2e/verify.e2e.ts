/**
 * `npm run verify -- --stack local` against the real API server after the local stack's `up`: every check passes on
 * the stack as deployed; then each drift a person or another tool makes (istiod's mesh config edited, a second
 * mesh-wide Telemetry, a namespace Telemetry at 0 %, an app namespace's DNS policy gone, the collector Service's
 * selector matching nothing) is reported by its own check, with its message, and by nothing else; the exit status
 * is 1 then and 0 again once the drift is undone. The probe's code path is proven in the tracing suite with real
 * Envoy and Jaeger (tracing/probe.spec.ts). The same local stack with `mesh.dataPlane ambient` (the Gateway API CRDs
 * applied first) passes with ambient-enrolment and waypoints in place of injection; a waypoint Gateway deleted and an
 * app namespace's ambient label removed are each reported by their own check alone, and a cluster that lost the
 * Gateway API CRDs is a failing waypoints finding, not a crash.
 * Needs `scripts/cluster.sh up` first (`npm run test:e2e` does it).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { Stack } from "@pulumi/pulumi/automation";
import { AMBIENT_LABELS, COLLECTOR_SERVICE, GATEWAY_API, SYSTEM_NAMESPACE, WAYPOINT, ZIPKIN_B3_WITH_W3C } from "../lib/constants";
import { CheckResult } from "../verify/checks";
import { PROJECT_DIR, WORK_DIR, airGapped, configSet, kubectl, kubectlJson, waitNamespacesGone } from "./harness";
import { localStack } from "./localStack";
import { applyGatewayApiCrds, deleteGatewayApiCrds } from "./gatewayApi";

const dir = path.join(WORK_DIR, "e2e", "verify");
const ambientDir = path.join(WORK_DIR, "e2e", "verify-ambient");

/** `npm run verify -- --stack local --json`, the local stack's workspace and state in `stateDir` (OBS_LOCAL_DIR). */
function verify(stateDir: string = dir): { status: number | null; results: CheckResult[]; output: string } {
    const r = spawnSync("npm", ["run", "--silent", "verify", "--", "--stack", "local", "--json"], {
        cwd: PROJECT_DIR,
        env: { ...process.env, OBS_LOCAL_DIR: stateDir },
        encoding: "utf8",
        timeout: 120_000,
    });
    let results: CheckResult[] = [];
    try {
        results = (JSON.parse(r.stdout) as { results: CheckResult[] }).results;
    } catch {
        assert.fail(`verify printed no JSON report (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
    }
    return { status: r.status, results, output: `${r.stdout}${r.stderr}` };
}

/** Applies a manifest as another tool would (its own field manager). */
function apply(object: object, stateDir: string = dir): void {
    const file = path.join(stateDir, "drift.json");
    fs.writeFileSync(file, JSON.stringify(object));
    kubectl(["apply", "--server-side", "--force-conflicts", "--field-manager", "hand-edit", "-f", file]);
}

/** An object as read, made fit to apply again (server-set fields dropped). */
function reapplicable(o: any): object {
    const metadata = Object.fromEntries(
        Object.entries(o.metadata as Record<string, unknown>).filter(([k]) => !["uid", "resourceVersion", "creationTimestamp", "managedFields", "generation"].includes(k)),
    );
    return { apiVersion: o.apiVersion, kind: o.kind, metadata, ...(o.spec !== undefined ? { spec: o.spec } : {}), ...(o.data !== undefined ? { data: o.data } : {}) };
}

const telemetry = (namespace: string, name: string, percentage: number) => ({
    apiVersion: "telemetry.istio.io/v1",
    kind: "Telemetry",
    metadata: { name, namespace },
    spec: { tracing: [{ randomSamplingPercentage: percentage }] },
});

/** Replaces the collector Service's selector, as a hand edit would. */
function setCollectorSelector(selector: Record<string, string>): void {
    kubectl(["-n", SYSTEM_NAMESPACE, "patch", "service", COLLECTOR_SERVICE.name, "--type", "json", "-p", JSON.stringify([{ op: "replace", path: "/spec/selector", value: selector }])]);
}

interface Drift {
    readonly name: string;
    readonly check: string;
    readonly message: RegExp;
    readonly make: () => void;
    readonly undo: () => void;
}

describe("npm run verify, against the local stack", function () {
    this.timeout(900_000);
    let stack: Stack;

    before(async () => {
        fs.rmSync(dir, { recursive: true, force: true });
        process.env.OBS_LOCAL_DIR = dir;
        stack = await localStack();
        delete process.env.OBS_LOCAL_DIR;
        await configSet(stack, airGapped());
        await stack.up();
    });

    after(async () => {
        await stack.destroy().catch(() => undefined);
        waitNamespacesGone([SYSTEM_NAMESPACE, "auth", "chat"]);
    });

    it("passes every check on the stack as deployed, and exits 0", () => {
        const r = verify();
        assert.deepStrictEqual(
            r.results.filter((c) => c.status === "fail").map((c) => `${c.id}: ${c.found.join("; ")}`),
            [],
        );
        assert.deepStrictEqual(
            r.results.map((c) => c.id),
            ["mesh-config", "telemetry", "injection", "network", "jaeger-services", "kiali-config"],
        );
        assert.strictEqual(r.status, 0, r.output);
        assert.ok(r.results.find((c) => c.id === "jaeger-services")?.found.includes("ready endpoints not checked: the cluster has no nodes, so no pod is ever scheduled"));
    });

    const saved = new Map<string, object>();
    const drifts: Drift[] = [
        {
            name: "istiod's mesh config edited by hand (the zipkin port)",
            check: "mesh-config",
            // The local stack runs Istio 1.30, whose zipkin provider propagates B3 and W3C by default: verify names the option too.
            message: new RegExp(
                `^tracing provider jaeger: zipkin jaeger-collector-clusterip\\.istio-system\\.svc\\.cluster\\.local:9412 \\(${ZIPKIN_B3_WITH_W3C}\\), the stack declares zipkin jaeger-collector-clusterip\\.istio-system\\.svc\\.cluster\\.local:9411 \\(${ZIPKIN_B3_WITH_W3C}\\)$`,
            ),
            make: () => {
                const cm = kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "configmap", "istio"]);
                saved.set("mesh", reapplicable(cm));
                apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "istio", namespace: SYSTEM_NAMESPACE }, data: { mesh: String(cm.data.mesh).replace("port: 9411", "port: 9412") } });
            },
            undo: () => apply(saved.get("mesh") ?? {}),
        },
        {
            name: "a second mesh-wide Telemetry",
            check: "telemetry",
            message: /^2 mesh-wide Telemetries in istio-system: (global-sampling, second-opinion|second-opinion, global-sampling); expected one, global-sampling$/,
            make: () => apply(telemetry(SYSTEM_NAMESPACE, "second-opinion", 100)),
            undo: () => kubectl(["-n", SYSTEM_NAMESPACE, "delete", "telemetries.telemetry.istio.io", "second-opinion"]),
        },
        {
            name: "a namespace Telemetry at 0 %",
            check: "telemetry",
            message: /^auth: sampling 0 %, set by Telemetry auth\/no-traces \(overrides the mesh's\)$/,
            make: () => apply(telemetry("auth", "no-traces", 0)),
            undo: () => kubectl(["-n", "auth", "delete", "telemetries.telemetry.istio.io", "no-traces"]),
        },
        {
            name: "an app namespace left without its DNS policy",
            check: "network",
            message:
                /^auth: cannot reach DNS UDP 53, DNS TCP 53 \(egress policies: auth\/allow-app-namespaces-egress, auth\/allow-external-services-egress, auth\/allow-istiod-egress, auth\/allow-jaeger-egress\)$/,
            make: () => {
                saved.set("dns", reapplicable(kubectlJson(["-n", "auth", "get", "networkpolicy", "allow-dns-egress"])));
                kubectl(["-n", "auth", "delete", "networkpolicy", "allow-dns-egress"]);
            },
            undo: () => apply(saved.get("dns") ?? {}),
        },
        {
            name: "the collector Service's selector matching no pod",
            check: "jaeger-services",
            message: /^jaeger-collector-clusterip: its selector \{"app.kubernetes.io\/name":"nobody"\} matches no Jaeger pod/,
            make: () => {
                saved.set("collector", reapplicable(kubectlJson(["-n", SYSTEM_NAMESPACE, "get", "service", COLLECTOR_SERVICE.name])));
                setCollectorSelector({ "app.kubernetes.io/name": "nobody" });
            },
            undo: () => setCollectorSelector((saved.get("collector") as any).spec.selector),
        },
    ];

    for (const d of drifts) {
        it(`reports ${d.name} by ${d.check} alone, exit 1, and passes again once it is undone`, () => {
            d.make();
            try {
                const r = verify();
                const failing = r.results.filter((c) => c.status === "fail");
                assert.deepStrictEqual(
                    failing.map((c) => c.id),
                    [d.check],
                    r.output,
                );
                assert.ok(
                    failing[0].found.some((f) => d.message.test(f)),
                    `expected ${String(d.message)} in:\n  ${failing[0].found.join("\n  ")}`,
                );
                assert.ok(failing[0].fix.length > 0 && failing[0].guards.length > 0);
                assert.strictEqual(r.status, 1);
            } finally {
                d.undo();
            }
            const again = verify();
            assert.deepStrictEqual(
                again.results.filter((c) => c.status === "fail").map((c) => c.id),
                [],
                again.output,
            );
            assert.strictEqual(again.status, 0);
        });
    }
});

describe("npm run verify, against an ambient stack (waypoints)", function () {
    this.timeout(900_000);
    let stack: Stack;
    const GATEWAY = `gateways.${GATEWAY_API.group}`;

    /** Nothing fails but `check`, whose findings include `message`; exit 1. */
    function failsAlone(check: string, message: string): void {
        const r = verify(ambientDir);
        const failing = r.results.filter((c) => c.status === "fail");
        assert.deepStrictEqual(
            failing.map((c) => c.id),
            [check],
            r.output,
        );
        assert.ok(failing[0].found.includes(message), `expected ${message} in:\n  ${failing[0].found.join("\n  ")}`);
        assert.ok(failing[0].fix.length > 0 && failing[0].guards.length > 0);
        assert.strictEqual(r.status, 1);
    }

    function passes(): void {
        const r = verify(ambientDir);
        assert.deepStrictEqual(
            r.results.filter((c) => c.status === "fail").map((c) => `${c.id}: ${c.found.join("; ")}`),
            [],
        );
        assert.strictEqual(r.status, 0, r.output);
    }

    before(async () => {
        waitNamespacesGone([SYSTEM_NAMESPACE, "auth", "chat"]);
        fs.rmSync(ambientDir, { recursive: true, force: true });
        applyGatewayApiCrds();
        process.env.OBS_LOCAL_DIR = ambientDir;
        stack = await localStack();
        delete process.env.OBS_LOCAL_DIR;
        await configSet(stack, [...airGapped(), { key: "mesh.dataPlane", value: "ambient" }]);
        await stack.up();
    });

    after(async () => {
        applyGatewayApiCrds();
        await stack.destroy().catch(() => undefined);
        waitNamespacesGone([SYSTEM_NAMESPACE, "auth", "chat"]);
    });

    it("passes every check on the ambient stack as deployed, ambient-enrolment and waypoints in place of injection, and exits 0", () => {
        const r = verify(ambientDir);
        assert.deepStrictEqual(
            r.results.filter((c) => c.status === "fail").map((c) => `${c.id}: ${c.found.join("; ")}`),
            [],
        );
        assert.deepStrictEqual(
            r.results.map((c) => c.id),
            ["mesh-config", "telemetry", "ambient-enrolment", "waypoints", "network", "jaeger-services", "kiali-config"],
        );
        assert.strictEqual(r.status, 0, r.output);
        const waypoints = r.results.find((c) => c.id === "waypoints")?.found ?? [];
        assert.deepStrictEqual(waypoints, [
            "auth: waypoint waypoint (Gateway class istio-waypoint)",
            "chat: waypoint waypoint (Gateway class istio-waypoint)",
            "waypoint readiness not checked: the cluster has no nodes, so no pod is ever scheduled",
        ]);
        assert.ok(r.results.find((c) => c.id === "ambient-enrolment")?.found.includes("auth: enrolled, 0 pods"), r.output);
    });

    it("reports a waypoint Gateway deleted by waypoints alone, exit 1, and passes again once it is put back", () => {
        const gw = reapplicable(kubectlJson(["-n", "auth", "get", GATEWAY, WAYPOINT.name]));
        kubectl(["-n", "auth", "delete", GATEWAY, WAYPOINT.name, "--wait=true"]);
        try {
            failsAlone("waypoints", "auth: istio.io/use-waypoint=waypoint, but there is no Gateway auth/waypoint");
        } finally {
            apply(gw, ambientDir);
        }
        passes();
    });

    it("reports an app namespace's ambient label removed by ambient-enrolment alone, exit 1, and passes again once it is put back", () => {
        kubectl(["label", "namespace", "chat", `${AMBIENT_LABELS.dataplaneMode}-`]);
        try {
            failsAlone("ambient-enrolment", "chat: not enrolled (istio.io/dataplane-mode unset; the stack declares ambient)");
        } finally {
            kubectl(["label", "namespace", "chat", `${AMBIENT_LABELS.dataplaneMode}=ambient`]);
        }
        passes();
    });

    it("reports a cluster without the Gateway API CRDs by waypoints alone, exit 1, no crash", () => {
        deleteGatewayApiCrds();
        failsAlone("waypoints", "the cluster has no Gateway API CRDs (gateways.gateway.networking.k8s.io, v1): no waypoint can exist");
    });
});
