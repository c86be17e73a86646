/**
 * Every variant's Kiali config.yaml through the Kiali key check (decoders/kialiKeys.ts) against the chart's own
 * defaults for its version, the check shown to reject misspelled keys. Run by scripts/decoders.sh.
 */
import * as assert from "assert";
import * as yaml from "js-yaml";
import { KIALI_SERVER_KEYS, chartDefaults, unknownKialiKeys } from "./kialiKeys";
import { VARIANTS, renderVariants, renderingOf } from "./variants";

describe("configs checked by the real decoders", function () {
    this.timeout(900_000);

    before(renderVariants);

    const r = renderingOf;

    describe("Kiali config.yaml against the chart's own keys", () => {
        for (const v of VARIANTS) {
            it(`has no key outside kiali-server ${v.kiali}'s schema in ${v.name}`, () => {
                const config = yaml.load(r(v.name).get("ConfigMap", "kiali").data?.["config.yaml"] ?? "") as Record<string, unknown>;
                assert.deepStrictEqual(unknownKialiKeys(config, v.kiali), []);
            });
        }

        it("rejects deliberately misspelled keys, each at its path", () => {
            const config = yaml.load(r("reference").get("ConfigMap", "kiali").data?.["config.yaml"] ?? "") as any;
            config.external_services.tracing.use_gprc = true;
            config.deployment.view_only_mod = true;
            config.extenal_services = {};
            assert.deepStrictEqual(unknownKialiKeys(config, "2.1.0"), ["deployment.view_only_mod", "extenal_services", "external_services.tracing.use_gprc"]);
        });

        it("lists only keys the chart's defaults lack (a listed key the chart has would hide nothing and mislead)", () => {
            for (const version of ["2.1.0", "2.29.0"] as const) {
                const defaults = chartDefaults(version);
                const inDefaults = KIALI_SERVER_KEYS.filter((k) => k.path.split(".").reduce<any>((o, s) => (o === undefined ? undefined : o[s]), defaults) !== undefined);
                assert.deepStrictEqual(inDefaults, [], version);
            }
        });
    });
});
