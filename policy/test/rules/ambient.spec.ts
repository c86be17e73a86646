import * as assert from "assert";
import * as a from "../../rules/ambient";
import { ambientDaemonSet, ambientNamespace, ambientStack, chart, helmRelease, istiodDeployment, meshConfigMap, namespace, namespacePatch, releasesConfigMap, telemetry, waypoint } from "../fixtures";
import { WAYPOINT } from "../../../lib/constants";
import { UNKNOWN_STRING, stackViolationsOf, stackViolationsWithUrns, violationsOf } from "../harness";

describe(a.AMBIENT_WAYPOINT, () => {
    const check = (...stack: Parameters<typeof stackViolationsOf>[1]) => stackViolationsOf(a.ambientNamespacesMustUseADeclaredWaypoint, stack);

    it("passes the program's ambient namespaces, each with its waypoint, and a waypoint in another namespace named with use-waypoint-namespace", async () => {
        assert.deepStrictEqual(await check(...ambientStack(["auth", "chat"])), []);
        const fromAll = { listeners: [{ ...WAYPOINT.listener, allowedRoutes: { namespaces: { from: "All" } } }] };
        assert.deepStrictEqual(await check(ambientNamespace("auth", { "istio.io/use-waypoint-namespace": "shared" }), waypoint("shared", "waypoint", fromAll)), []);
        const fromSelected = { listeners: [{ ...WAYPOINT.listener, allowedRoutes: { namespaces: { from: "Selector", selector: { matchLabels: { "kubernetes.io/metadata.name": "auth" } } } } }] };
        assert.deepStrictEqual(await check(ambientNamespace("auth", { "istio.io/use-waypoint-namespace": "shared" }), waypoint("shared", "waypoint", fromSelected)), []);
    });

    it("denies a waypoint in another namespace that does not accept the namespace (allowedRoutes Same by default, or a Selector that does not match)", async () => {
        assert.deepStrictEqual(
            await stackViolationsWithUrns(a.ambientNamespacesMustUseADeclaredWaypoint, [ambientNamespace("auth", { "istio.io/use-waypoint-namespace": "shared" }), waypoint("shared")]),
            [
                {
                    message:
                        "Namespace auth (istio.io/dataplane-mode: ambient) must use a waypoint that accepts it; waypoint shared/waypoint takes Services only from its own namespace (allowedRoutes.namespaces.from of its HBONE listener is Same), so istiod binds the namespace's Services to no waypoint. Set allowedRoutes.namespaces.from: All (or a Selector matching auth) on listener mesh, or give auth a waypoint of its own.",
                    urn: "urn:pulumi:test::observability-stack::kubernetes:gateway.networking.k8s.io/v1:Gateway::shared-waypoint",
                },
            ],
        );
        const fromOther = { listeners: [{ ...WAYPOINT.listener, allowedRoutes: { namespaces: { from: "Selector", selector: { matchLabels: { team: "chat" } } } } }] };
        assert.deepStrictEqual(await check(ambientNamespace("auth", { "istio.io/use-waypoint-namespace": "shared" }), waypoint("shared", "waypoint", fromOther)), [
            "Namespace auth (istio.io/dataplane-mode: ambient) must use a waypoint that accepts it; waypoint shared/waypoint takes Services only from namespaces its selector matches (allowedRoutes.namespaces.from of its HBONE listener is Selector), so istiod binds the namespace's Services to no waypoint. Set allowedRoutes.namespaces.from: All (or a Selector matching auth) on listener mesh, or give auth a waypoint of its own.",
        ]);
    });

    it("ignores sidecar namespaces and namespaces without labels", async () => {
        assert.deepStrictEqual(await check(namespacePatch("auth", { "istio-injection": "enabled" }), namespace("tools", {})), []);
    });

    it("denies an ambient namespace without istio.io/use-waypoint, on the namespace", async () => {
        assert.deepStrictEqual(await stackViolationsWithUrns(a.ambientNamespacesMustUseADeclaredWaypoint, [ambientNamespace("auth", { "istio.io/use-waypoint": undefined })]), [
            {
                message:
                    "Namespace auth (istio.io/dataplane-mode: ambient) must use a waypoint to trace its requests (ztunnel emits no spans, only a waypoint does); it has no istio.io/use-waypoint label. Label it istio.io/use-waypoint: waypoint and declare Gateway waypoint of class istio-waypoint (listener mesh 15008/HBONE) in auth.",
                urn: "urn:pulumi:test::observability-stack::kubernetes:core/v1:Namespace::auth",
            },
        ]);
    });

    it("denies istio.io/use-waypoint: none (istiod's opt-out)", async () => {
        assert.deepStrictEqual(await check(ambientNamespace("auth", { "istio.io/use-waypoint": "none" }), waypoint("auth")), [
            "Namespace auth (istio.io/dataplane-mode: ambient) must use a waypoint to trace its requests (ztunnel emits no spans, only a waypoint does); it has istio.io/use-waypoint: none. Label it istio.io/use-waypoint: waypoint and declare Gateway waypoint of class istio-waypoint (listener mesh 15008/HBONE) in auth.",
        ]);
    });

    it("denies a waypoint the stack does not declare: a missing Gateway, or one in another namespace than the label says", async () => {
        const missing =
            "Namespace auth (istio.io/dataplane-mode: ambient) must use a waypoint the stack declares; its istio.io/use-waypoint names auth/waypoint, which is no Gateway of the stack, so istiod binds its Services to no waypoint and their requests leave no proxy spans. Declare Gateway auth/waypoint of class istio-waypoint (listener mesh 15008/HBONE), or fix the label.";
        assert.deepStrictEqual(await check(ambientNamespace("auth")), [missing]);
        assert.deepStrictEqual(await check(ambientNamespace("auth"), waypoint("chat")), [missing]);
        assert.deepStrictEqual(await check(ambientNamespace("auth", { "istio.io/use-waypoint-namespace": "shared" }), waypoint("auth")), [missing.split("auth/waypoint").join("shared/waypoint")]);
    });

    it("denies a Gateway of another class, and a waypoint that does not serve Services", async () => {
        assert.deepStrictEqual(await check(ambientNamespace("auth"), waypoint("auth", "waypoint", { gatewayClassName: "istio" })), [
            'Namespace auth (istio.io/dataplane-mode: ambient) must use a waypoint; its istio.io/use-waypoint names Gateway auth/waypoint, whose gatewayClassName is "istio", not istio-waypoint. Name a Gateway of class istio-waypoint.',
        ]);
        assert.deepStrictEqual(await check(ambientNamespace("auth"), waypoint("auth", "waypoint", {}, { "istio.io/waypoint-for": "workload" })), [
            "Namespace auth (istio.io/dataplane-mode: ambient) must use a waypoint that serves Services; waypoint auth/waypoint is labelled istio.io/waypoint-for: workload, so istiod binds the namespace's Services to no waypoint. Label the waypoint istio.io/waypoint-for: service.",
        ]);
        assert.deepStrictEqual(await check(ambientNamespace("auth"), waypoint("auth", "waypoint", {}, { "istio.io/waypoint-for": "all" })), []);
        assert.deepStrictEqual(await check(ambientNamespace("auth"), waypoint("auth", "waypoint", {}, {})), []);
    });

    it("reports a namespace whose labels are unknown during preview instead of passing", async () => {
        const ns = ambientNamespace("auth");
        ns.props.metadata.labels["istio.io/use-waypoint"] = UNKNOWN_STRING;
        assert.deepStrictEqual(await check(ns, waypoint("auth")), [
            "Namespace auth must be readable for the pack to check the waypoints of ambient namespaces; string value at .metadata.labels.istio.io/use-waypoint can't be known during preview.",
        ]);
    });
});

