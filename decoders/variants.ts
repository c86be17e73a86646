/**
 * The stack variants the decoder suite checks: what the program renders for the dev stack (Istio 1.24.2, jaeger
 * 3.4.1, kiali-server 2.1.0), the production stack (1.30.3, jaeger 4.11.1 on Elasticsearch, 2.29.0) and the
 * current line (Pulumi.local.yaml, token Kiali, HTTP ext-authz with every option), each previewed once per run
 * through the Pulumi CLI against the suite's control plane (decoders/render.ts), however many spec files read it.
 */
import * as assert from "assert";
import { KialiChartVersion } from "./kialiKeys";
import { Rendering, SIGNING_KEY, Variant, render } from "./render";

/** HTTP ext-authz with every option the program sends. */
const HTTP_EXT_AUTHZ = [
    { key: "extAuthz.protocol", value: "http" },
    { key: "extAuthz.port", value: "8000" },
    { key: "extAuthz.timeout", value: "2s" },
    { key: "extAuthz.failOpen", value: "true" },
    { key: "extAuthz.pathPrefix", value: "/authz" },
    { key: "extAuthz.headersToUpstreamOnAllow[0]", value: "x-user-id" },
];

/** Elasticsearch as the production stack file has it, on whatever stack it is set. */
const ELASTICSEARCH = [
    { key: "jaeger.storage.type", value: "elasticsearch" },
    { key: "jaeger.storage.url", value: "https://elasticsearch.logging.svc.cluster.local:9200" },
    { key: "jaeger.storage.username", value: "jaeger" },
    { key: "jaeger.storage.passwordSecret.name", value: "jaeger-elasticsearch" },
    { key: "jaeger.storage.passwordSecret.key", value: "password" },
    { key: "jaeger.storage.indexPrefix", value: "mesh" },
    { key: "jaeger.storage.tls.caSecret.name", value: "elasticsearch-ca" },
    { key: "jaeger.storage.tls.caSecret.key", value: "ca.crt" },
];
export const AMBIENT = { key: "mesh.dataPlane", value: "ambient" };
const ROLLOVER = { key: "jaeger.storage.rollover.enabled", value: "true" };

export const VARIANTS: readonly (Variant & { istio: "1.24" | "1.30"; kiali: KialiChartVersion; jaeger: "v1" | "v2" })[] = [
    { name: "reference", from: "dev", changes: [], istio: "1.24", kiali: "2.1.0", jaeger: "v1" },
    // The reference line on Elasticsearch with rollover and a CA, and the HTTP ext-authz provider: the 3.x chart's jobs and Istio 1.24's HTTP fields.
    { name: "reference-elasticsearch", from: "dev", changes: [...ELASTICSEARCH, ROLLOVER, ...HTTP_EXT_AUTHZ], istio: "1.24", kiali: "2.1.0", jaeger: "v1" },
    { name: "production", from: "production", changes: [SIGNING_KEY], istio: "1.30", kiali: "2.29.0", jaeger: "v2" },
    { name: "production-rollover", from: "production", changes: [SIGNING_KEY, ROLLOVER], istio: "1.30", kiali: "2.29.0", jaeger: "v2" },
    // Ambient mode on the local stack: istiod's ambient profile, the cni and ztunnel charts, a waypoint per app namespace.
    { name: "ambient", from: "local", changes: [AMBIENT], istio: "1.30", kiali: "2.29.0", jaeger: "v2" },
    {
        name: "current",
        from: "local",
        changes: [{ key: "kiali.authStrategy", value: "token" }, SIGNING_KEY, ...HTTP_EXT_AUTHZ],
        istio: "1.30",
        kiali: "2.29.0",
        jaeger: "v2",
    },
];

const renderings = new Map<string, Rendering>();
let previewed: Promise<void> | undefined;

/**
 * Previews every variant, once per run: each spec file calls it from its `before`, and a preview takes the CLI 20–30 s
 * (DEVELOPING.md). A failed preview fails every file's hook without previewing again.
 */
export function renderVariants(): Promise<void> {
    previewed ??= (async () => {
        for (const v of VARIANTS) {
            const t0 = Date.now();
            renderings.set(v.name, await render(v));
            process.stdout.write(`      previewed ${v.name}: ${renderings.get(v.name)?.objects.length} objects in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
        }
    })();
    return previewed;
}

export function renderingOf(name: string): Rendering {
    const found = renderings.get(name);
    assert.ok(found !== undefined, `no rendering ${name}`);
    return found;
}
