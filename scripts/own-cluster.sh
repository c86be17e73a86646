# Sourced by the scripts that run on a control plane and chart mirror of their own (e2e.sh, decoders.sh,
# bench.sh), so that they never share ports or state with each other or with the local stack.
#
#   own_cluster <name> <etcd> <apiserver> <kcm> <charts>
#       exports cluster.sh's OBS_* settings for .work/<name>-cluster on those loopback ports (each can be
#       overridden with OBS_<NAME>_ETCD_PORT, ..._APISERVER_PORT, ..._KCM_PORT, ..._CHARTS_PORT)
#   own_cluster_up
#       stops a leftover one, starts it, and stops it again when the calling script exits

own_cluster() {
  local upper
  upper="$(printf '%s' "$1" | tr '[:lower:]' '[:upper:]')"
  local etcd="OBS_${upper}_ETCD_PORT" api="OBS_${upper}_APISERVER_PORT" kcm="OBS_${upper}_KCM_PORT" charts="OBS_${upper}_CHARTS_PORT"
  export OBS_CLUSTER_DIR="$project/.work/$1-cluster"
  export OBS_ETCD_PORT="${!etcd:-$2}"
  export OBS_APISERVER_PORT="${!api:-$3}"
  export OBS_KCM_PORT="${!kcm:-$4}"
  export OBS_CHARTS_PORT="${!charts:-$5}"
  export OBS_KUBECONFIG="$OBS_CLUSTER_DIR/kubeconfig"
  export OBS_CHARTS_URL="http://127.0.0.1:$OBS_CHARTS_PORT"
}

own_cluster_up() {
  "$here/cluster.sh" down >/dev/null 2>&1 || true
  trap '"$here/cluster.sh" down >/dev/null 2>&1 || true' EXIT
  "$here/cluster.sh" up
}
