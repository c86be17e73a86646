#!/usr/bin/env bash
# Real-engine tests: builds or reuses the toolchain, starts a control plane and chart mirror of its
# own (other ports and state than the local stack's) and an S3 server for the team-state tests
# (scripts/s3.sh, OBS_E2E_S3_PORT, default 28400), runs e2e/*.e2e.ts, and always stops them again.
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
export OBS_S3_DIR="$project/.work/e2e-s3" OBS_S3_PORT="${OBS_E2E_S3_PORT:-28400}"
trap '"$here/cluster.sh" down >/dev/null 2>&1 || true; "$here/s3.sh" down >/dev/null 2>&1 || true' EXIT
"$here/s3.sh" down >/dev/null 2>&1 || true
"$here/s3.sh" up
eval "$("$here/s3.sh" env)"
npx mocha --config e2e/.mocharc.json "$@"
