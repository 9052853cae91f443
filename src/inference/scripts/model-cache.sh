#!/bin/sh
# Model cache for LlamaInferenceService: makes one model version servable from a content-addressed
# cache on a PVC, pulling from an OCI registry (Harbor) with ORAS only what is missing.
# Runs as an init container in the ORAS image (Alpine, busybox ash); also runs under dash and bash.
#
# Layout under CACHE_DIR (all links relative, so any mount path works):
#   blobs/sha256/<hex>             layer content, named by its sha256; read-only; written only after
#                                  its size and sha256 were verified (temp name, then rename)
#   versions/<hex>/record          the version record: manifest digest, one line per materialized
#                                  layer `layer sha256:<hex> <size> <title>`; <hex> = manifest digest
#   versions/<hex>/manifest.json   the manifest as the registry served it
#   versions/<hex>/files/<title>   -> ../../../blobs/sha256/<hex>  (derived from the record; rebuilt
#                                  from it when missing, e.g. after a restore that dropped links)
#   current                        -> versions/<hex>/files   the stable served path; switched
#                                  atomically (new link under tmp/, then `mv -f -T` over it)
#   history                        version ids in order of use, most recent last (for KEEP_VERSIONS)
#   refs/<registry>/<repository>/<tag>   the version id last served for that tag (offline fallback)
#   tmp/                           partial downloads and temp names; emptied at start under the lock
#
# Decisions:
#   Hit (O(1): no hashing, no registry call) when the reference is pinned by manifest digest or
#   carries the expected layer digests, and a kept version matches: its record exists, every blob it
#   lists exists with the recorded size (one `stat`), and MODEL_FILE is one of its files.
#   Tag-only references ask the registry (`oras resolve`) so a moved tag is noticed; when the
#   registry cannot be reached, the version last served for that tag is used with a WARNING
#   (STALE_TAG_FALLBACK=false turns that into an error).
#   Registry budget: ORAS has no timeout flag and retries every request itself (oras-go's default
#   policy: 5 retries on dial timeouts, 408, 429 and 5xx, Go's 30 s dial timeout), so one call to a
#   host that drops packets takes about 3 minutes. Each lookup (`resolve`, `manifest fetch`) is
#   therefore stopped after ORAS_TIMEOUT_SECONDS; an unreachable registry costs at most
#   FETCH_ATTEMPTS x ORAS_TIMEOUT_SECONDS plus the pauses between attempts per lookup (defaults:
#   3 x 30 s + 2 s + 4 s = 96 s) before the stale fallback or the failure. Blob downloads are not
#   time-limited: they take as long as the model's size needs.
#   Miss: fetch the manifest (or reuse the stored copy when the digest is pinned), then only the
#   named layers whose blob is missing or has the wrong size; each one is checked (size, and sha256
#   by oras while it downloads) before it is renamed into blobs/. The config blob is never fetched: it is not needed to serve.
#   Corruption: the hit path detects a missing blob and a size change (truncated or extended file);
#   a same-size change of content is detected only with VERIFY_BLOBS=sha256 (hashes the served
#   version's blobs on every start). A detected bad blob is removed and fetched again.
#   Keeps the KEEP_VERSIONS most recently served versions; older records and blobs no kept version
#   uses are removed after each switch. Switching to a kept version pulls nothing.
#   `mv -T` is needed for the atomic switch (GNU coreutils; busybox has it, tested with 1.35):
#   without it both mv implementations would move the new link INTO the directory `current` names.
#   Concurrent runs on one cache are serialized with `flock` (util-linux or busybox) when present;
#   without it, leftovers in tmp/ are removed only once they are an hour old.
#
# Environment:
#   CACHE_DIR              mount path of the cache PVC                                 required
#   MODEL_REGISTRY         registry host[:port]                                        required
#   MODEL_REPOSITORY       repository path                                             required
#   MODEL_TAG              tag                                  one of MODEL_TAG/MODEL_DIGEST required
#   MODEL_DIGEST           manifest digest sha256:<hex>
#   MODEL_LAYER_DIGESTS    expected layer digests, space separated                     optional
#   MODEL_FILE             title of the layer the server loads                         required
#   KEEP_VERSIONS          versions kept for rollback (>= 1)                           default 2
#   ORAS_PLAIN_HTTP        true: registry speaks plain http (--plain-http)             default false
#   REGISTRY_CREDENTIALS_DIR  dir with files `username` and `password`; empty = anonymous
#   WORK_DIR               private scratch dir (tmpfs) for the registry config file   default /tmp
#   VERIFY_BLOBS           size | sha256                                               default size
#   STALE_TAG_FALLBACK     true | false                                                default true
#   FETCH_ATTEMPTS         attempts per registry call                                  default 3
#   RETRY_DELAY_SECONDS    first delay between attempts, doubled each time             default 2
#   ORAS_TIMEOUT_SECONDS   wall-clock limit of one lookup (resolve, manifest fetch)    default 30
#   LOCK_TIMEOUT_SECONDS   wait for a concurrent run on the same cache                 default 3600
# Functions run through `retry` and the EXIT trap look unreachable to shellcheck.
# shellcheck disable=SC2317
set -eu
LC_ALL=C
export LC_ALL
umask 022

TAB=$(printf '\t')

log() {
  printf 'model-cache: %s\n' "$*"
}

warn() {
  printf 'model-cache: WARNING: %s\n' "$*" >&2
}