describe(a.NO_SIDECAR_IN_AMBIENT, () => {
    it("passes an ambient namespace, a sidecar namespace, and a revision label that istio-injection: disabled overrides", async () => {
        for (const ns of [
            ambientNamespace("auth"),
            namespacePatch("auth", { "istio-injection": "enabled" }),
            namespace("auth", { "istio.io/rev": "default" }),
            namespace("auth", { "istio-injection": "disabled", "istio.io/rev": "default", "istio.io/dataplane-mode": "ambient" }),
        ]) {
            assert.deepStrictEqual(await violationsOf(a.namespacesMustNotMixSidecarInjectionAndAmbient, ns), [], JSON.stringify(ns.props.metadata.labels));
        }
    });

    it("denies istio-injection: enabled beside istio.io/dataplane-mode: ambient, on a Namespace and on a NamespacePatch", async () => {
        const message =
            "Namespace auth must not be labelled both istio-injection=enabled and istio.io/dataplane-mode: ambient: its pods get sidecars and istio-cni then leaves them out of ambient mode, so its waypoint never sees their traffic. Remove istio-injection (ambient) or istio.io/dataplane-mode (sidecars).";
        assert.deepStrictEqual(await violationsOf(a.namespacesMustNotMixSidecarInjectionAndAmbient, ambientNamespace("auth", { "istio-injection": "enabled" })), [message]);
        assert.deepStrictEqual(await violationsOf(a.namespacesMustNotMixSidecarInjectionAndAmbient, namespacePatch("auth", { "istio-injection": "enabled", "istio.io/dataplane-mode": "ambient" })), [
            message,
        ]);
    });

    it("denies a revision label beside ambient", async () => {
        assert.deepStrictEqual(await violationsOf(a.namespacesMustNotMixSidecarInjectionAndAmbient, ambientNamespace("chat", { "istio.io/rev": "1-30" })), [
            "Namespace chat must not be labelled both istio.io/rev=1-30 and istio.io/dataplane-mode: ambient: its pods get sidecars and istio-cni then leaves them out of ambient mode, so its waypoint never sees their traffic. Remove istio.io/rev (ambient) or istio.io/dataplane-mode (sidecars).",
        ]);
    });
});

