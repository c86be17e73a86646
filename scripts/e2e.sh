#!/usr/bin/env bash
# Real-engine tests: builds or reuses the toolchain, starts a control plane and chart mirror of its
# own (other ports and state than the local stack's), runs e2e/*.e2e.ts, and always stops it again.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project="$(cd "$here/.." && pwd)"
cd "$project"

export OBS_CLUSTER_DIR="$project/.work/e2e-cluster"
export OBS_ETCD_PORT="${OBS_E2E_ETCD_PORT:-23890}"
export OBS_APISERVER_PORT="${OBS_E2E_APISERVER_PORT:-16543}"
export OBS_KCM_PORT="${OBS_E2E_KCM_PORT:-16557}"
export OBS_CHARTS_PORT="${OBS_E2E_CHARTS_PORT:-8979}"
export OBS_KUBECONFIG="$OBS_CLUSTER_DIR/kubeconfig"
export OBS_CHARTS_URL="http://127.0.0.1:$OBS_CHARTS_PORT"

"$here/toolchain.sh" install
# The CLI loads the compiled pack (policy/package.json main): build it from the sources under test.
npm --prefix policy run --silent build
"$here/cluster.sh" down >/dev/null 2>&1 || true
trap '"$here/cluster.sh" down >/dev/null 2>&1 || true' EXIT
"$here/cluster.sh" up
npx mocha --config e2e/.mocharc.json "$@"