fail() {
  printf 'model-cache: ERROR: %s\n' "$*" >&2
  exit 1
}

require_count() {
  case "$2" in
    '' | *[!0-9]*) fail "$1 must be a non-negative integer, got '$2'" ;;
  esac
}

is_digest() {
  case "$1" in
    sha256:*) ;;
    *) return 1 ;;
  esac
  id_hex=${1#sha256:}
  [ "${#id_hex}" -eq 64 ] || return 1
  case "$id_hex" in
    *[!0-9a-f]*) return 1 ;;
  esac
  return 0
}

# A relative path without empty, `.` or `..` components, from a conservative character set.
is_safe_relpath() {
  case "$1" in
    '' | /* | */ | *//* | *[!A-Za-z0-9._+/-]*) return 1 ;;
  esac
  case "/$1/" in
    */./* | */../*) return 1 ;;
  esac
  return 0
}

# ---------------------------------------------------------------------------------------------
# Settings

CACHE=${CACHE_DIR:-}
REGISTRY=${MODEL_REGISTRY:-}
REPOSITORY=${MODEL_REPOSITORY:-}
TAG=${MODEL_TAG:-}
DIGEST=${MODEL_DIGEST:-}
LAYER_DIGESTS=${MODEL_LAYER_DIGESTS:-}
MODEL=${MODEL_FILE:-}
KEEP=${KEEP_VERSIONS:-2}
PLAIN_HTTP=${ORAS_PLAIN_HTTP:-false}
CREDENTIALS=${REGISTRY_CREDENTIALS_DIR:-}
WORK_BASE=${WORK_DIR:-/tmp}
VERIFY=${VERIFY_BLOBS:-size}
STALE_FALLBACK=${STALE_TAG_FALLBACK:-true}
ATTEMPTS=${FETCH_ATTEMPTS:-3}
RETRY_DELAY=${RETRY_DELAY_SECONDS:-2}
ORAS_TIMEOUT=${ORAS_TIMEOUT_SECONDS:-30}
LOCK_TIMEOUT=${LOCK_TIMEOUT_SECONDS:-3600}

CACHE=${CACHE%/}
case "$CACHE" in
  /*) ;;
  *) fail "CACHE_DIR must be an absolute path (the cache PVC mount), got '${CACHE_DIR:-}'" ;;
esac
is_safe_relpath "${CACHE#/}" || fail "CACHE_DIR '$CACHE' may only contain [A-Za-z0-9._+-/] and no '.' or '..' components"
case "$REGISTRY" in
  '' | . | .. | *[!A-Za-z0-9.:\[\]-]*) fail "MODEL_REGISTRY must be a registry host[:port], got '$REGISTRY'" ;;
esac
case "$REPOSITORY" in
  *[!a-z0-9._/-]*) fail "MODEL_REPOSITORY must be a repository path such as ml-models/tinyllama, got '$REPOSITORY'" ;;
esac
is_safe_relpath "$REPOSITORY" || fail "MODEL_REPOSITORY must be a repository path such as ml-models/tinyllama, got '$REPOSITORY'"
case "$TAG" in
  -* | .* | *[!A-Za-z0-9_.-]*) fail "MODEL_TAG '$TAG' is not a valid tag" ;;
esac
[ "${#TAG}" -le 128 ] || fail "MODEL_TAG is longer than 128 characters"
[ -z "$DIGEST" ] || is_digest "$DIGEST" || fail "MODEL_DIGEST must be sha256:<64 lowercase hex>, got '$DIGEST'"
[ -n "$TAG$DIGEST" ] || fail "set MODEL_TAG, MODEL_DIGEST or both"
case "$LAYER_DIGESTS" in
  *[!a-z0-9:\ ]*) fail "MODEL_LAYER_DIGESTS must be space-separated sha256:<64 lowercase hex> digests, got '$LAYER_DIGESTS'" ;;
esac
for want in $LAYER_DIGESTS; do
  is_digest "$want" || fail "MODEL_LAYER_DIGESTS: '$want' is not sha256:<64 lowercase hex>"
done
is_safe_relpath "$MODEL" || fail "MODEL_FILE must be the relative file name (layer title) to serve, got '$MODEL'"
require_count KEEP_VERSIONS "$KEEP"
[ "$KEEP" -ge 1 ] || fail "KEEP_VERSIONS must be at least 1"
case "$PLAIN_HTTP" in
  true | false) ;;
  *) fail "ORAS_PLAIN_HTTP must be true or false, got '$PLAIN_HTTP'" ;;
esac
case "$VERIFY" in
  size | sha256) ;;
  *) fail "VERIFY_BLOBS must be size or sha256, got '$VERIFY'" ;;
esac
case "$STALE_FALLBACK" in
  true | false) ;;
  *) fail "STALE_TAG_FALLBACK must be true or false, got '$STALE_FALLBACK'" ;;
esac
require_count FETCH_ATTEMPTS "$ATTEMPTS"
[ "$ATTEMPTS" -ge 1 ] || fail "FETCH_ATTEMPTS must be at least 1"
require_count RETRY_DELAY_SECONDS "$RETRY_DELAY"
require_count ORAS_TIMEOUT_SECONDS "$ORAS_TIMEOUT"
[ "$ORAS_TIMEOUT" -ge 1 ] || fail "ORAS_TIMEOUT_SECONDS must be at least 1"
require_count LOCK_TIMEOUT_SECONDS "$LOCK_TIMEOUT"
if [ -n "$CREDENTIALS" ]; then
  if [ ! -r "$CREDENTIALS/username" ] || [ ! -r "$CREDENTIALS/password" ]; then
    fail "REGISTRY_CREDENTIALS_DIR '$CREDENTIALS' must hold readable files 'username' and 'password' (Secret mounted with the pod's fsGroup?)"
  fi
fi

command -v timeout >/dev/null 2>&1 || fail "timeout not found on PATH ($PATH): every registry lookup must be time-limited (ORAS_TIMEOUT_SECONDS)"

REPO_REF=$REGISTRY/$REPOSITORY
SHOWN_REF=$REPO_REF${TAG:+:$TAG}${DIGEST:+@$DIGEST}
BLOBS=$CACHE/blobs/sha256
VERSIONS=$CACHE/versions
REFS=$CACHE/refs
TMPD=$CACHE/tmp
HISTORY=$CACHE/history
CURRENT=$CACHE/current
REF_FILE=
[ -z "$TAG" ] || REF_FILE=$REFS/$REPO_REF/$TAG

[ -d "$CACHE" ] || fail "CACHE_DIR '$CACHE' does not exist (is the cache volume mounted?)"
[ -d "$BLOBS" ] || mkdir -p "$BLOBS"
[ -d "$VERSIONS" ] || mkdir -p "$VERSIONS"
[ -d "$TMPD" ] || mkdir -p "$TMPD"

WORK=
cleanup() {
  [ -z "$WORK" ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Serialize runs on the same cache (two replicas on one node share an RWO volume). A flock lock
# goes away with its holder, so a killed run never blocks the next one. Only `-n` on a file
# descriptor: busybox's flock (Alpine) has no `-w`, so the wait is a bounded poll. No program that
# outlives its command may inherit descriptor 9: busybox `timeout` leaves a forked watchdog running
# for up to a second after the command ends, which would hold the lock after this run has exited.
LOCKED=false
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE/.lock"
  if ! flock -n 9 2>/dev/null; then
    log "another model-cache run holds $CACHE/.lock; waiting up to ${LOCK_TIMEOUT}s"
    lk_waited=0
    until flock -n 9 2>/dev/null; do
      [ "$lk_waited" -lt "$LOCK_TIMEOUT" ] || fail "could not lock $CACHE/.lock within ${LOCK_TIMEOUT}s"
      sleep 1
      lk_waited=$((lk_waited + 1))
    done
  fi
  LOCKED=true
else
  warn "no flock in this image: concurrent runs on $CACHE are not serialized"
fi

# Leftovers of a killed run (partial downloads, temp links) are never served; remove them.
clean_tmp() {
  for ct_entry in "$TMPD"/* "$TMPD"/.[!.]*; do
    [ -e "$ct_entry" ] || [ -L "$ct_entry" ] || continue
    if [ "$LOCKED" = true ]; then
      rm -rf "$ct_entry"
    else
      # Without a lock a concurrent run may own it: remove only what nobody wrote for an hour.
      find "$ct_entry" -prune -mmin +60 -exec rm -rf {} \;
    fi
  done
}
clean_tmp

# ---------------------------------------------------------------------------------------------
# Version records

# version_ok <id>: is versions/<id> complete, with all its blobs present at their recorded sizes?
# Sets VO_TITLES (space separated), VO_DIGESTS, VO_PROBLEM. No hashing unless VERIFY_BLOBS=sha256.
version_ok() {
  vo_dir=$VERSIONS/$1
  VO_TITLES=
  VO_DIGESTS=
  VO_PROBLEM=
  if ! is_digest "sha256:$1"; then
    VO_PROBLEM="'$1' is not a version id"
    return 1
  fi
  if [ ! -f "$vo_dir/record" ]; then
    VO_PROBLEM="no version record"
    return 1
  fi
  vo_expected=
  set --
  while IFS=' ' read -r vo_kind vo_digest vo_size vo_title; do
    [ "$vo_kind" = layer ] || continue
    VO_TITLES="$VO_TITLES $vo_title"
    VO_DIGESTS="$VO_DIGESTS $vo_digest"
    set -- "$@" "$BLOBS/${vo_digest#sha256:}"
    vo_expected="$vo_expected$vo_size $BLOBS/${vo_digest#sha256:}
"
  done <"$vo_dir/record"
  if [ "$#" -eq 0 ]; then
    VO_PROBLEM="the record lists no files"
    return 1
  fi
  case "$VO_TITLES " in
    *" $MODEL "*) ;;
    *)
      VO_PROBLEM="MODEL_FILE '$MODEL' is not one of its files:$VO_TITLES"
      return 1
      ;;
  esac
  for vo_want in $LAYER_DIGESTS; do
    case "$VO_DIGESTS " in
      *" $vo_want "*) ;;
      *)
        VO_PROBLEM="expected layer $vo_want is not part of it"
        return 1
        ;;
    esac
  done
  # One stat for all blobs: existence and size.
  vo_actual=$(stat -c '%s %n' "$@" 2>/dev/null || true)
  if [ "$vo_actual
" != "$vo_expected" ]; then
    VO_PROBLEM="a blob is missing or has the wrong size"
    return 1
  fi
  if [ "$VERIFY" = sha256 ]; then
    for vo_blob in "$@"; do
      vo_sum=$(sha256sum <"$vo_blob")
      if [ "${vo_sum%% *}" != "${vo_blob##*/}" ]; then
        VO_PROBLEM="blob sha256:${vo_blob##*/} does not match its digest (VERIFY_BLOBS=sha256)"
        return 1
      fi
    done
  fi
  return 0
}

