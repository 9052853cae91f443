#!/bin/sh
# Model import of cnai-model-platform (run by the ModelArtifact Job in the ORAS image).
#
# Pushes the files of a spec to Harbor as one CNAI model artifact, the way released Harbor
# (2.13-2.15) recognises a model: manifest artifactType application/vnd.cnai.model.manifest.v1+json,
# a ModelPack config blob, one raw layer per file with its filepath annotation, and the manifest
# annotations (with a pinned org.opencontainers.image.created) from the annotation file.
#
#   1. look the tag up: when it already holds a manifest of that artifactType that contains every
#      declared file as a layer (layer digest = the file's sha256), nothing is downloaded or pushed
#   2. download each file into the scratch directory (resuming after network errors) and check its
#      size and sha256; a mismatch stops the import at once, naming the file, the expected and the
#      actual digest
#   3. oras push, then read the tag back and check it holds exactly what was pushed
#
# The push robot's credentials are read from files and written, base64-encoded, into a registry
# config file in IMPORT_SECRET_DIR (tmpfs in the Job) that ORAS reads with --registry-config. They
# never appear in command arguments, environment variables or log lines (printf is a builtin).
#
# Usage: import-model.sh SPEC_FILE CONFIG_FILE ANNOTATION_FILE
#   SPEC_FILE        lines `reference HOST/REPOSITORY:TAG`, `plain-http true|false`,
#                    `artifact-type TYPE`, `config-media-type TYPE` and, in push order,
#                    `file NAME SIZE SHA256 MEDIA_TYPE URL` ('#' lines and empty lines are ignored)
#   CONFIG_FILE      the ModelPack config blob (pushed as the manifest config)
#   ANNOTATION_FILE  ORAS --annotation-file ($manifest and per-file annotations)
# Environment:
#   REGISTRY_CREDENTIALS_DIR     directory with the files `username` and `password` (required)
#   IMPORT_SCRATCH_DIR           directory that can hold every file of the model (required)
#   IMPORT_SECRET_DIR            directory for the registry config, should be tmpfs (default: $TMPDIR or /tmp)
#   IMPORT_ATTEMPTS              attempts per registry call and per download (default 8)
#   IMPORT_RETRY_DELAY_SECONDS   first pause between attempts, doubled each time up to 60 (default 5)
#   IMPORT_READ_TIMEOUT_SECONDS  network read timeout of a download (default 60)
# Exit status: 0 imported or already present; 1 registry or download still failing after the
# attempts; 2 unusable input (spec, files, environment, tools); 3 a download that is not the
# declared file (size or sha256 mismatch). The Job fails at once on 2 and 3 instead of retrying.
#
# Needs: oras, wget, sha256sum, base64; cat, tr, grep, sed, stat, mkdir, mktemp, mv, rm, sleep; and
# import-lib.sh beside it (the Job's ConfigMap carries both).
# Runs under any POSIX sh whose printf is a builtin (busybox ash, dash, bash).
set -eu
set -f
umask 077
LC_ALL=C
export LC_ALL

