/** Chart settings (`charts.*`): exact versions, one Istio version, Helm repository URLs. */
import * as assert from "assert";
import { parseStackConfig } from "../config";
import { DEV_MINIMAL, problems } from "./configParsing";

describe("parseStackConfig", () => {
    it("rejects a chart version that is a range or empty", () => {
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, charts: { jaeger: { version: "^4.0.0" } } }), [
            'charts.jaeger.version: got "^4.0.0"; expected an exact chart version such as 1.30.3 (no range, no empty value)',
        ]);
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, charts: { kiali: { version: "" } } }), [
            'charts.kiali.version: got ""; expected an exact chart version such as 1.30.3 (no range, no empty value)',
        ]);
    });

    it("rejects Istio charts of different versions", () => {
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, charts: { istiod: { version: "1.24.2" } } }), [
            'charts.istioBase/istiod/istioGateway.version: got ["1.30.3","1.24.2","1.30.3"]; the three Istio charts must share one version',
        ]);
    });

    it("rejects a chart repository that is not an http(s) URL", () => {
        assert.strictEqual(parseStackConfig({ ...DEV_MINIMAL, charts: { istiod: { repo: "oci://registry.example.com/istio" } } }).charts.istiod.repo, "oci://registry.example.com/istio");
        assert.deepStrictEqual(problems({ ...DEV_MINIMAL, charts: { istiod: { repo: "oci//bad" } } }), [
            'charts.istiod.repo: got "oci//bad"; expected an http:// or https:// Helm repository URL, or an oci:// registry',
        ]);
    });
});
