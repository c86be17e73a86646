#!/usr/bin/env bash
# Configs checked by the real decoders: renders the dev, production and current stacks with the
# program's render-to-YAML provider (e2e/programs/render, through the Pulumi CLI), from a chart mirror
# of its own on 127.0.0.1, and feeds every rendered mesh config, Telemetry, ServiceEntry, Jaeger
# config and Kiali config to the decoders of decoders/*.spec.ts. No control plane is needed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project="$(cd "$here/.." && pwd)"
cd "$project"

port="${OBS_DECODERS_CHARTS_PORT:-9279}"
charts="${OBS_CHARTS_DIR:-$project/../shared/charts}"
export OBS_CHARTS_URL="http://127.0.0.1:$port"

"$here/toolchain.sh" install pulumi pulumi-language-nodejs kubernetes-provider jaeger-v1 jaeger-v2 istio-decode-1.24 istio-decode-1.30
[ -d "$charts" ] || { echo "[decoders] chart repository $charts not found (expected ../shared/charts beside the project)" >&2; exit 1; }

python3 -m http.server "$port" --bind 127.0.0.1 --directory "$charts" >/dev/null 2>&1 &
mirror=$!
trap 'kill "$mirror" 2>/dev/null || true; wait "$mirror" 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -sf "$OBS_CHARTS_URL/index.yaml" >/dev/null && break; sleep 0.2; done
curl -sf "$OBS_CHARTS_URL/index.yaml" >/dev/null || { echo "[decoders] chart mirror did not start on $OBS_CHARTS_URL" >&2; exit 1; }

npx mocha --config decoders/.mocharc.json "$@"
