#!/usr/bin/env bash
# Builds the pinned binaries the main job and the tests need, from Go modules through the Go module proxy
# (or a registry package), into a cache keyed by version outside the clone, and links them into .tools/bin.
#
#   scripts/toolchain.sh install [tool|group...]   build what is missing (idempotent; a warm run takes seconds)
#   scripts/toolchain.sh path                        print the directory to put on PATH
#   scripts/toolchain.sh plugin-path                 print the directory of plugin binaries (kept off PATH)
#   scripts/toolchain.sh share-path                  print the directory of data files (the prometheus-operator CRDs)
#   scripts/toolchain.sh list                        show every tool, its version and whether it is cached
#   scripts/toolchain.sh help
#
# Groups (what each command needs, nothing more): main (npm run local: the CLI, the language host, the provider
# and the control plane), e2e, decoders, tracing, bench, all. No argument: all.
# Tools: pulumi, pulumi-language-nodejs, kubernetes-provider, etcd, kube-apiserver, kube-controller-manager,
# kubectl, jaeger-v1, jaeger-v2, envoy, actionlint, helm, istio-decode-1.24, istio-decode-1.30 (tools/istio-decode,
# cached by istio.io/api version and a hash of its source), prometheus-operator-crds (a YAML file, in .tools/share),
# seaweedfs (`weed`, the S3 server of the e2e suite's team-state tests), prometheus (the tracing suite's Monitor-tab test).
# Each build prints its place in the queue, the elapsed time and what is left, and a line every minute while it runs.
# Cache: $OBS_TOOLS_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/observability-stack/tools).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project="$(cd "$here/.." && pwd)"
# shellcheck source=versions.sh
source "$here/versions.sh"
# shellcheck source=toolchain-recipes.sh
source "$here/toolchain-recipes.sh"

cache="${OBS_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/observability-stack/tools}"
links="$project/.tools/bin"
# Plugins are registered with `pulumi plugin install --file`, never found on PATH.
plugin_links="$project/.tools/plugins"
all_tools=(pulumi pulumi-language-nodejs kubernetes-provider etcd kube-apiserver kube-controller-manager kubectl jaeger-v1 jaeger-v2 envoy actionlint istio-decode-1.24 istio-decode-1.30 prometheus-operator-crds gateway-api-crds helm seaweedfs prometheus)
# What each command needs. main: the CLI, its language host, the provider, and the control plane scripts/cluster.sh starts.
control_plane=(etcd kube-apiserver kube-controller-manager kubectl)
# gateway-api-crds: the local control plane of an ambient local stack gets them (e2e/local.ts), as a user's cluster would.
main_tools=(pulumi pulumi-language-nodejs kubernetes-provider "${control_plane[@]}" gateway-api-crds)

# group_tools NAME: the tools of a group, or NAME itself when it is a tool.
group_tools() {
  case "$1" in
    main) echo "${main_tools[@]}" ;;
    e2e) echo "${main_tools[@]}" prometheus-operator-crds seaweedfs ;;
    decoders) echo "${main_tools[@]}" jaeger-v1 jaeger-v2 istio-decode-1.24 istio-decode-1.30 prometheus-operator-crds ;;
    tracing) echo "${main_tools[@]}" jaeger-v1 jaeger-v2 envoy prometheus ;;
    bench) echo "${main_tools[@]}" helm ;;
    control-plane) echo "${control_plane[@]}" ;;
    all) echo "${all_tools[@]}" ;;
    *) echo "$1" ;;
  esac
}
# Data files (not programs) are linked here.
share_links="$project/.tools/share"
# Upstream sources shipped beside the project (the language host: the proxy does not serve its module).
shared="${OBS_SHARED_DIR:-$project/../shared}"

log() { printf '[toolchain] %s\n' "$*" >&2; }