# Link depth prefix for a title: files/a/b.gguf needs one more `../` than files/b.gguf.
link_target() {
  lt_prefix=../../../
  lt_rest=$1
  while :; do
    case "$lt_rest" in
      */*)
        lt_prefix=../$lt_prefix
        lt_rest=${lt_rest#*/}
        ;;
      *) break ;;
    esac
  done
  printf '%sblobs/sha256/%s' "$lt_prefix" "$2"
}

# ensure_links <id>: (re)create files/<title> links from the record where they are missing.
ensure_links() {
  el_dir=$VERSIONS/$1
  while IFS=' ' read -r el_kind el_digest el_size el_title; do
    [ "$el_kind" = layer ] || continue
    if [ -L "$el_dir/files/$el_title" ] && [ -f "$el_dir/files/$el_title" ]; then
      continue
    fi
    log "restoring link files/$el_title of version $1 from its record (size $el_size)"
    mkdir -p "$(dirname "$el_dir/files/$el_title")"
    rm -f "$el_dir/files/$el_title"
    ln -s "$(link_target "$el_title" "${el_digest#sha256:}")" "$el_dir/files/$el_title"
  done <"$el_dir/record"
}

# switch_current <id>: point `current` at the version atomically; SWITCHED tells if it changed.
# The new link is made under tmp/ and renamed over the old one: readers see the old or the new
# target, never a missing link. `-T` makes mv replace the link instead of moving into its target.
switch_current() {
  sc_target=versions/$1/files
  sc_now=$(readlink "$CURRENT" 2>/dev/null || true)
  SWITCHED=false
  [ "$sc_now" != "$sc_target" ] || return 0
  sc_tmp=$TMPD/current.$$
  rm -f "$sc_tmp"
  ln -s "$sc_target" "$sc_tmp"
  mv -f -T "$sc_tmp" "$CURRENT" || fail "cannot switch $CURRENT (needs mv -T: GNU coreutils or busybox >= 1.35)"
  SWITCHED=true
  log "switched current: ${sc_now:-<none>} -> $sc_target"
}

record_use() {
  ru_tmp=$TMPD/history.$$
  {
    if [ -f "$HISTORY" ]; then
      grep -v -x -e "$1" "$HISTORY" || true
    fi
    printf '%s\n' "$1"
  } >"$ru_tmp"
  mv -f "$ru_tmp" "$HISTORY"
}

remember_tag() {
  [ -n "$REF_FILE" ] || return 0
  rt_old=
  [ ! -f "$REF_FILE" ] || IFS= read -r rt_old <"$REF_FILE" || true
  [ "$rt_old" != "$1" ] || return 0
  mkdir -p "$(dirname "$REF_FILE")"
  printf '%s\n' "$1" >"$REF_FILE.tmp.$$"
  mv -f "$REF_FILE.tmp.$$" "$REF_FILE"
}

# gc <kept ids> <extra blob hexes>: remove versions not kept, then blobs no kept version lists,
# then tag refs to removed versions.
gc() {
  gc_kept=" $1 "
  gc_refd=" $2 "
  for gc_dir in "$VERSIONS"/*; do
    [ -e "$gc_dir" ] || continue
    gc_id=${gc_dir##*/}
    case "$gc_kept" in
      *" $gc_id "*)
        if [ -f "$gc_dir/record" ]; then
          while IFS=' ' read -r gc_kind gc_digest _; do
            [ "$gc_kind" != layer ] || gc_refd="$gc_refd${gc_digest#sha256:} "
          done <"$gc_dir/record"
        fi
        ;;
      *)
        rm -rf "$gc_dir"
        log "gc: removed version sha256:$gc_id"
        ;;
    esac
  done
  gc_count=0
  gc_bytes=0
  for gc_blob in "$BLOBS"/*; do
    [ -e "$gc_blob" ] || continue
    case "$gc_refd" in
      *" ${gc_blob##*/} "*) ;;
      *)
        gc_size=$(stat -c %s "$gc_blob")
        rm -f "$gc_blob"
        gc_count=$((gc_count + 1))
        gc_bytes=$((gc_bytes + gc_size))
        ;;
    esac
  done
  [ "$gc_count" -eq 0 ] || log "gc: removed $gc_count blob(s), $gc_bytes bytes"
  if [ -d "$REFS" ]; then
    find "$REFS" -type f | while IFS= read -r gc_ref; do
      gc_rid=
      IFS= read -r gc_rid <"$gc_ref" || true
      case "$gc_kept" in
        *" $gc_rid "*) ;;
        *) rm -f "$gc_ref" ;;
      esac
    done
  fi
}

