#!/bin/sh
# Token download of cnai-model-platform: the init container of a ModelArtifact Job whose files need
# an access token (a gated or private Hugging Face repository, a private HTTPS server), in the curl
# image.
#
# Downloads each file of the spec with curl into IMPORT_SCRATCH_DIR/partial/NAME (resuming after
# network errors) and checks its size and sha256. import-model.sh, in the next container, finds the
# file complete there, downloads nothing and checks the sha256 again before pushing.
#
# The token is read from a file (a Secret key mounted by the Job) and written into a curl config file
# in IMPORT_SECRET_DIR (tmpfs in the Job) as `header = "Authorization: Bearer <token>"`: it never
# appears in command arguments, environment variables or log lines (printf is a builtin). curl sends
# a custom Authorization header only to the host of the URL, never to the host a redirect leads to
# (Hugging Face redirects file downloads to its CDN with a signed URL), and only https is allowed,
# redirects included.
#
# Usage: download-model.sh SPEC_FILE
#   SPEC_FILE  lines `file NAME SIZE SHA256 TOKEN_FILE URL` ('#' lines and empty lines are ignored)
# Environment:
#   IMPORT_SCRATCH_DIR           directory that can hold every file of the model (required)
#   IMPORT_SECRET_DIR            directory for the curl config, should be tmpfs (default: $TMPDIR or /tmp)
#   IMPORT_ATTEMPTS              attempts per file (default 8)
#   IMPORT_RETRY_DELAY_SECONDS   first pause between attempts, doubled each time up to 60 (default 5)
#   IMPORT_READ_TIMEOUT_SECONDS  a download that receives nothing for this long is retried (default 60)
# Exit status (as import-model.sh): 0 every file downloaded and verified; 1 a download still failing
# after the attempts; 2 unusable input, the server refused the token (HTTP 401 or 403) or redirected
# to plain http (no retry can fix these); 3 a download that is not the declared file (size or
# sha256 mismatch).
#
# Needs: curl, sha256sum; cat, mkdir, mktemp, mv, rm, sed, sleep, stat; and import-lib.sh beside it
# (the Job's ConfigMap carries both).
# Runs under any POSIX sh whose printf is a builtin (busybox ash, dash, bash).
set -eu
set -f
umask 077
LC_ALL=C
export LC_ALL

