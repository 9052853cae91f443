#!/bin/sh
# Creates the declared S3 buckets in SeaweedFS; safe to run any number of times.
#
# 1. Waits until master and filer answer: `s3.bucket.list` through `weed shell`, retried with
#    exponential backoff, a bounded number of times.
# 2. Creates only the buckets the list does not show (`s3.bucket.create -name <bucket>`).
# 3. Lists again and fails unless every declared bucket exists.
#
# `weed shell` (3.73) blocks until it reaches the master and exits 0 even when a command fails
# (it prints `error: ...`), so every call runs under `timeout` and its output is checked. Later
# versions (4.53) exit 1 on a failed command and give up on the master after 30 s; the message
# they printed is kept in the log either way.
#
# Environment:
#   SEAWEEDFS_MASTER       master host:port (HTTP port; gRPC = port + 10000)       required
#   SEAWEEDFS_FILER        filer host:port (HTTP port; gRPC = port + 10000)        required
#   BUCKETS                space-separated bucket names                            required
#   WAIT_ATTEMPTS          attempts before giving up                               default 20
#   WAIT_INITIAL_SECONDS   first delay, doubled after every failed attempt         default 2
#   WAIT_MAX_SECONDS       cap of the delay                                        default 30
#   SHELL_TIMEOUT_SECONDS  limit for one `weed shell` call                         default 30
set -eu
# No pathname expansion: bucket lists are split on spaces, never globbed.
set -f
LC_ALL=C
export LC_ALL

log() {
  echo "create-buckets: $*"
}

fail() {
  echo "create-buckets: ERROR: $*" >&2
  exit 1
}

require_number() {
  case "$2" in
    '' | *[!0-9]*) fail "$1 must be a non-negative integer, got '$2'" ;;
  esac
}

MASTER=${SEAWEEDFS_MASTER:-}
FILER=${SEAWEEDFS_FILER:-}
WANTED=${BUCKETS:-}
ATTEMPTS=${WAIT_ATTEMPTS:-20}
DELAY=${WAIT_INITIAL_SECONDS:-2}
MAX_DELAY=${WAIT_MAX_SECONDS:-30}
SHELL_TIMEOUT=${SHELL_TIMEOUT_SECONDS:-30}

[ -n "$MASTER" ] || fail "SEAWEEDFS_MASTER is not set (e.g. seaweedfs-master-0.seaweedfs-master.seaweedfs.svc:9333)"
[ -n "$FILER" ] || fail "SEAWEEDFS_FILER is not set (e.g. seaweedfs-filer-client.seaweedfs.svc:8888)"
[ -n "$WANTED" ] || fail "BUCKETS is empty: nothing to create"
require_number WAIT_ATTEMPTS "$ATTEMPTS"
require_number WAIT_INITIAL_SECONDS "$DELAY"
require_number WAIT_MAX_SECONDS "$MAX_DELAY"
require_number SHELL_TIMEOUT_SECONDS "$SHELL_TIMEOUT"
[ "$ATTEMPTS" -ge 1 ] || fail "WAIT_ATTEMPTS must be at least 1"
[ "$SHELL_TIMEOUT" -ge 1 ] || fail "SHELL_TIMEOUT_SECONDS must be at least 1"

for bucket in $WANTED; do
  case "$bucket" in
    *[!a-z0-9.-]*) fail "bucket name '$bucket' is not a valid S3 bucket name" ;;
  esac
done

work=$(mktemp -d "${TMPDIR:-/tmp}/create-buckets.XXXXXX")
trap 'rm -rf "$work"' EXIT

# weed_shell <command>: runs one `weed shell` command, output in $work/out. Fails when the shell
# timed out or exited non-zero, or printed an error.
reason=''
# The first error line weed printed, without liner's "> " prompts (3.73 prints them before every
# read when stdin and stdout are redirected; stderr lands after them in the same file).
error_line() {
  grep -E '^(> )*(error:|unknown command)' "$work/out" | head -n 1 | sed 's/^\(> \)*//'
}
weed_shell() {
  status=0
  echo "$1" | timeout "$SHELL_TIMEOUT" weed shell -master="$MASTER" -filer="$FILER" > "$work/out" 2>&1 || status=$?
  if [ "$status" -ne 0 ]; then
    case "$status" in
      124 | 143) reason="weed shell did not finish within ${SHELL_TIMEOUT}s (master unreachable?)" ;;
      *)
        # Its error line, else its last line (4.53: "cannot connect to master ... within 30s").
        reason=$(error_line)
        [ -n "$reason" ] || reason=$(grep -v -E '^(> )*$' "$work/out" | sed -n '$p')
        reason="${reason:+$reason }(weed shell exited with status $status)"
        ;;
    esac
    return 1
  fi
  if grep -Eq '^(> )*(error:|unknown command)' "$work/out"; then
    reason=$(error_line)
    return 1
  fi
  return 0
}

# Bucket names from `s3.bucket.list` output (`  <name>\tsize:<n>\tchunk:<n>[...]`), one per line.
existing_buckets() {
  awk -F '\t' '{ sub(/^(> )+/, "", $1) } NF >= 2 && $2 ~ /^size:/ && $1 ~ /^  [^ ]/ { sub(/^  /, "", $1); print $1 }' "$work/out"
}

contains() {
  printf '%s\n' "$1" | grep -Fxq -- "$2"
}

attempt=1
until weed_shell "s3.bucket.list"; do
  if [ "$attempt" -ge "$ATTEMPTS" ]; then
    fail "SeaweedFS did not answer after $attempt attempts (master $MASTER, filer $FILER): $reason"
  fi
  log "waiting for master $MASTER and filer $FILER (attempt $attempt/$ATTEMPTS: $reason); retrying in ${DELAY}s"
  sleep "$DELAY"
  attempt=$((attempt + 1))
  DELAY=$((DELAY * 2))
  if [ "$DELAY" -gt "$MAX_DELAY" ]; then DELAY=$MAX_DELAY; fi
done
existing=$(existing_buckets)

created=0
for bucket in $WANTED; do
  if contains "$existing" "$bucket"; then
    log "bucket $bucket exists"
    continue
  fi
  weed_shell "s3.bucket.create -name $bucket" || fail "creating bucket $bucket failed: $reason"
  log "created bucket $bucket"
  created=$((created + 1))
done

weed_shell "s3.bucket.list" || fail "listing buckets after creation failed: $reason"
existing=$(existing_buckets)
for bucket in $WANTED; do
  contains "$existing" "$bucket" || fail "bucket $bucket is still missing after s3.bucket.create"
done
log "done: $created bucket(s) created, all declared buckets exist"