# Kept after serving <id>: it plus the KEEP_VERSIONS-1 most recently served other versions.
kept_ids() {
  ki_list=$1
  ki_room=$((KEEP - 1))
  if [ "$ki_room" -gt 0 ] && [ -f "$HISTORY" ]; then
    for ki_id in $(grep -v -x -e "$1" "$HISTORY" | tail -n "$ki_room"); do
      ki_list="$ki_list $ki_id"
    done
  fi
  printf '%s' "$ki_list"
}

# serve <id> <how>: the version is complete; make it the served one and stop.
serve() {
  ensure_links "$1"
  switch_current "$1"
  if [ "$SWITCHED" = true ]; then
    record_use "$1"
    gc "$(kept_ids "$1")" ''
    # history keeps only the kept ids, oldest first
    sv_tmp=$TMPD/history.$$
    tail -n "$KEEP" "$HISTORY" >"$sv_tmp"
    mv -f "$sv_tmp" "$HISTORY"
  fi
  remember_tag "$1"
  log "$2"
  log "serving $CURRENT/$MODEL"
  exit 0
}

# ---------------------------------------------------------------------------------------------
# Registry access (ORAS)

REG_CONFIG=
need_work() {
  [ -z "$WORK" ] || return 0
  [ -d "$WORK_BASE" ] || fail "WORK_DIR '$WORK_BASE' does not exist"
  WORK=$(mktemp -d "$WORK_BASE/model-cache.XXXXXX")
  ERR=$WORK/oras.err
  if [ -n "$CREDENTIALS" ]; then
    # Credentials go to ORAS as a registry config file on the private tmpfs: never in argv, env
    # or logs. printf is a shell builtin, so the values are not in any process's arguments.
    nw_user=$(cat "$CREDENTIALS/username")
    nw_pass=$(cat "$CREDENTIALS/password")
    if [ -z "$nw_user" ] || [ -z "$nw_pass" ]; then
      fail "the registry credentials files in $CREDENTIALS are empty"
    fi
    nw_auth=$(printf '%s:%s' "$nw_user" "$nw_pass" | base64 | tr -d '\n')
    nw_user=
    nw_pass=
    REG_CONFIG=$WORK/registry-config.json
    (
      umask 077
      printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$REGISTRY" "$nw_auth" >"$REG_CONFIG"
    )
    nw_auth=
  fi
}