# tool_version NAME / tool_binary NAME: the cache key and the executable name of each tool.
tool_version() {
  case "$1" in
    pulumi) echo "$PULUMI_VERSION" ;;
    kubernetes-provider) echo "$K8S_PROVIDER_RELEASE" ;;
    etcd) echo "$ETCD_VERSION" ;;
    pulumi-language-nodejs) echo "$LANGUAGE_NODEJS_VERSION" ;;
    kube-apiserver | kube-controller-manager | kubectl) echo "$KUBERNETES_VERSION" ;;
    envoy) echo "$ENVOY_VERSION" ;;
    actionlint) echo "$ACTIONLINT_VERSION" ;;
    helm) echo "$HELM_VERSION" ;;
    prometheus) echo "$PROMETHEUS_RELEASE" ;;
    seaweedfs) echo "$SEAWEEDFS_RELEASE-${SEAWEEDFS_VERSION##*-}" ;;
    jaeger-v1) echo "$JAEGER_V1_VERSION" ;;
    jaeger-v2) echo "$JAEGER_V2_RELEASE" ;;
    istio-decode-1.24) echo "$ISTIO_API_1_24_VERSION-$(source_hash)" ;;
    istio-decode-1.30) echo "$ISTIO_API_1_30_VERSION-$(source_hash)" ;;
    prometheus-operator-crds) echo "$PROMETHEUS_OPERATOR_VERSION" ;;
    gateway-api-crds) echo "$GATEWAY_API_VERSION" ;;
    *) log "unknown tool '$1' (known: ${all_tools[*]})"; return 2 ;;
  esac
}
tool_binary() {
  case "$1" in
    kubernetes-provider) echo "pulumi-resource-kubernetes" ;;
    jaeger-v1) echo "jaeger-all-in-one" ;;
    jaeger-v2) echo "jaeger" ;;
    prometheus-operator-crds) echo "prometheus-operator-crds.yaml" ;;
    gateway-api-crds) echo "gateway-api-crds.yaml" ;;
    seaweedfs) echo "weed" ;;
    *) echo "$1" ;;
  esac
}
tool_path() { echo "$cache/$1/$(tool_version "$1")/$(tool_binary "$1")"; }

# source_hash: the first 12 hex digits of the sha256 of the project's own Go tool source (a change rebuilds it).
source_hash() { cat "$project/tools/istio-decode/main.go" | sha256sum | cut -c1-12; }

# new_wrapper DIR: a throw-away module; Go refuses `go install mod@version` for modules with replaces.
new_wrapper() {
  rm -rf "$1" && mkdir -p "$1"
  printf 'module wrapper\n\ngo 1.26\n' >"$1/go.mod"
}

# finish NAME BUILT: move a finished build into the cache atomically.
finish() {
  local dest
  dest="$(tool_path "$1")"
  mkdir -p "$(dirname "$dest")"
  mv -f "$2" "$dest.tmp" && mv -f "$dest.tmp" "$dest"
  log "$1 $(tool_version "$1") -> $dest"
}

# mmss SECONDS: "4m07s".
mmss() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# build_one NAME: build into a fresh wrapper module and move the result into the cache. The go command's own output
# (module downloads, notes on retracted versions of dependencies) goes to a log, shown only when the build fails.
build_one() {
  local name="$1" w
  w="$(mktemp -d "${TMPDIR:-/tmp}/obs-toolchain-$name.XXXXXX")"
  new_wrapper "$w"
  # In the background, then waited for: a function called as an `if` condition would run with `set -e` off.
  build_recipe "$name" "$w" >"$w.log" 2>&1 &
  if ! wait "$!"; then
    log "the build of $name failed; the last lines of its log ($w.log):"
    tail -n 30 "$w.log" >&2
    return 1
  fi
  finish "$name" "$w/out"
  rm -rf "$w" "$w.log"
}

build_recipe() {
  local name="$1" w="$2"
  case "$name" in
    pulumi) build_pulumi "$w" ;;
    pulumi-language-nodejs) build_language_nodejs "$w" ;;
    actionlint) build_actionlint "$w" ;;
    envoy) build_envoy "$w" ;;
    helm) build_helm "$w" ;;
    prometheus) build_prometheus "$w" ;;
    kubernetes-provider) build_kubernetes_provider "$w" ;;
    etcd) build_etcd "$w" ;;
    kube-apiserver | kube-controller-manager | kubectl) build_kubernetes_cmd "$w" "$name" ;;
    jaeger-v1) build_jaeger_v1 "$w" ;;
    jaeger-v2) build_jaeger_v2 "$w" ;;
    istio-decode-1.24) build_istio_decode "$w" "$ISTIO_API_1_24_VERSION" "$ISTIO_PROTOBUF_1_24_VERSION" ;;
    istio-decode-1.30) build_istio_decode "$w" "$ISTIO_API_1_30_VERSION" "$ISTIO_PROTOBUF_1_30_VERSION" ;;
    prometheus-operator-crds) build_prometheus_operator_crds "$w" ;;
    gateway-api-crds) build_gateway_api_crds "$w" ;;
    seaweedfs) build_seaweedfs "$w" ;;
  esac
}

link_one() {
  local name="$1" dest dir="$links"
  dest="$(tool_path "$name")"
  [ "$name" = kubernetes-provider ] && dir="$plugin_links"
  case "$name" in prometheus-operator-crds | gateway-api-crds) dir="$share_links" ;; esac
  mkdir -p "$dir"
  ln -sfn "$dest" "$dir/$(tool_binary "$name")"
}