script=download-model
# The shared functions come in the same ConfigMap directory.
case $0 in */*) lib=${0%/*}/import-lib.sh ;; *) lib=./import-lib.sh ;; esac
[ -r "$lib" ] || { printf '%s: ERROR: cannot read %s (it comes with this script)\n' "$script" "$lib" >&2; exit 2; }
# shellcheck source=src/models/scripts/import-lib.sh
. "$lib"

[ "$#" -eq 1 ] || bad_input "usage: download-model.sh SPEC_FILE"
spec=$1
[ -r "$spec" ] || bad_input "cannot read $spec"
secret_root=${IMPORT_SECRET_DIR:-${TMPDIR:-/tmp}}
read_settings
require_tools curl sha256sum

# Check the whole spec before downloading anything.
lineno=0
n_files=0
while IFS=' ' read -r kind name size sha token_file url extra || [ -n "$kind" ]; do
  lineno=$((lineno + 1))
  case $kind in
    '' | '#'*) continue ;;
    file) ;;
    *) bad_input "spec line $lineno: unknown line '$kind'" ;;
  esac
  check_file_fields "$lineno" "$name" "$size" "$sha"
  case $token_file in /?*) ;; *) bad_input "spec line $lineno: bad token file '$token_file'" ;; esac
  case $url in https://?*) ;; *) bad_input "spec line $lineno: bad URL '$url' (https only: the token must not travel in clear)" ;; esac
  [ -z "$extra" ] || bad_input "spec line $lineno: unexpected text after the URL"
  n_files=$((n_files + 1))
done <"$spec"
[ "$n_files" -ge 1 ] || bad_input "spec: no file lines"

work=$(mktemp -d "$secret_root/model-download.XXXXXX") || bad_input "cannot create a directory in $secret_root (IMPORT_SECRET_DIR)"
trap 'rm -rf "$work"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
partial_dir="$scratch/partial"
mkdir -p "$partial_dir"

# Writes the curl config holding the token of $1 (RFC 6750 token characters only, so it needs no
# quoting); the token itself is never printed.
write_auth_config() {
  [ -r "$1" ] || bad_input "cannot read the token file $1 (is the Secret key mounted?)"
  token=$(cat "$1")
  case $token in
    '' | *[!A-Za-z0-9._~+/=-]*) bad_input "the token in $1 is empty or has characters a bearer token cannot have (RFC 6750: letters, digits and - . _ ~ + / =)" ;;
  esac
  printf 'header = "Authorization: Bearer %s"\n' "$token" >"$work/auth.conf"
  token=''
}

download() {
  d_name=$1
  d_size=$2
  d_sha=$3
  d_url=$5
  part="$partial_dir/$d_name"
  write_auth_config "$4"
  attempt=1
  delay=$retry_delay
  log "downloading $d_name ($d_size bytes) from $d_url with the token in $4"
  while :; do
    have=$(file_size "$part")
    reason=''
    if [ "$have" -lt "$d_size" ]; then
      status=0
      # -q first: no .curlrc. --speed-limit/--speed-time: a stalled transfer fails like a read timeout.
      curl -q --silent --show-error --fail --location --max-redirs 10 \
        --proto =https --proto-redir =https --connect-timeout 30 \
        --speed-limit 1 --speed-time "$read_timeout" \
        --config "$work/auth.conf" --continue-at - --output "$part" \
        --write-out '%{http_code}' "$d_url" </dev/null >"$work/http-code" 2>"$work/curl.err" || status=$?
      code=$(cat "$work/http-code")
      case $code in
        401 | 403)
          rm -f "$part"
          bad_input "the server refused the token for $d_name (HTTP $code from $d_url): check the token in $4, and for a gated Hugging Face repository that its account accepted the model's terms"
          ;;
      esac
      # 1: a URL or redirect that is not https (--proto, --proto-redir); no retry changes that.
      if [ "$status" -eq 1 ]; then
        rm -f "$part"
        bad_input "curl refused to follow a redirect of $d_url to another protocol than https ($(first_line "$work/curl.err")): the token goes over https only"
      fi
      # 33: the server ignores Range, so the partial file cannot be resumed: start over.
      [ "$status" -ne 33 ] || rm -f "$part"
      [ "$status" -eq 0 ] || reason="curl exit $status, HTTP $code: $(first_line "$work/curl.err")"
      have=$(file_size "$part")
    fi
    if [ "$have" -eq "$d_size" ]; then
      break
    fi
    if [ "$have" -gt "$d_size" ]; then
      rm -f "$part"
      integrity_failure "size mismatch for $d_name (downloaded from $d_url): expected $d_size bytes, got $have"
    fi
    [ -n "$reason" ] || reason="download ended at $have of $d_size bytes"
    retry_after "download of $d_name from $d_url failed" "download of $d_name failed"
  done
  rm -f "$work/auth.conf"
  actual=$(sha256sum "$part")
  actual=${actual%% *}
  if [ "$actual" != "$d_sha" ]; then
    rm -f "$part"
    integrity_failure "sha256 mismatch for $d_name (downloaded from $d_url): expected sha256:$d_sha, got sha256:$actual"
  fi
  log "verified $d_name: sha256:$d_sha, $d_size bytes"
}

while IFS=' ' read -r kind name size sha token_file url extra || [ -n "$kind" ]; do
  [ "$kind" = file ] || continue
  download "$name" "$size" "$sha" "$token_file" "$url"
done <"$spec"
log "downloaded $n_files file(s) into $partial_dir"