# run_oras <command words> -- <args>: adds --plain-http and --registry-config after the command.
# Lookups are stopped (SIGKILL: status 137 with GNU and busybox timeout alike) after
# ORAS_TIMEOUT_SECONDS, see "Registry budget" above; blob downloads run to the end. A lookup's
# stderr goes through a file: on a timeout it holds only the shell's "Killed" notice, replaced by
# a line that names the limit.
run_oras() {
  ro_1=$1
  ro_2=$2
  shift 3
  [ -z "$REG_CONFIG" ] || set -- --registry-config "$REG_CONFIG" "$@"
  [ "$PLAIN_HTTP" != true ] || set -- --plain-http "$@"
  [ -z "$ro_2" ] || set -- "$ro_2" "$@"
  if [ "$ro_1" = blob ]; then
    oras "$ro_1" "$@"
    return
  fi
  ro_status=0
  timeout -s KILL "$ORAS_TIMEOUT" oras "$ro_1" "$@" 2>"$WORK/lookup.err" 9>&- || ro_status=$?
  if [ "$ro_status" -eq 137 ]; then
    printf 'oras %s gave no answer within %ss (ORAS_TIMEOUT_SECONDS)\n' "$ro_1${ro_2:+ $ro_2}" "$ORAS_TIMEOUT" >&2
  else
    cat "$WORK/lookup.err" >&2
  fi
  return "$ro_status"
}

err_text() {
  if [ -s "$ERR" ]; then
    tail -n 3 "$ERR" | tr '\n' ' ' | sed 's/ *$//'
  else
    printf '%s' "$1"
  fi
}

# retry <what> <command...>: bounded attempts with doubling delay.
retry() {
  rt_what=$1
  shift
  rt_attempt=1
  rt_delay=$RETRY_DELAY
  while :; do
    : >"$ERR"
    if "$@"; then
      return 0
    fi
    if [ "$rt_attempt" -ge "$ATTEMPTS" ]; then
      return 1
    fi
    warn "$rt_what failed (attempt $rt_attempt/$ATTEMPTS): $(err_text 'no error output'); retrying in ${rt_delay}s"
    sleep "$rt_delay"
    rt_attempt=$((rt_attempt + 1))
    rt_delay=$((rt_delay * 2))
  done
}

resolve_tag() {
  rs_out=$(run_oras resolve '' -- "$REPO_REF:$TAG" 2>"$ERR") || return 1
  RESOLVED=$rs_out
  if ! is_digest "$RESOLVED"; then
    printf 'oras resolve printed %s, not a sha256 digest\n' "$RESOLVED" >"$ERR"
    return 1
  fi
}

# fetch_manifest <ref> <file>
fetch_manifest() {
  rm -f "$2"
  run_oras manifest fetch -- --output "$2" "$1" 2>"$ERR"
}

