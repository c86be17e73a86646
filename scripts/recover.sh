#!/usr/bin/env bash
# Recovers a stack after an interrupted `pulumi up` (the CLI was killed, the machine or CI runner
# died): removes the stack's lock and drops the creates the dead run left pending, so the next
# `pulumi up` creates (or, with server-side apply, takes over) those objects again. Nothing in the
# cluster is deleted. Run it from the project directory with the stack's backend logged in.
#
#   scripts/recover.sh <stack>      then: pulumi up --stack <stack>
set -euo pipefail
stack="${1:?usage: scripts/recover.sh <stack>}"
# The lock of the dead run (with Pulumi Cloud: its update is marked cancelled). No lock: nothing to do.
pulumi cancel --yes --stack "$stack" || true
# Pending creates of the dead run: objects it may or may not have created. Dropping them from the
# state is safe here: every object of this stack is applied with server-side apply, so the next
# `up` adopts an object that exists and creates one that does not.
pulumi refresh --clear-pending-creates --yes --skip-preview --non-interactive --stack "$stack"
