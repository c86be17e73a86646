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
# Jaeger v2 (cmd/jaeger). Chart 4.11.1 runs v2.19.0, but the module has no v2 tags (the /v2 path is
# unknown to the proxy) and its v1 tags end at v1.76.0, which is Jaeger v2.13.0: the newest v2 served.
JAEGER_V2_MODULE_VERSION="v1.76.0"
JAEGER_V2_RELEASE="v2.13.0"