# fetch_blob <digest> <size>: into tmp/, verified, then renamed into blobs/. `oras blob fetch`
# checks the sha256 while it copies and exits 1 ("mismatched digest") on other bytes
# (oras-project/oras@v1.3.3:cmd/oras/root/blob/fetch.go, content.NewVerifyReader), so the script
# does not read the file a second time; it checks the size against the manifest itself.
fetch_blob() {
  fb_hex=${1#sha256:}
  fb_part=$TMPD/$fb_hex.$$.partial
  rm -f "$fb_part"
  if ! run_oras blob fetch -- --output "$fb_part" "$REPO_REF@$1" 2>"$ERR"; then
    rm -f "$fb_part"
    return 1
  fi
  fb_size=$(stat -c %s "$fb_part" 2>/dev/null || echo missing)
  if [ "$fb_size" != "$2" ]; then
    printf 'blob %s: got %s bytes, the manifest says %s\n' "$1" "$fb_size" "$2" >"$ERR"
    rm -f "$fb_part"
    return 1
  fi
  chmod 0444 "$fb_part"
  sync "$fb_part" 2>/dev/null || sync
  mv -f "$fb_part" "$BLOBS/$fb_hex"
}

# ---------------------------------------------------------------------------------------------
# Manifest parsing: a small JSON reader in POSIX awk (the ORAS image has no jq). Prints
#   M <mediaType> / A <artifactType> / L <digest> <size> <mediaType> <title> <filepath> <unpack>
# tab separated, '-' for absent values. String escapes other than \" \\ \/ are kept verbatim
# (such names then fail the path check).
parse_manifest() {
  awk '
function die(msg) { print "invalid manifest JSON: " msg > "/dev/stderr"; bad = 1; exit 1 }
function ws(   c) {
  while (pos <= n) {
    c = substr(doc, pos, 1)
    if (c == " " || c == "\t" || c == "\n" || c == "\r") pos++
    else return
  }
}
function str(   out, c, e) {
  pos++
  out = ""
  while (pos <= n) {
    c = substr(doc, pos, 1)
    if (c == "\"") { pos++; return out }
    if (c == "\\") {
      e = substr(doc, pos + 1, 1)
      if (e == "\"" || e == "\\" || e == "/") out = out e
      else out = out "\\" e
      pos += 2
      continue
    }
    out = out c
    pos++
  }
  die("unterminated string")
}
function lit(   start, c) {
  start = pos
  while (pos <= n) {
    c = substr(doc, pos, 1)
    if (index("0123456789+-.eEtrufalsn", c) == 0) break
    pos++
  }
  if (pos == start) die("unexpected character at offset " pos)
  return substr(doc, start, pos - start)
}
function value(path,   c) {
  ws()
  if (pos > n) die("unexpected end")
  c = substr(doc, pos, 1)
  if (c == "{") obj(path)
  else if (c == "[") arr(path)
  else if (c == "\"") v[path] = str()
  else v[path] = lit()
}
function obj(path,   k, c) {
  pos++
  ws()
  if (substr(doc, pos, 1) == "}") { pos++; return }
  for (;;) {
    ws()
    if (substr(doc, pos, 1) != "\"") die("expected a key at offset " pos)
    k = str()
    ws()
    if (substr(doc, pos, 1) != ":") die("expected : at offset " pos)
    pos++
    value(path "/" k)
    ws()
    c = substr(doc, pos, 1)
    pos++
    if (c == ",") continue
    if (c == "}") return
    die("expected , or } at offset " (pos - 1))
  }
}
function arr(path,   i, c) {
  pos++
  ws()
  i = 0
  if (substr(doc, pos, 1) == "]") { pos++; v[path "/#"] = 0; return }
  for (;;) {
    value(path "/" i)
    i++
    ws()
    c = substr(doc, pos, 1)
    pos++
    if (c == ",") continue
    if (c == "]") { v[path "/#"] = i; return }
    die("expected , or ] at offset " (pos - 1))
  }
}
function out(x) { return x == "" ? "-" : x }
{ doc = doc $0 "\n" }
END {
  if (bad) exit 1
  n = length(doc)
  pos = 1
  value("")
  ws()
  if (pos <= n) die("trailing data at offset " pos)
  print "M\t" out(v["/mediaType"])
  print "A\t" out(v["/artifactType"])
  layers = v["/layers/#"] + 0
  for (i = 0; i < layers; i++) {
    p = "/layers/" i
    fp = v[p "/annotations/org.cnai.model.filepath"]
    if (fp == "") fp = v[p "/annotations/org.cncf.model.filepath"]
    print "L\t" out(v[p "/digest"]) "\t" out(v[p "/size"]) "\t" out(v[p "/mediaType"]) "\t" \
      out(v[p "/annotations/org.opencontainers.image.title"]) "\t" out(fp) "\t" \
      out(v[p "/annotations/io.deis.oras.content.unpack"])
  }
}' "$1"
}

# plan_layers <manifest file> <id>: writes $WORK/layers (`digest size title` per served file) and
# the version record; checks what the manifest offers against MODEL_FILE and MODEL_LAYER_DIGESTS.
plan_layers() {
  pl_parsed=$WORK/parsed
  parse_manifest "$1" >"$pl_parsed" 2>"$ERR" || fail "manifest sha256:$2: $(err_text 'cannot be parsed')"
  pl_record=$WORK/record
  printf 'manifest sha256:%s\nrepository %s\n' "$2" "$REPO_REF" >"$pl_record"
  : >"$WORK/layers"
  pl_titles=' '
  pl_digests=' '
  while IFS="$TAB" read -r pl_kind pl_digest pl_size pl_type pl_title pl_path pl_unpack; do
    case "$pl_kind" in
      M)
        case "$pl_digest" in
          application/vnd.oci.image.manifest.v1+json | -) ;;
          *) fail "manifest sha256:$2 has media type $pl_digest; expected an OCI image manifest (application/vnd.oci.image.manifest.v1+json)" ;;
        esac
        continue
        ;;
      A)
        case "$pl_digest" in
          application/vnd.cnai.model.manifest.v1+json | application/vnd.cncf.model.manifest.v1+json) ;;
          *) warn "manifest sha256:$2 has artifactType $pl_digest, not a CNAI model; serving its named layers anyway" ;;
        esac
        continue
        ;;
    esac
    pl_name=$pl_title
    [ "$pl_name" != - ] || pl_name=$pl_path
    [ "$pl_name" != - ] || continue
    if [ "$pl_unpack" = true ]; then
      warn "layer $pl_name ($pl_digest) is a packed directory; not materialized"
      continue
    fi
    case "$pl_type" in
      application/vnd.cnai.model.*.tar* | application/vnd.cncf.model.*.tar*)
        warn "layer $pl_name ($pl_digest, $pl_type) is an archive; not materialized"
        continue
        ;;
    esac
    is_digest "$pl_digest" || fail "manifest sha256:$2: layer $pl_name has digest '$pl_digest'; only sha256 is supported"
    require_count "size of layer $pl_name" "$pl_size"
    is_safe_relpath "$pl_name" || fail "manifest sha256:$2: layer title '$pl_name' is not a safe relative path"
    case "$pl_titles" in
      *" $pl_name "*) fail "manifest sha256:$2: two layers are named $pl_name" ;;
    esac
    pl_titles="$pl_titles$pl_name "
    pl_digests="$pl_digests$pl_digest "
    printf '%s %s %s\n' "$pl_digest" "$pl_size" "$pl_name" >>"$WORK/layers"
    printf 'layer %s %s %s\n' "$pl_digest" "$pl_size" "$pl_name" >>"$pl_record"
  done <"$pl_parsed"
  case "$pl_titles" in
    *" $MODEL "*) ;;
    *) fail "$SHOWN_REF (manifest sha256:$2) has no layer titled '$MODEL'; its files:$pl_titles" ;;
  esac
  for pl_want in $LAYER_DIGESTS; do
    case "$pl_digests" in
      *" $pl_want "*) ;;
      *) fail "$SHOWN_REF (manifest sha256:$2) does not contain the expected layer $pl_want; refusing to serve different content" ;;
    esac
  done
}

