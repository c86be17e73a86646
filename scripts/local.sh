#!/usr/bin/env bash
# The main job with no cloud and no internet: toolchain, local control plane, chart mirror, then
# `pulumi up` of the `local` stack under the policy pack, printing the stack outputs.
#
#   scripts/local.sh up        install what is missing, start the control plane, up the local stack
#   scripts/local.sh preview   the same, preview only
#   scripts/local.sh down      destroy the local stack and stop the control plane
#   scripts/local.sh help
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project="$(cd "$here/.." && pwd)"
cd "$project"

log() { printf '[local] %s\n' "$*" >&2; }

deps() {
  [ -d node_modules/@pulumi/pulumi ] || { log "npm ci"; npm ci --no-audit --no-fund >&2; }
  [ -d policy/node_modules/@pulumi/policy ] || { log "npm ci (policy)"; (cd policy && npm ci --no-audit --no-fund >&2); }
  # The CLI loads the compiled pack (policy/package.json main); rebuild so it matches the sources.
  npm --prefix policy run --silent build >&2
  "$here/toolchain.sh" install main >&2
}

cmd="${1:-help}"
case "$cmd" in
  up | preview)
    deps
    "$here/cluster.sh" up
    npx ts-node e2e/local.ts "$cmd"
    ;;
  down)
    status="$("$here/cluster.sh" status)"
    if [ -f .work/cluster/kubeconfig ] && grep -q 'kube-apiserver *running' <<<"$status"; then
      npx ts-node e2e/local.ts destroy || log "destroy failed; the control plane is stopped anyway"
    fi
    "$here/cluster.sh" down
    rm -rf .pulumi-state
    ;;
  help | -h | --help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) log "unknown command '$cmd'"; sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
