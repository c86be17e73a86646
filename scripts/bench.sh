#!/usr/bin/env bash
# Benchmark of the main job on a control plane of its own; prints figures (see e2e/bench.ts).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project="$(cd "$here/.." && pwd)"
cd "$project"
# shellcheck source=scripts/own-cluster.sh
. "$here/own-cluster.sh"
own_cluster bench 23990 16643 16657 9079
"$here/toolchain.sh" install bench >/dev/null
npm --prefix policy run --silent build
own_cluster_up
npx ts-node e2e/bench.ts