# Free bytes on the cache volume (df -P: POSIX columns, one line per filesystem).
free_bytes() {
  fb_kib=$(df -P -k "$CACHE" | awk 'NR == 2 { print $4 }')
  require_count "free KiB reported by df for $CACHE" "$fb_kib"
  printf '%s' "$((fb_kib * 1024))"
}

# materialize <manifest file> <id>: blobs + version dir for the manifest.
materialize() {
  plan_layers "$1" "$2"
  mt_need=0
  mt_missing=0
  mt_reused=0
  mt_planned=
  : >"$WORK/fetch"
  while IFS=' ' read -r mt_digest mt_size mt_title; do
    mt_hex=${mt_digest#sha256:}
    mt_planned="$mt_planned $mt_hex"
    mt_blob=$BLOBS/$mt_hex
    if [ -f "$mt_blob" ]; then
      mt_have=$(stat -c %s "$mt_blob")
      if [ "$mt_have" = "$mt_size" ]; then
        if [ "$VERIFY" = sha256 ]; then
          mt_sum=$(sha256sum <"$mt_blob")
          if [ "${mt_sum%% *}" = "$mt_hex" ]; then
            mt_reused=$((mt_reused + 1))
            continue
          fi
          warn "corrupted blob $mt_digest ($mt_title): content does not match its digest; fetching it again"
        else
          mt_reused=$((mt_reused + 1))
          continue
        fi
      else
        warn "corrupted blob $mt_digest ($mt_title): $mt_have bytes on disk, $mt_size expected; fetching it again"
      fi
      rm -f "$mt_blob"
    fi
    case " $(cat "$WORK/fetch") " in
      *" $mt_digest "*) continue ;;
    esac
    printf '%s %s %s\n' "$mt_digest" "$mt_size" "$mt_title" >>"$WORK/fetch"
    mt_missing=$((mt_missing + 1))
    mt_need=$((mt_need + mt_size))
  done <"$WORK/layers"

  if [ "$mt_missing" -gt 0 ]; then
    mt_free=$(free_bytes)
    if [ "$mt_need" -gt "$mt_free" ]; then
      warn "need $mt_need bytes for $mt_missing layer(s), $mt_free free: removing versions beyond KEEP_VERSIONS now"
      gc "$(kept_ids "$2")" "$mt_planned"
      mt_free=$(free_bytes)
      [ "$mt_need" -le "$mt_free" ] || fail "the cache volume has $mt_free bytes free, $mt_need needed for $mt_missing layer(s) of $SHOWN_REF; enlarge the PVC or lower KEEP_VERSIONS"
    fi
  fi

  mt_fetched=0
  while IFS=' ' read -r mt_digest mt_size mt_title; do
    log "fetching $mt_title ($mt_digest, $mt_size bytes)"
    retry "fetching $mt_title" fetch_blob "$mt_digest" "$mt_size" </dev/null ||
      fail "fetching $mt_title ($mt_digest) from $REPO_REF failed: $(err_text 'no error output')"
    mt_fetched=$((mt_fetched + mt_size))
  done <"$WORK/fetch"

  # The version directory appears in one rename, complete with its record.
  mt_new=$TMPD/version.$2.$$
  rm -rf "$mt_new"
  mkdir -p "$mt_new/files"
  cp "$1" "$mt_new/manifest.json"
  cp "$WORK/record" "$mt_new/record"
  while IFS=' ' read -r mt_digest mt_size mt_title; do
    mkdir -p "$(dirname "$mt_new/files/$mt_title")"
    ln -s "$(link_target "$mt_title" "${mt_digest#sha256:}")" "$mt_new/files/$mt_title"
  done <"$WORK/layers"
  rm -rf "${VERSIONS:?}/$2"
  mv -f "$mt_new" "$VERSIONS/$2"
  version_ok "$2" || fail "version sha256:$2 is incomplete right after materializing it: $VO_PROBLEM"
  PULLED="fetched $mt_missing layer(s), $mt_fetched bytes; reused $mt_reused layer(s) already in the cache"
}

# ---------------------------------------------------------------------------------------------
# Main

# 1. Digest pinned: decided locally.
if [ -n "$DIGEST" ]; then
  ID=${DIGEST#sha256:}
  if version_ok "$ID"; then
    serve "$ID" "cache hit: $SHOWN_REF (manifest $DIGEST; pinned digest, no registry call)"
  fi
  [ ! -d "$VERSIONS/$ID" ] || log "cached version $DIGEST cannot be served ($VO_PROBLEM); repairing it"
fi

# 2. Tag with expected layer digests: any kept version holding them will do.
if [ -z "$DIGEST" ] && [ -n "$LAYER_DIGESTS" ]; then
  # The version last served for this tag first, then every kept version, most recent first.
  ID=
  if [ -n "$REF_FILE" ] && [ -f "$REF_FILE" ]; then
    IFS= read -r ID <"$REF_FILE" || true
  fi
  if [ -n "$ID" ] && version_ok "$ID"; then
    serve "$ID" "cache hit: $SHOWN_REF (manifest sha256:$ID has the expected layer digests; no registry call)"
  fi
  if [ -f "$HISTORY" ]; then
    # history holds hex ids, one per line: word splitting is safe.
    # shellcheck disable=SC2013
    for ID in $(awk '{ l[NR] = $0 } END { for (i = NR; i > 0; i--) print l[i] }' "$HISTORY"); do
      if version_ok "$ID"; then
        serve "$ID" "cache hit: $SHOWN_REF (manifest sha256:$ID has the expected layer digests; no registry call)"
      fi
    done
  fi
fi

need_work

# 3. Tag only: the registry says which manifest the tag names now.
if [ -z "$DIGEST" ] && [ -z "$LAYER_DIGESTS" ]; then
  if retry "resolving $REPO_REF:$TAG" resolve_tag; then
    DIGEST=$RESOLVED
    ID=${DIGEST#sha256:}
    if version_ok "$ID"; then
      serve "$ID" "cache hit: $SHOWN_REF resolved to $DIGEST (unchanged content, nothing to pull)"
    fi
    log "$SHOWN_REF resolved to $DIGEST: not in the cache"
  else
    REASON=$(err_text 'no error output')
    LAST=
    if [ -n "$REF_FILE" ] && [ -f "$REF_FILE" ]; then
      IFS= read -r LAST <"$REF_FILE" || true
    fi
    if [ "$STALE_FALLBACK" = true ] && [ -n "$LAST" ] && version_ok "$LAST"; then
      warn "cannot resolve $SHOWN_REF ($REASON); serving sha256:$LAST, the version last served for this tag. It may be stale: the tag may have moved. Pin MODEL_DIGEST to make starts independent of the registry."
      serve "$LAST" "cache hit: $SHOWN_REF (registry unreachable; last version served for this tag: sha256:$LAST)"
    fi
    [ "$STALE_FALLBACK" = true ] || fail "cannot resolve $SHOWN_REF ($REASON); STALE_TAG_FALLBACK=false"
    fail "cannot resolve $SHOWN_REF ($REASON) and no cached version of this tag is servable"
  fi
fi

# 4. Miss: get the manifest (stored copy if it still matches its digest), then the missing layers.
MANIFEST=$WORK/manifest.json
PULLED=
if [ -n "$DIGEST" ]; then
  ID=${DIGEST#sha256:}
  STORED=$VERSIONS/$ID/manifest.json
  if [ -f "$STORED" ]; then
    SUM=$(sha256sum <"$STORED")
    if [ "${SUM%% *}" = "$ID" ]; then
      cp "$STORED" "$MANIFEST"
      log "cache miss: $SHOWN_REF; using the stored manifest $DIGEST"
    fi
  fi
  if [ ! -f "$MANIFEST" ]; then
    log "cache miss: $SHOWN_REF; fetching manifest $DIGEST"
    retry "fetching manifest $DIGEST" fetch_manifest "$REPO_REF@$DIGEST" "$MANIFEST" ||
      fail "cannot fetch manifest $REPO_REF@$DIGEST: $(err_text 'no error output')"
  fi
else
  log "cache miss: $SHOWN_REF (no kept version holds the expected layers); fetching its manifest"
  retry "fetching manifest $REPO_REF:$TAG" fetch_manifest "$REPO_REF:$TAG" "$MANIFEST" ||
    fail "cannot fetch manifest $REPO_REF:$TAG: $(err_text 'no error output')"
fi
SUM=$(sha256sum <"$MANIFEST")
SUM=${SUM%% *}
if [ -n "$DIGEST" ]; then
  [ "$SUM" = "$ID" ] || fail "manifest fetched for $DIGEST hashes to sha256:$SUM; refusing it"
else
  ID=$SUM
  log "$SHOWN_REF is manifest sha256:$ID"
fi

materialize "$MANIFEST" "$ID"
log "$PULLED"
serve "$ID" "ready: $SHOWN_REF (manifest sha256:$ID)"
