#!/usr/bin/env bash
# Configs checked by the real decoders: previews the dev, production and current stacks through the Pulumi
# CLI against a control plane and chart mirror of its own (other ports and state than the local stack's,
# the e2e tests' and the benchmark's), collects every object the program renders, and feeds every mesh
# config, Telemetry, ServiceEntry, Jaeger config and Kiali config to the decoders of decoders/*.spec.ts.
# Always stops the control plane again.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project="$(cd "$here/.." && pwd)"
cd "$project"

# shellcheck source=scripts/own-cluster.sh
. "$here/own-cluster.sh"
own_cluster decoders 24190 16743 16757 9279

"$here/toolchain.sh" install decoders
own_cluster_up
npx mocha --config decoders/.mocharc.json "$@"