describe(a.TELEMETRY_REACHES_WAYPOINTS, () => {
    const check = (...stack: Parameters<typeof stackViolationsOf>[1]) => stackViolationsOf(a.telemetryMustReachWaypoints, stack);
    const toWaypoint = { targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "waypoint" }] };

    it("passes the mesh-wide Telemetry, a namespace-wide one, and one targeting the waypoint or a Service it serves", async () => {
        assert.deepStrictEqual(await check(...ambientStack(["auth", "chat"]), telemetry(10)), []);
        assert.deepStrictEqual(await check(...ambientStack(), telemetry(10, {}, "auth")), []);
        assert.deepStrictEqual(await check(...ambientStack(), telemetry(10, toWaypoint, "auth")), []);
        assert.deepStrictEqual(await check(...ambientStack(), telemetry(10, { targetRefs: [{ group: "", kind: "Service", name: "auth-api" }] }, "auth")), []);
    });

    it("ignores stacks without waypoints, Telemetry without tracing or access logging, and namespaces no waypoint serves", async () => {
        assert.deepStrictEqual(await check(namespacePatch("auth", { "istio-injection": "enabled" }), telemetry(10, { selector: { matchLabels: { app: "auth-api" } } }, "auth")), []);
        assert.deepStrictEqual(await check(...ambientStack(), telemetry(10, { selector: { matchLabels: { app: "auth-api" } }, tracing: [], accessLogging: [] }, "auth")), []);
        assert.deepStrictEqual(await check(...ambientStack(), telemetry(10, { selector: { matchLabels: { app: "legacy" } } }, "legacy")), []);
    });

    it("denies a Telemetry that selects pods with selector (waypoints ignore it), naming the waypoint", async () => {
        assert.deepStrictEqual(await stackViolationsWithUrns(a.telemetryMustReachWaypoints, [...ambientStack(), telemetry(10, { selector: { matchLabels: { app: "auth-api" } } }, "auth")]), [
            {
                message:
                    "Telemetry auth/global-sampling must reach waypoint auth/waypoint, which traces the requests of ambient namespaces; it selects pods with selector, which waypoints ignore, so they apply none of its tracing and accessLogging; expected no selector (namespace-wide) or targetRefs [{group: gateway.networking.k8s.io, kind: Gateway, name: <waypoint>}] in the waypoint's namespace, or a Service it serves.",
                urn: "urn:pulumi:test::observability-stack::kubernetes:telemetry.istio.io/v1:Telemetry::global-sampling",
            },
        ]);
    });

    it("denies targetRefs naming no declared waypoint, and a Gateway targetRef from the namespace of a waypoint that serves another namespace", async () => {
        assert.deepStrictEqual(await check(...ambientStack(), telemetry(10, { targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "waypoint-old" }] }, "auth")), [
            "Telemetry auth/global-sampling must reach waypoint auth/waypoint, which traces the requests of ambient namespaces; its targetRefs (Gateway waypoint-old) attach it to none of them (a waypoint applies targeted Telemetry only from the namespace of the Services it serves), so they apply none of its tracing and accessLogging; expected no selector (namespace-wide) or targetRefs [{group: gateway.networking.k8s.io, kind: Gateway, name: <waypoint>}] in the waypoint's namespace, or a Service it serves.",
        ]);
        const shared = [
            ambientNamespace("auth", { "istio.io/use-waypoint-namespace": "shared" }),
            waypoint("shared", "waypoint", { listeners: [{ ...WAYPOINT.listener, allowedRoutes: { namespaces: { from: "All" } } }] }),
        ];
        assert.deepStrictEqual(await check(...shared, telemetry(10, toWaypoint, "shared")), [
            "Telemetry shared/global-sampling must reach waypoint shared/waypoint, which traces the requests of ambient namespaces; its targetRefs (Gateway waypoint) attach it to none of them (a waypoint applies targeted Telemetry only from the namespace of the Services it serves), so they apply none of its tracing and accessLogging; expected no selector (namespace-wide) or targetRefs [{group: gateway.networking.k8s.io, kind: Gateway, name: <waypoint>}] in the waypoint's namespace, or a Service it serves.",
        ]);
        assert.deepStrictEqual(await check(...shared, telemetry(10, {}, "shared")), []);
    });

    it("denies GatewayClass istio-waypoint from the root namespace for waypoints outside it (istiod 1.30.3 reads targeted Telemetry only from the Service's namespace)", async () => {
        assert.deepStrictEqual(await check(...ambientStack(["auth", "chat"]), telemetry(10, { targetRefs: [{ group: "gateway.networking.k8s.io", kind: "GatewayClass", name: "istio-waypoint" }] })), [
            "Telemetry istio-system/global-sampling must reach waypoints auth/waypoint, chat/waypoint, which trace the requests of ambient namespaces; its targetRefs (GatewayClass istio-waypoint) attach it to none of them (a waypoint applies targeted Telemetry only from the namespace of the Services it serves), so they apply none of its tracing and accessLogging; expected no selector (namespace-wide) or targetRefs [{group: gateway.networking.k8s.io, kind: Gateway, name: <waypoint>}] in the waypoint's namespace, or a Service it serves.",
        ]);
    });

    it("passes a root-namespace Telemetry aimed at the ingress gateway, and a Gateway targetRef naming another declared Gateway", async () => {
        assert.deepStrictEqual(await check(...ambientStack(), telemetry(10, { selector: { matchLabels: { istio: "ingressgateway" } } })), []);
        assert.deepStrictEqual(
            await check(
                ...ambientStack(),
                waypoint("auth", "ingress", { gatewayClassName: "istio", listeners: [{ name: "http", port: 80, protocol: "HTTP" }] }, {}),
                telemetry(10, { targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "ingress" }] }, "auth"),
            ),
            [],
        );
    });

    it("denies tracing limited to match.mode CLIENT (waypoints apply SERVER entries), and passes SERVER and CLIENT_AND_SERVER", async () => {
        const tracing = (mode: string) => ({ tracing: [{ providers: [{ name: "jaeger" }], randomSamplingPercentage: 10, match: { mode } }] });
        assert.deepStrictEqual(await check(...ambientStack(), telemetry(10, tracing("CLIENT"), "auth")), [
            "Telemetry auth/global-sampling must not limit its tracing to match.mode CLIENT: waypoint auth/waypoint applies only SERVER entries (a waypoint serves requests inbound), so the entries are lost there; expected mode SERVER or CLIENT_AND_SERVER, or no match.",
        ]);
        assert.deepStrictEqual(await check(...ambientStack(), telemetry(10, tracing("SERVER"), "auth")), []);
        assert.deepStrictEqual(await check(...ambientStack(), telemetry(10, tracing("CLIENT_AND_SERVER"))), []);
    });

    it("reports a Telemetry whose spec is unknown during preview instead of passing", async () => {
        const t = telemetry(10, { selector: { matchLabels: { app: UNKNOWN_STRING } } }, "auth");
        assert.deepStrictEqual(await check(...ambientStack(), t), [
            "Telemetry global-sampling must be readable for the pack to check which Telemetry the waypoints apply; string value at .spec.selector.matchLabels.app can't be known during preview.",
        ]);
    });
});