script=import-model
# The shared functions come in the same ConfigMap directory.
case $0 in */*) lib=${0%/*}/import-lib.sh ;; *) lib=./import-lib.sh ;; esac
[ -r "$lib" ] || { printf '%s: ERROR: cannot read %s (it comes with this script)\n' "$script" "$lib" >&2; exit 2; }
# shellcheck source=src/models/scripts/import-lib.sh
. "$lib"

[ "$#" -eq 3 ] || bad_input "usage: import-model.sh SPEC_FILE CONFIG_FILE ANNOTATION_FILE"
absolute() {
  case $1 in
    /*) printf '%s' "$1" ;;
    *) printf '%s/%s' "$PWD" "$1" ;;
  esac
}
spec=$(absolute "$1")
config_file=$(absolute "$2")
annotation_file=$(absolute "$3")
for f in "$spec" "$config_file" "$annotation_file"; do
  [ -r "$f" ] || bad_input "cannot read $f"
done
cred_dir=${REGISTRY_CREDENTIALS_DIR:-}
secret_root=${IMPORT_SECRET_DIR:-${TMPDIR:-/tmp}}
read_settings
[ -n "$cred_dir" ] || bad_input "REGISTRY_CREDENTIALS_DIR is not set"
require_tools oras wget sha256sum base64

# --- the spec -----------------------------------------------------------------------------------
reference=''
plain_http=''
artifact_type=''
config_media_type=''
n_files=0
total_bytes=0
lineno=0
while IFS=' ' read -r kind f1 f2 f3 f4 f5 extra || [ -n "$kind" ]; do
  lineno=$((lineno + 1))
  case $kind in
    '' | '#'*) continue ;;
    reference) reference=$f1 ;;
    plain-http) plain_http=$f1 ;;
    artifact-type) artifact_type=$f1 ;;
    config-media-type) config_media_type=$f1 ;;
    file)
      check_file_fields "$lineno" "$f1" "$f2" "$f3"
      case $f4 in '' | *[!A-Za-z0-9.+/_-]*) bad_input "spec line $lineno: bad media type '$f4'" ;; esac
      case $f5 in http://?* | https://?*) ;; *) bad_input "spec line $lineno: bad URL '$f5'" ;; esac
      [ -z "$extra" ] || bad_input "spec line $lineno: unexpected text after the URL"
      n_files=$((n_files + 1))
      total_bytes=$((total_bytes + f2))
      continue
      ;;
    *) bad_input "spec line $lineno: unknown line '$kind'" ;;
  esac
  [ -z "$f2$f3$f4$f5$extra" ] || bad_input "spec line $lineno: '$kind' takes one value"
done <"$spec"
case $reference in '' | */ | *[!A-Za-z0-9._:/@-]*) bad_input "spec: bad reference '$reference'" ;; esac
host=${reference%%/*}
[ "$host" != "$reference" ] || bad_input "spec: reference '$reference' has no registry host"
case $plain_http in
  true) plain_opt=--plain-http ;;
  false) plain_opt='' ;;
  *) bad_input "spec: plain-http must be true or false, got '$plain_http'" ;;
esac
case $artifact_type in '' | *[!A-Za-z0-9.+/_-]*) bad_input "spec: bad artifact-type '$artifact_type'" ;; esac
case $config_media_type in '' | *[!A-Za-z0-9.+/_-]*) bad_input "spec: bad config-media-type '$config_media_type'" ;; esac
[ "$n_files" -ge 1 ] || bad_input "spec: no file lines"
config_digest=$(sha256sum "$config_file")
config_digest="sha256:${config_digest%% *}"

# --- work directories and credentials -----------------------------------------------------------
work=$(mktemp -d "$secret_root/model-import.XXXXXX") || bad_input "cannot create a directory in $secret_root (IMPORT_SECRET_DIR)"
files_dir="$scratch/files"
partial_dir="$scratch/partial"
cleanup() {
  # The registry config holds the credentials; the downloads would otherwise keep the node's disk
  # (or the ephemeral volume) full until the finished pod is deleted.
  rm -rf "$work" "$files_dir" "$partial_dir"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$files_dir" "$partial_dir"

registry_config="$work/registry-config.json"
if [ ! -r "$cred_dir/username" ] || [ ! -r "$cred_dir/password" ]; then
  bad_input "cannot read the files username and password in $cred_dir (REGISTRY_CREDENTIALS_DIR)"
fi
robot_user=$(cat "$cred_dir/username")
robot_password=$(cat "$cred_dir/password")
if [ -z "$robot_user" ] || [ -z "$robot_password" ]; then
  die "the push robot's username or password in $cred_dir is empty"
fi
robot_auth=$(printf '%s:%s' "$robot_user" "$robot_password" | base64 | tr -d '\n')
printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$host" "$robot_auth" >"$registry_config"
robot_user=''
robot_password=''
robot_auth=''

# --- registry -------------------------------------------------------------------------------------
# Reads the tag into $work/manifest.json. Sets tag_present to 1, or to 0 when the registry says the
# tag (or repository) does not exist; retries anything else (Harbor starting, robot not created yet).
lookup_tag() {
  attempt=1
  delay=$retry_delay
  while :; do
    # shellcheck disable=SC2086 # $plain_opt is empty or the single word --plain-http
    if oras manifest fetch --registry-config "$registry_config" $plain_opt "$reference" \
      >"$work/manifest.json" 2>"$work/oras.err" </dev/null; then
      tag_present=1
      return 0
    fi
    if grep -qi 'not found' "$work/oras.err"; then
      tag_present=0
      return 0
    fi
    reason=$(first_line "$work/oras.err")
    retry_after "cannot read $reference"
  done
}

# Whether $work/manifest.json has the model artifactType and every declared file as a layer.
holds_declared_layers() {
  manifest=$(tr -d ' \t\r\n' <"$work/manifest.json")
  case $manifest in *"\"artifactType\":\"$artifact_type\""*) ;; *) return 1 ;; esac
  while IFS=' ' read -r l_kind _ _ l_sha _ || [ -n "$l_kind" ]; do
    [ "$l_kind" = file ] || continue
    case $manifest in *"\"digest\":\"sha256:$l_sha\""*) ;; *) return 1 ;; esac
  done <"$spec"
  return 0
}

holds_declared_config() {
  manifest=$(tr -d ' \t\r\n' <"$work/manifest.json")
  case $manifest in *"\"digest\":\"$config_digest\""*) return 0 ;; esac
  return 1
}

lookup_tag
if [ "$tag_present" -eq 1 ]; then
  if holds_declared_layers; then
    log "$reference already holds this model ($n_files file(s), artifactType $artifact_type): nothing to download or push"
    if ! holds_declared_config; then
      log "note: its config blob is not the declared one ($config_digest); the existing artifact is kept, push a new tag to change the model's metadata"
    fi
    exit 0
  fi
  log "$reference holds another artifact; it will be replaced"
else
  log "$reference does not exist yet"
fi

# --- download and verify --------------------------------------------------------------------------
download() {
  d_name=$1
  d_size=$2
  d_sha=$3
  d_url=$4
  part="$partial_dir/$d_name"
  attempt=1
  delay=$retry_delay
  log "downloading $d_name ($d_size bytes) from $d_url"
  while :; do
    have=$(file_size "$part")
    resumed=0
    reason=''
    if [ "$have" -lt "$d_size" ]; then
      [ "$have" -eq 0 ] || resumed=1
      if ! wget -q -c -T "$read_timeout" -O "$part" "$d_url" </dev/null 2>"$work/wget.err"; then
        reason=$(first_line "$work/wget.err")
      fi
      have=$(file_size "$part")
    fi
    if [ "$have" -eq "$d_size" ]; then
      break
    fi
    if [ "$have" -gt "$d_size" ]; then
      rm -f "$part"
      # A resumed file that grew past the size changed on the server between attempts (busybox 1.37
      # wget itself restarts the file when the server ignores Range): start over once more.
      [ "$resumed" -eq 1 ] ||
        integrity_failure "size mismatch for $d_name (downloaded from $d_url): expected $d_size bytes, got $have"
      reason="resumed download grew to $have bytes"
    fi
    [ -n "$reason" ] || reason="download ended at $have of $d_size bytes"
    retry_after "download of $d_name from $d_url failed" "download of $d_name failed"
  done
  actual=$(sha256sum "$part")
  actual=${actual%% *}
  if [ "$actual" != "$d_sha" ]; then
    rm -f "$part"
    integrity_failure "sha256 mismatch for $d_name (downloaded from $d_url): expected sha256:$d_sha, got sha256:$actual"
  fi
  mv "$part" "$files_dir/$d_name"
  log "verified $d_name: sha256:$d_sha, $d_size bytes"
}

while IFS=' ' read -r kind f1 f2 f3 f4 f5 extra || [ -n "$kind" ]; do
  [ "$kind" = file ] || continue
  download "$f1" "$f2" "$f3" "$f5"
done <"$spec"

# --- push -----------------------------------------------------------------------------------------
push() {
  set --
  while IFS=' ' read -r kind f1 f2 f3 f4 f5 extra || [ -n "$kind" ]; do
    [ "$kind" = file ] || continue
    set -- "$@" "$f1:$f4"
  done <"$spec"
  attempt=1
  delay=$retry_delay
  # Relative file names: ORAS titles each layer with the name exactly as given.
  cd "$files_dir"
  while :; do
    # shellcheck disable=SC2086 # $plain_opt is empty or the single word --plain-http
    if oras push --registry-config "$registry_config" $plain_opt \
      --artifact-type "$artifact_type" \
      --config "$config_file:$config_media_type" \
      --annotation-file "$annotation_file" \
      "$reference" "$@" </dev/null >"$work/push.out" 2>"$work/oras.err"; then
      break
    fi
    reason=$(first_line "$work/oras.err")
    retry_after "push of $reference failed"
  done
  cd /
  sed 's/^/import-model: oras: /' "$work/push.out"
}

log "pushing $reference ($n_files file(s), $total_bytes bytes)"
push
lookup_tag
if [ "$tag_present" -ne 1 ] || ! holds_declared_layers || ! holds_declared_config; then
  die "pushed $reference, but reading it back does not show the declared artifactType, config and layers"
fi
log "imported $reference: artifactType $artifact_type, config $config_digest, $n_files layer(s)"
