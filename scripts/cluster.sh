#!/usr/bin/env bash
# A local Kubernetes control plane on 127.0.0.1 (etcd, kube-apiserver, kube-controller-manager)
# and a loopback Helm repository serving ../shared/charts. No nodes: pods are never scheduled.
#
#   scripts/cluster.sh up       start everything (idempotent), write the kubeconfig, wait for readiness
#   scripts/cluster.sh down     stop everything and delete the state
#   scripts/cluster.sh env      print `export KUBECONFIG=...` and the chart mirror URL
#   scripts/cluster.sh status   show which processes run
#   scripts/cluster.sh help
#
# State lives in $OBS_CLUSTER_DIR (default <project>/.work/cluster). Ports: $OBS_ETCD_PORT (23790),
# $OBS_APISERVER_PORT (16443), $OBS_KCM_PORT (16457), $OBS_CHARTS_PORT (8879).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project="$(cd "$here/.." && pwd)"
dir="${OBS_CLUSTER_DIR:-$project/.work/cluster}"
charts="${OBS_CHARTS_DIR:-$project/../shared/charts}"
etcd_port="${OBS_ETCD_PORT:-23790}"
etcd_peer_port=$((etcd_port + 10))
api_port="${OBS_APISERVER_PORT:-16443}"
kcm_port="${OBS_KCM_PORT:-16457}"
charts_port="${OBS_CHARTS_PORT:-8879}"
bin="$("$here/toolchain.sh" path)"
kubeconfig="$dir/kubeconfig"

log() { printf '[cluster] %s\n' "$*" >&2; }

running() { [ -f "$dir/$1.pid" ] && kill -0 "$(cat "$dir/$1.pid")" 2>/dev/null; }

# stop NAME: TERM, up to 10 s to exit, then KILL; removes the pid file.
stop() {
  local name="$1" pid
  if running "$name"; then
    pid="$(cat "$dir/$name.pid")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do running "$name" || break; sleep 0.25; done
    running "$name" && kill -9 "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do running "$name" || break; sleep 0.25; done
  fi
  rm -f "$dir/$name.pid"
}

# healthy NAME: the component answers its health check.
# Bounded: a component that accepts connections but never answers (stopped, wedged) counts as unhealthy.
healthy() {
  case "$1" in
    etcd) curl -sf --max-time 2 "http://127.0.0.1:$etcd_port/health" ;;
    kube-apiserver) "$bin/kubectl" --kubeconfig "$kubeconfig" --request-timeout=2s get --raw /readyz ;;
    kube-controller-manager) curl -skf --max-time 2 "https://127.0.0.1:$kcm_port/healthz" ;;
    charts) curl -sf --max-time 2 "http://127.0.0.1:$charts_port/index.yaml" ;;
  esac
}

# start NAME CMD...: keep NAME when it runs and answers its health check; otherwise stop what is left
# of it (a process that is still shutting down holds its port and answers nothing) and start it
# again in the background, with its log and pid file, then wait until it is healthy.
start() {
  local name="$1"
  shift
  if running "$name"; then
    if healthy "$name" >/dev/null 2>&1; then
      return
    fi
    log "$name runs but does not answer (shutting down?): restarting it"
    stop "$name"
  fi
  "$@" >"$dir/$name.log" 2>&1 &
  echo $! >"$dir/$name.pid"
  wait_for "$name"
}

# wait_for NAME: poll its health check for up to 60 s; on failure print the last log lines.
wait_for() {
  local what="$1" i
  for i in $(seq 1 120); do
    if healthy "$what" >/dev/null 2>&1; then
      return 0
    fi
    if ! running "$what"; then
      break
    fi
    sleep 0.5
  done
  log "$what did not become ready; last lines of its log:"
  tail -n 20 "$dir/$what.log" >&2 || true
  return 1
}

