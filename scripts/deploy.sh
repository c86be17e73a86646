#!/usr/bin/env bash
# The deploy workflow's update (.github/workflows/up.yml runs exactly this): `pulumi up` WITHOUT --skip-preview,
# so the CLI first previews under the policy pack and refuses to update when a mandatory policy — of a resource,
# or of the stack, which the engine judges after every resource is registered — is violated. Nothing changes then.
# (pulumi/actions' `command: up` and the Automation API run `up --skip-preview`, which judges each resource only
# when the update reaches it: a late violation stops it after earlier objects were created.)
#
#   scripts/deploy.sh <stack> [--policy-config FILE] [--cwd DIR] [-- extra pulumi up flags]
#
# The policy config defaults to policy/config/<stack>.json. Uses the `pulumi` on PATH and its login (e.g.
# PULUMI_ACCESS_TOKEN, or PULUMI_BACKEND_URL for an S3 or file backend). `--refresh` first: istiod rewrites its
# webhooks at runtime, so the preview shows real changes only.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project="$(cd "$here/.." && pwd)"

usage() { sed -n '7,11p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

[ "$#" -ge 1 ] || usage
stack="$1"
shift
config="$project/policy/config/$stack.json"
cwd="$project"
extra=()
while [ "$#" -gt 0 ]; do
  case "$1" in
    --policy-config) config="$2"; shift 2 ;;
    --cwd) cwd="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) usage ;;
  esac
done
[ -f "$config" ] || { echo "deploy: no policy config $config for stack $stack (pass --policy-config FILE)" >&2; exit 2; }
[ -f "$project/policy/bin/policy/index.js" ] || { echo "deploy: the policy pack is not built: run npm --prefix policy run build" >&2; exit 2; }

exec pulumi up --stack "$stack" --cwd "$cwd" --yes --non-interactive --refresh \
  --policy-pack "$project/policy" --policy-pack-config "$config" "${extra[@]}"
