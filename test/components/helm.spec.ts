import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_CHARTS } from "../../lib/charts";
import { testProvider } from "../mocks";

describe("installChart", () => {
    let h: typeof import("../../components/helm");
    before(async () => {
        h = await import("../../components/helm");
    });

    it("refuses an Output anywhere inside chart values, naming its path", () => {
        assert.throws(
            () =>
                h.installChart(
                    "x",
                    DEFAULT_CHARTS.kiali,
                    { releaseName: "kiali", namespace: "istio-system", skipAwait: true, values: { login_token: { signing_key: pulumi.output("k") } } },
                    { provider: testProvider() },
                ),
            { message: "chart kiali-server: values.login_token.signing_key must be plain data known at preview time, not an Output or a Promise" },
        );
        assert.throws(() => h.assertPlainValues("c", { a: [1, Promise.resolve(2)] }), { message: "chart c: values.a[1] must be plain data known at preview time, not an Output or a Promise" });
        assert.doesNotThrow(() => h.assertPlainValues("c", { a: [1, { b: null }] }));
    });

    it("redacts literal secrets in the release record and keeps references", () => {
        assert.deepStrictEqual(h.redactSecrets({ login_token: { signing_key: "k".repeat(16) }, a: { password: "${env:ES_PASSWORD}", token: "" }, b: [{ secret: "secret:kiali:key" }], port: 1 }), {
            login_token: { signing_key: "<redacted>" },
            a: { password: "${env:ES_PASSWORD}", token: "" },
            b: [{ secret: "secret:kiali:key" }],
            port: 1,
        });
    });
});