# The CLI takes the Node.js language host it ships with from the directory of its own executable (symlinks
# resolved), and warns when it finds one on PATH that is not that file (pulumi/pulumi sdk/go/common/workspace/
# plugins.go getPluginInfoAndPath, v3.274.1). So, as in a Pulumi release, a copy of the language host sits
# beside the cached `pulumi`, and .tools/bin links to that copy: no "using pulumi-language-nodejs from $PATH".
bundle_language_host() {
  local host cli_dir
  host="$(tool_path pulumi-language-nodejs)"
  cli_dir="$(dirname "$(tool_path pulumi)")"
  [ -f "$host" ] && [ -d "$cli_dir" ] || return 0
  if ! cmp -s "$host" "$cli_dir/pulumi-language-nodejs"; then
    cp "$host" "$cli_dir/pulumi-language-nodejs.tmp" && mv -f "$cli_dir/pulumi-language-nodejs.tmp" "$cli_dir/pulumi-language-nodejs"
  fi
  ln -sfn "$cli_dir/pulumi-language-nodejs" "$links/pulumi-language-nodejs"
  # `runtime: bun` (a Pulumi.yaml or PulumiPolicy.yaml): the CLI starts the plugin `pulumi-language-bun`, which is
  # the same Node.js language host run with `-runtime bun` (v3.248.0 main.go: it then starts `bun` from PATH).
  local bun_host
  bun_host=$'#!/bin/sh\nexec "$(dirname "$(readlink -f "$0")")/pulumi-language-nodejs" -runtime bun "$@"\n'
  if [ "$(cat "$cli_dir/pulumi-language-bun" 2>/dev/null)"$'\n' != "$bun_host" ]; then
    printf '%s' "$bun_host" >"$cli_dir/pulumi-language-bun.tmp" && chmod 755 "$cli_dir/pulumi-language-bun.tmp" && mv -f "$cli_dir/pulumi-language-bun.tmp" "$cli_dir/pulumi-language-bun"
  fi
  ln -sfn "$cli_dir/pulumi-language-bun" "$links/pulumi-language-bun"
}

# install TOOL...: build the missing ones in order, one progress line each, then link them all.
install() {
  local wanted=() queue=() arg t i=0 start now began heartbeat left
  for arg in "$@"; do
    for t in $(group_tools "$arg"); do
      tool_version "$t" >/dev/null || exit 2
      [[ " ${wanted[*]} " == *" $t "* ]] || wanted+=("$t")
    done
  done
  for t in "${wanted[@]}"; do [ -f "$(tool_path "$t")" ] || queue+=("$t"); done
  if [ "${#queue[@]}" -gt 0 ]; then
    log "${#queue[@]} of ${#wanted[@]} tools to build (cold builds take minutes each; cached under $cache): ${queue[*]}"
  fi
  start=$SECONDS
  for t in "${queue[@]}"; do
    i=$((i + 1))
    began=$SECONDS
    left="${queue[*]:$i}"
    log "[$i/${#queue[@]}] building $t $(tool_version "$t") ($(mmss $((SECONDS - start))) elapsed; left after it: ${left:-nothing})"
    # A line a minute while the build runs, so a cold first run never looks hung.
    (
      trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
      while :; do
        sleep 60 &
        sleeper=$!
        wait "$sleeper"
        log "[$i/${#queue[@]}] still building $t ($(mmss $((SECONDS - began))) on it, $(mmss $((SECONDS - start))) in all)"
      done
    ) &
    heartbeat=$!
    if ! build_one "$t"; then
      kill "$heartbeat" 2>/dev/null || true
      log "[$i/${#queue[@]}] building $t failed after $(mmss $((SECONDS - began)))"
      exit 1
    fi
    kill "$heartbeat" 2>/dev/null || true
    now=$SECONDS
    log "[$i/${#queue[@]}] built $t in $(mmss $((now - began))) ($(mmss $((now - start))) elapsed)"
  done
  for t in "${wanted[@]}"; do link_one "$t"; done
  bundle_language_host
  [ "${#queue[@]}" -eq 0 ] || log "built ${#queue[@]} tools in $(mmss $((SECONDS - start)))"
}

cmd="${1:-help}"
shift || true
case "$cmd" in
  install)
    [ "$#" -gt 0 ] || set -- all
    install "$@"
    ;;
  path) echo "$links" ;;
  plugin-path) echo "$plugin_links" ;;
  share-path) echo "$share_links" ;;
  list)
    for t in "${all_tools[@]}"; do
      p="$(tool_path "$t")"
      printf '%-26s %-12s %s\n' "$t" "$(tool_version "$t")" "$([ -f "$p" ] && echo "cached $p" || echo missing)"
    done
    ;;
  help | -h | --help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) log "unknown command '$cmd'"; sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
