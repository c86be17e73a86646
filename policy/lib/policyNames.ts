/**
 * Policy names are an interface: a policy config (`--policy-pack-config` file, a Pulumi Cloud policy group)
 * names them. The engine hands every name of a config to the pack's Configure RPC, known or not
 * (pulumi/pulumi pkg/resource/analyzer/config.go `applyConfig`, v3.274.1), and @pulumi/policy keeps the
 * entry of a name it does not serve without a word (server.js `configure`, v1.21.0). So a config that
 * still names a renamed policy, or misspells one, would silently lose its setting: a policy the user
 * disabled would run, a ceiling the user lowered would not apply.
 *
 * {@link guardPolicyNames} makes the pack refuse such a config instead: Configure fails, and the CLI
 * stops the preview or update before the program runs, with one line naming the key and the fix.
 */
import * as path from "path";

/** Names a policy config may use besides the policies': `all` (every policy's level). */
const RESERVED_NAMES = ["all"];

/**
 * What is wrong with the policy names of a config: a renamed policy (naming its new name) or a name the pack
 * does not have. Empty when every name is a policy of the pack or `all`. Pure.
 */
export function policyNameProblems(configured: Iterable<string>, policies: readonly string[], renamed: Readonly<Record<string, string>>): string[] {
    const known = new Set([...policies, ...RESERVED_NAMES]);
    return [...configured]
        .filter((name) => !known.has(name))
        .sort()
        .map((name) => {
            const current = renamed[name];
            return current !== undefined
                ? `policy config names ${JSON.stringify(name)}, which was renamed ${JSON.stringify(current)}: rename the key in your policy config (the --policy-pack-config file, or the Pulumi Cloud policy group's config); the old name no longer configures anything`
                : `policy config names ${JSON.stringify(name)}, which is not a policy of this pack: fix the name (the pack's policies are listed in README's policy table) or remove the key`;
        });
}

/** The part of @grpc/grpc-js this guard uses: a server class whose services are added by name. */
interface GrpcModule {
    readonly Server: { prototype: { addService: (service: object, implementation: Record<string, unknown>) => void } };
    readonly status: { readonly INVALID_ARGUMENT: number };
}

interface ConfigureCall {
    readonly request: { getPolicyconfigMap(): { keys(): Iterable<string> } };
}
type Callback = (error: { code: number; details: string; message: string } | null, value?: unknown) => void;

/**
 * Makes the analyzer refuse a policy config that names a renamed or unknown policy. Call it before
 * `new PolicyPack(...)`: it wraps the Configure handler the pack's gRPC server registers (the
 * @grpc/grpc-js instance that @pulumi/policy's server.js loads), so the check runs before any policy
 * and before the program. The other RPCs are untouched.
 */
export function guardPolicyNames(policies: readonly string[], renamed: Readonly<Record<string, string>>): void {
    const policyServer = require.resolve("@pulumi/policy/server");
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the very module instance server.js requires
    const grpc = require(require.resolve("@grpc/grpc-js", { paths: [path.dirname(policyServer)] })) as GrpcModule;
    const addService = grpc.Server.prototype.addService;
    grpc.Server.prototype.addService = function (service, implementation) {
        const configure = implementation.configure as ((call: ConfigureCall, callback: Callback) => unknown) | undefined;
        const guarded =
            configure === undefined
                ? implementation
                : {
                      ...implementation,
                      configure: (call: ConfigureCall, callback: Callback) => {
                          const problems = policyNameProblems(call.request.getPolicyconfigMap().keys(), policies, renamed);
                          if (problems.length > 0) {
                              const details = problems.join("; ");
                              callback({ code: grpc.status.INVALID_ARGUMENT, details, message: details });
                              return;
                          }
                          return configure(call, callback);
                      },
                  };
        addService.call(this, service, guarded);
    };
}
