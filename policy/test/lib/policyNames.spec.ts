import * as assert from "assert";
import * as path from "path";
import { guardPolicyNames, policyNameProblems } from "../../lib/policyNames";
import { RENAMED_POLICIES, allPolicies } from "../../rules";
import { OTEL_PROPAGATION } from "../../rules/tracing";

const names = allPolicies.map((p) => p.name);

describe("policyNameProblems", () => {
    it("accepts the pack's policies and all", () => {
        assert.deepStrictEqual(policyNameProblems(["all", ...names], names, RENAMED_POLICIES), []);
    });

    it("refuses a renamed policy, naming its new name", () => {
        assert.deepStrictEqual(policyNameProblems(["all", "otlp-exporters-must-propagate-b3"], names, RENAMED_POLICIES), [
            `policy config names "otlp-exporters-must-propagate-b3", which was renamed "${OTEL_PROPAGATION}": rename the key in your policy config (the --policy-pack-config file, or the Pulumi Cloud policy group's config); the old name no longer configures anything`,
        ]);
    });

    it("refuses a name the pack does not have", () => {
        assert.deepStrictEqual(policyNameProblems(["telemetry-sampling-must-not-exceed-cieling"], names, RENAMED_POLICIES), [
            `policy config names "telemetry-sampling-must-not-exceed-cieling", which is not a policy of this pack: fix the name (the pack's policies are listed in README's policy table) or remove the key`,
        ]);
    });

    it("maps every renamed policy onto a policy of the pack, and no current name is an old one", () => {
        for (const [old, current] of Object.entries(RENAMED_POLICIES)) {
            assert.ok(names.includes(current), `${old} -> ${current}`);
            assert.ok(!names.includes(old), old);
        }
    });
});

describe("guardPolicyNames", () => {
    type Callback = (error: { code: number; details: string } | null, value?: unknown) => void;
    // The @grpc/grpc-js instance @pulumi/policy's server.js loads, as the guard finds it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module instance server.js loads, not a typed import
    const grpc = require(require.resolve("@grpc/grpc-js", { paths: [path.dirname(require.resolve("@pulumi/policy/server"))] })) as {
        Server: new () => { addService(service: object, implementation: Record<string, unknown>): void };
        status: { INVALID_ARGUMENT: number };
    };
    const configured: string[][] = [];
    let configure: ((call: object, callback: Callback) => void) | undefined;
    before(() => {
        guardPolicyNames(names, RENAMED_POLICIES);
        const server = new grpc.Server();
        const service = {
            configure: {
                path: "/pulumirpc.Analyzer/Configure",
                requestStream: false,
                responseStream: false,
                requestSerialize: String,
                requestDeserialize: String,
                responseSerialize: String,
                responseDeserialize: String,
            },
        };
        server.addService(service, {
            configure: (call: { request: { getPolicyconfigMap(): { keys(): Iterable<string> } } }, callback: Callback) => {
                configured.push([...call.request.getPolicyconfigMap().keys()]);
                callback(null, "configured");
            },
        });
        const handlers = (server as unknown as { handlers: Map<string, { func: (call: object, callback: Callback) => void }> }).handlers;
        configure = handlers.get("/pulumirpc.Analyzer/Configure")?.func;
    });
    const call = (keys: string[]) => ({ request: { getPolicyconfigMap: () => new Map(keys.map((k) => [k, {}])) } });

    it("passes a config of known names to the pack's own Configure", () => {
        const results: unknown[] = [];
        configure?.(call(["all", OTEL_PROPAGATION]), (error, value) => results.push(error, value));
        assert.deepStrictEqual(results, [null, "configured"]);
        assert.deepStrictEqual(configured, [["all", OTEL_PROPAGATION]]);
    });

    it("fails Configure with INVALID_ARGUMENT before the pack sees a renamed name", () => {
        const results: { code: number; details: string }[] = [];
        configure?.(call(["otlp-exporters-must-propagate-b3"]), (error) => {
            if (error !== null) {
                results.push({ code: error.code, details: error.details });
            }
        });
        assert.deepStrictEqual(results, [{ code: grpc.status.INVALID_ARGUMENT, details: policyNameProblems(["otlp-exporters-must-propagate-b3"], names, RENAMED_POLICIES)[0] }]);
        assert.strictEqual(configured.length, 1);
    });
});
