/** What every workload of every variant must hold for the API server to take it. Run by scripts/decoders.sh. */
import * as assert from "assert";
import { VARIANTS, renderVariants, renderingOf } from "./variants";

describe("configs checked by the real decoders", function () {
    this.timeout(900_000);

    before(renderVariants);

    const r = renderingOf;

    describe("every rendered workload", () => {
        it("names each environment variable of a container once (server-side apply rejects duplicate list keys)", () => {
            for (const v of VARIANTS) {
                for (const o of r(v.name).objects) {
                    const pod = o.kind === "CronJob" ? o.spec?.jobTemplate?.spec?.template?.spec : o.spec?.template?.spec;
                    for (const c of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]) {
                        const names = (c.env ?? []).map((e: any) => e.name);
                        assert.deepStrictEqual(
                            names.filter((n: string, i: number) => names.indexOf(n) !== i),
                            [],
                            `${v.name} ${o.kind} ${o.metadata.name} ${c.name}`,
                        );
                    }
                }
            }
        });
    });
});
