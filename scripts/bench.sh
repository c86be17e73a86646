#!/usr/bin/env bash
# Benchmark of the main job on a control plane of its own; prints figures (see e2e/bench.ts).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project="$(cd "$here/.." && pwd)"
cd "$project"
export OBS_CLUSTER_DIR="$project/.work/bench-cluster"
export OBS_ETCD_PORT=23990 OBS_APISERVER_PORT=16643 OBS_KCM_PORT=16657 OBS_CHARTS_PORT=9079
export OBS_KUBECONFIG="$OBS_CLUSTER_DIR/kubeconfig"
export OBS_CHARTS_URL="http://127.0.0.1:$OBS_CHARTS_PORT"
"$here/toolchain.sh" install >/dev/null
npm --prefix policy run --silent build
trap '"$here/cluster.sh" down >/dev/null 2>&1 || true' EXIT
"$here/cluster.sh" up
npx ts-node e2e/bench.ts
