#!/usr/bin/env bash
# Recovers a stack after an interrupted `pulumi up` (the CLI was killed, the machine or CI runner
# died): removes the stack's lock and drops the creates the dead run left pending, so the next
# `pulumi up` creates (or, with server-side apply, takes over) those objects again. Nothing in the
# cluster is deleted. Run it from the project directory with the stack's backend logged in.
#
#   scripts/recover.sh <stack>      then: pulumi up --stack <stack>
set -euo pipefail
stack="${1:?usage: scripts/recover.sh <stack>}"
# A file backend (pulumi login file://...): a kill while the CLI wrote a checkpoint can leave the checkpoint's metadata
# sidecar, `<stack>.json.attrs` (gocloud.dev/blob/fileblob writes it in place, the checkpoint itself to a temporary
# file it then renames), empty; every command then fails with "failed to load checkpoint: EOF". The checkpoint is the
# last whole one: drop the empty sidecar (fileblob reads a missing one as no metadata) and the dead run's temporary files.
url="$(pulumi whoami --json 2>/dev/null | sed -n 's|.*"url": *"file://\([^"]*\)".*|\1|p')"
if [ -n "$url" ] && [ -d "$url/.pulumi/stacks" ]; then
  find "$url/.pulumi/stacks" -maxdepth 2 -name "$stack.json*.attrs" -size 0 -print -delete | sed 's/^/removed an empty checkpoint sidecar: /' >&2
  find "$url/.pulumi/stacks" -maxdepth 2 -name "$stack.json.*.tmp" -delete
fi
# The lock of the dead run (with Pulumi Cloud: its update is marked cancelled). No lock: nothing to do.
pulumi cancel --yes --stack "$stack" || true
# Pending creates of the dead run: objects it may or may not have created. Dropping them from the
# state is safe here: every object of this stack is applied with server-side apply, so the next
# `up` adopts an object that exists and creates one that does not.
pulumi refresh --clear-pending-creates --yes --skip-preview --non-interactive --stack "$stack"
