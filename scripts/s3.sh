#!/usr/bin/env bash
# An S3-compatible object store on 127.0.0.1 for Pulumi state, as a team keeps it in a bucket: SeaweedFS's
# `weed mini` (master, volume, filer and S3 gateway in one process; the toolchain's `seaweedfs`), every listener on
# loopback, static credentials, one bucket created at start.
#
#   scripts/s3.sh up      start it (idempotent) and wait until a write succeeds; prints the login settings
#   scripts/s3.sh down    stop it and delete its data
#   scripts/s3.sh env     print the settings: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, OBS_S3_BACKEND_URL
#   scripts/s3.sh help
#
# State lives in $OBS_S3_DIR (default <project>/.work/s3). Ports: $OBS_S3_PORT (28300) for S3; the master, volume,
# filer and admin servers take $OBS_S3_PORT + 33, 80, 88 and 35, their gRPC ports + 43, 90, 98, 45 and S3 gRPC + 10.
# Log in with: pulumi login "$OBS_S3_BACKEND_URL" (with the AWS_* variables set).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project="$(cd "$here/.." && pwd)"
dir="${OBS_S3_DIR:-$project/.work/s3}"
port="${OBS_S3_PORT:-28300}"
bucket="pulumi-state"
region="us-east-1"
endpoint="http://127.0.0.1:$port"

log() { printf '[s3] %s\n' "$*" >&2; }
running() { [ -f "$dir/weed.pid" ] && kill -0 "$(cat "$dir/weed.pid")" 2>/dev/null; }

# The credentials of this store, made once per data directory.
credentials() {
  mkdir -p "$dir"
  if [ ! -f "$dir/credentials" ]; then
    (
      umask 077
      printf '%s %s\n' "obs$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')" "$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$dir/credentials"
    )
  fi
  read -r access secret <"$dir/credentials"
}

backend_url() {
  # Path-style requests to a plain-HTTP endpoint; checksums only where S3 requires them (SeaweedFS sends none back).
  printf 's3://%s?endpoint=%s&region=%s&use_path_style=true&request_checksum_calculation=when_required&response_checksum_validation=when_required' "$bucket" "$endpoint" "$region"
}

print_env() {
  credentials
  printf 'export AWS_ACCESS_KEY_ID=%s\nexport AWS_SECRET_ACCESS_KEY=%s\nexport AWS_REGION=%s\nexport OBS_S3_BACKEND_URL=%q\n' "$access" "$secret" "$region" "$(backend_url)"
}

# s3 CURL-ARGS...: a request signed with the store's credentials (curl's SigV4).
s3() { curl -sS --max-time 30 --aws-sigv4 "aws:amz:$region:s3" --user "$access:$secret" "$@"; }

up() {
  credentials
  if running; then
    return
  fi
  local weed
  weed="$("$here/toolchain.sh" path)/weed"
  "$here/toolchain.sh" install seaweedfs >&2
  # Any identity in the config turns authentication on: an unsigned or wrongly signed request gets 403.
  (
    umask 077
    printf '{"identities":[{"name":"pulumi","credentials":[{"accessKey":"%s","secretKey":"%s"}],"actions":["Admin","Read","List","Tagging","Write"]}]}\n' "$access" "$secret" >"$dir/s3.json"
  )
  mkdir -p "$dir/data"
  # Every listener on 127.0.0.1 and an explicit port (the default gRPC port, HTTP + 10000, lands in the
  # ephemeral range); no telemetry, WebDAV, Iceberg, Lance or admin UI.
  "$weed" -logtostderr mini -ip=127.0.0.1 -ip.bind=127.0.0.1 -dir="$dir/data" \
    -master.port=$((port + 33)) -master.port.grpc=$((port + 43)) -master.telemetry=false \
    -master.volumeSizeLimitMB=64 -volume.max=32 -volume.port=$((port + 80)) -volume.port.grpc=$((port + 90)) \
    -filer.port=$((port + 88)) -filer.port.grpc=$((port + 98)) \
    -s3.port="$port" -s3.port.grpc=$((port + 10)) -s3.port.iceberg=0 -s3.port.lance=0 \
    -s3.config="$dir/s3.json" -bucket="$bucket" \
    -webdav=false -admin.ui=false -admin.port=$((port + 35)) -admin.port.grpc=$((port + 45)) -admin.port.legacy=0 \
    >"$dir/weed.log" 2>&1 &
  echo $! >"$dir/weed.pid"
  # Ready when a signed write succeeds: /healthz answers before the S3 gateway reaches the filer, and the first
  # write waits until the filer has registered with the master.
  printf ok >"$dir/probe"
  local code=000 i
  for i in $(seq 1 120); do
    code="$(s3 -o /dev/null -w '%{http_code}' -T "$dir/probe" "$endpoint/$bucket/.ready-probe" 2>/dev/null || true)"
    [ "$code" = 200 ] && break
    running || break
    sleep 0.5
  done
  if [ "$code" != 200 ]; then
    log "SeaweedFS did not accept a write (last HTTP status $code); last lines of its log:"
    tail -n 20 "$dir/weed.log" >&2 || true
    down
    return 1
  fi
  s3 -o /dev/null -X DELETE "$endpoint/$bucket/.ready-probe" || true
  log "up: bucket $bucket at $endpoint (pulumi login \"\$OBS_S3_BACKEND_URL\" after: eval \"\$(scripts/s3.sh env)\")"
}

down() {
  local pid
  if running; then
    pid="$(cat "$dir/weed.pid")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
  log "down"
}

cmd="${1:-help}"
case "$cmd" in
  up) up ;;
  down) down ;;
  env) print_env ;;
  help | -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) log "unknown command '$cmd'"; sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
