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

export OBS_CLUSTER_DIR="$project/.work/decoders-cluster"
export OBS_ETCD_PORT="${OBS_DECODERS_ETCD_PORT:-24190}"
export OBS_APISERVER_PORT="${OBS_DECODERS_APISERVER_PORT:-16743}"
export OBS_KCM_PORT="${OBS_DECODERS_KCM_PORT:-16757}"
export OBS_CHARTS_PORT="${OBS_DECODERS_CHARTS_PORT:-9279}"
export OBS_KUBECONFIG="$OBS_CLUSTER_DIR/kubeconfig"
export OBS_CHARTS_URL="http://127.0.0.1:$OBS_CHARTS_PORT"

"$here/toolchain.sh" install pulumi pulumi-language-nodejs kubernetes-provider etcd kube-apiserver kube-controller-manager kubectl \
  jaeger-v1 jaeger-v2 istio-decode-1.24 istio-decode-1.30 prometheus-operator-crds
"$here/cluster.sh" down >/dev/null 2>&1 || true
trap '"$here/cluster.sh" down >/dev/null 2>&1 || true' EXIT
"$here/cluster.sh" up
npx mocha --config decoders/.mocharc.json "$@"
