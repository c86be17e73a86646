/**
 * The Gateway API CRDs, a prerequisite of ambient mode on a user's cluster (waypoints are Gateways): the real ones,
 * from the module's standard channel at the version Istio 1.30.3 pins (scripts/toolchain.sh gateway-api-crds). They
 * stay after a test, as a cluster's would.
 */
import * as path from "path";
import { GATEWAY_API } from "../lib/constants";
import { exists, kubectl } from "./harness";
import { shareDir } from "./tools";

export function applyGatewayApiCrds(): void {
    kubectl(["apply", "--server-side", "--force-conflicts", "-f", path.join(shareDir(), "gateway-api-crds.yaml")]);
    kubectl(["wait", "--for=condition=Established", `crd/${GATEWAY_API.gatewayCrd}`, `crd/${GATEWAY_API.gatewayClassCrd}`, "--timeout=60s"]);
}

/** Deletes them (a cluster without the prerequisite). */
export function deleteGatewayApiCrds(): void {
    if (exists(["crd", GATEWAY_API.gatewayCrd]) || exists(["crd", GATEWAY_API.gatewayClassCrd])) {
        kubectl(["delete", "--ignore-not-found", "--wait=true", "-f", path.join(shareDir(), "gateway-api-crds.yaml")]);
    }
}
