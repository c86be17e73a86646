#!/usr/bin/env bash
# Real-engine tests: builds or reuses the toolchain, starts a control plane and chart mirror of its
# own (other ports and state than the local stack's), runs e2e/*.e2e.ts, and always stops it again.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project="$(cd "$here/.." && pwd)"
cd "$project"

# shellcheck source=scripts/own-cluster.sh
. "$here/own-cluster.sh"
own_cluster e2e 23890 16543 16557 8979

"$here/toolchain.sh" install e2e
# The CLI loads the compiled pack (policy/package.json main): build it from the sources under test.
npm --prefix policy run --silent build
own_cluster_up
npx mocha --config e2e/.mocharc.json "$@"