describe(a.AMBIENT_COMPONENTS, () => {
    const check = (...stack: Parameters<typeof stackViolationsOf>[1]) => stackViolationsOf(a.ambientModeMustInstallCniAndZtunnel, stack);

    it("passes the program's ambient stack (rendered objects), and one described by the releases record", async () => {
        assert.deepStrictEqual(await check(...ambientStack()), []);
        assert.deepStrictEqual(
            await check(
                ambientNamespace("auth"),
                waypoint("auth"),
                releasesConfigMap([
                    { chart: "istiod", version: "1.30.3", values: { profile: "ambient" } },
                    { chart: "cni", version: "1.30.3", values: { profile: "ambient" } },
                    { chart: "ztunnel", version: "1.30.3" },
                ]),
            ),
            [],
        );
    });

    it("ignores a sidecar stack without cni and ztunnel", async () => {
        assert.deepStrictEqual(await check(namespacePatch("auth", { "istio-injection": "enabled" }), istiodDeployment(false), meshConfigMap()), []);
    });

    it("denies ambient namespaces without the ztunnel chart, on the first namespace", async () => {
        const stack = ambientStack(["auth", "chat"]).filter((f) => f.props.metadata?.name !== "ztunnel");
        assert.deepStrictEqual(await stackViolationsWithUrns(a.ambientModeMustInstallCniAndZtunnel, stack), [
            {
                message:
                    "Chart ztunnel (DaemonSet ztunnel) must be installed: the stack runs ambient mode (namespaces auth, chat labelled istio.io/dataplane-mode: ambient; waypoints auth/waypoint, chat/waypoint; istiod with profile ambient), and ztunnel carries their traffic, to the waypoint among others; without it no request reaches a waypoint and none is traced. Install chart ztunnel in istio-system at 1.30.3.",
                urn: "urn:pulumi:test::observability-stack::kubernetes:core/v1:Namespace::auth",
            },
        ]);
    });

    it("denies istiod's ambient profile alone without cni and ztunnel", async () => {
        assert.deepStrictEqual(await check(chart("istiod", "1.30.3", { profile: "ambient" })), [
            "Chart cni (DaemonSet istio-cni-node) must be installed: the stack runs ambient mode (istiod with profile ambient), and istio-cni-node enrols the pods of ambient namespaces; without it no request reaches a waypoint and none is traced. Install chart cni in istio-system at 1.30.3.",
            "Chart ztunnel (DaemonSet ztunnel) must be installed: the stack runs ambient mode (istiod with profile ambient), and ztunnel carries their traffic, to the waypoint among others; without it no request reaches a waypoint and none is traced. Install chart ztunnel in istio-system at 1.30.3.",
        ]);
    });

    it("denies cni and ztunnel at another version than istiod", async () => {
        const stack = [ambientNamespace("auth"), waypoint("auth"), ambientDaemonSet("cni", "1.29.2"), ambientDaemonSet("ztunnel"), istiodDeployment(true)];
        assert.deepStrictEqual(await stackViolationsWithUrns(a.ambientModeMustInstallCniAndZtunnel, stack), [
            {
                message:
                    "Chart cni 1.29.2 must be the version of istiod (1.30.3): the stack runs ambient mode (namespace auth labelled istio.io/dataplane-mode: ambient; waypoint auth/waypoint; istiod with profile ambient), and Istio supports istio-cni-node only at its control plane's version. Install chart cni 1.30.3.",
                urn: "urn:pulumi:test::observability-stack::kubernetes:apps/v1:DaemonSet::istio-cni-node",
            },
        ]);
    });

    it("denies istiod without the ambient profile while namespaces are in ambient mode, from its Deployment and from its request", async () => {
        const base = [ambientNamespace("auth"), waypoint("auth"), ambientDaemonSet("cni"), ambientDaemonSet("ztunnel")];
        assert.deepStrictEqual(await check(...base, istiodDeployment(false)), [
            'istiod (Deployment istiod (env PILOT_ENABLE_AMBIENT)) must serve ambient mode: the stack runs ambient mode (namespace auth labelled istio.io/dataplane-mode: ambient; waypoint auth/waypoint), and without PILOT_ENABLE_AMBIENT: "true" istiod serves no waypoint and enrols no workload. Install istiod with values profile: ambient.',
        ]);
        assert.deepStrictEqual(await check(...base, releasesConfigMap([{ chart: "istiod", version: "1.30.3", values: { pilot: { traceSampling: 1 } } }])), [
            'istiod (chart istiod 1.30.3 values, in observability-stack-charts) must serve ambient mode: the stack runs ambient mode (namespace auth labelled istio.io/dataplane-mode: ambient; waypoint auth/waypoint), and without PILOT_ENABLE_AMBIENT: "true" istiod serves no waypoint and enrols no workload. Install istiod with values profile: ambient.',
        ]);
        assert.deepStrictEqual(await check(...base, releasesConfigMap([{ chart: "istiod", version: "1.30.3", values: { pilot: { env: { PILOT_ENABLE_AMBIENT: "true" } } } }])), []);
        assert.deepStrictEqual(await check(...base, helmRelease("istiod", "1.30.3", { values: { global: { profile: "ambient" } } })), []);
    });

    it("reports an istiod Helm Release whose values are in files, in an ambient stack", async () => {
        const base = [ambientNamespace("auth"), waypoint("auth"), ambientDaemonSet("cni"), ambientDaemonSet("ztunnel")];
        assert.deepStrictEqual(await check(...base, helmRelease("istiod", "1.30.3", { valueYamlFiles: [{ path: "istiod.yaml" }] })), [
            "Helm Release istiod must pass its values inline (values, not valueYamlFiles) for the pack to check istiod's profile of chart istiod; values in files are not visible to policy packs.",
        ]);
    });
});