certs() {
  [ -f "$dir/pki/apiserver.crt" ] && return
  mkdir -p "$dir/pki"
  (
    cd "$dir/pki"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 30 -subj "/CN=observability-stack-local-ca" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout apiserver.key -out apiserver.csr -subj "/CN=kube-apiserver" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n' >san.ext
    openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out apiserver.crt -days 30 -extfile san.ext 2>/dev/null
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
  )
  # Static bearer tokens: the admin user (group system:masters), and two users with no rights of their own that the
  # e2e suite binds as a user would (e.g. `preview` to the ClusterRole README gives a pull request's preview).
  local user
  for user in admin preview viewer; do
    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/pki/$user.token"
  done
  {
    printf '%s,admin,admin,system:masters\n' "$(cat "$dir/pki/admin.token")"
    printf '%s,preview,preview\n' "$(cat "$dir/pki/preview.token")"
    printf '%s,viewer,viewer\n' "$(cat "$dir/pki/viewer.token")"
  } >"$dir/pki/tokens.csv"
  chmod 600 "$dir"/pki/*.key "$dir/pki/tokens.csv" "$dir"/pki/*.token
}

write_kubeconfig() {
  cat >"$kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:$api_port
    certificate-authority: $dir/pki/ca.crt
users:
- name: admin
  user:
    token: $(cat "$dir/pki/admin.token")
contexts:
- name: local
  context: {cluster: local, user: admin}
current-context: local
EOF
  chmod 600 "$kubeconfig"
}

up() {
  mkdir -p "$dir"
  "$here/toolchain.sh" install control-plane >&2
  [ -d "$charts" ] || { log "chart repository $charts not found (expected ../shared/charts beside the project)"; exit 1; }
  certs
  write_kubeconfig
  start etcd "$bin/etcd" --name local --data-dir "$dir/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$etcd_peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer_port" \
    --initial-cluster "local=http://127.0.0.1:$etcd_peer_port" --listen-metrics-urls "" --log-level warn
  start kube-apiserver "$bin/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$etcd_port" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
    --tls-cert-file "$dir/pki/apiserver.crt" --tls-private-key-file "$dir/pki/apiserver.key" \
    --client-ca-file "$dir/pki/ca.crt" --token-auth-file "$dir/pki/tokens.csv" \
    --authorization-mode RBAC \
    --service-account-key-file "$dir/pki/sa.pub" --service-account-signing-key-file "$dir/pki/sa.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-cluster-ip-range 10.96.0.0/16 --allow-privileged \
    --enable-priority-and-fairness=false --profiling=false
  start kube-controller-manager "$bin/kube-controller-manager" \
    --kubeconfig "$kubeconfig" --authentication-kubeconfig "$kubeconfig" --authorization-kubeconfig "$kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$kcm_port" --leader-elect=false \
    --controllers namespace-controller,garbage-collector-controller,serviceaccount-controller,serviceaccount-token-controller \
    --service-account-private-key-file "$dir/pki/sa.key" --root-ca-file "$dir/pki/ca.crt" --profiling=false
  start charts python3 -m http.server "$charts_port" --bind 127.0.0.1 --directory "$charts"
  log "up: KUBECONFIG=$kubeconfig, charts at http://127.0.0.1:$charts_port"
}

down() {
  local p
  for p in charts kube-controller-manager kube-apiserver etcd; do
    stop "$p"
  done
  rm -rf "$dir"
  log "down"
}

cmd="${1:-help}"
case "$cmd" in
  up) up ;;
  down) down ;;
  env) printf 'export KUBECONFIG=%s\nexport OBS_CHARTS_URL=http://127.0.0.1:%s\n' "$kubeconfig" "$charts_port" ;;
  status) for p in etcd kube-apiserver kube-controller-manager charts; do printf '%-24s %s\n' "$p" "$(running "$p" && echo running || echo stopped)"; done ;;
  help | -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) log "unknown command '$cmd'"; sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
