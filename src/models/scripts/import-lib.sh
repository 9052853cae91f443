# shellcheck shell=sh
# shellcheck disable=SC2154 # script, attempt, delay and reason are the caller's variables
# Functions shared by import-model.sh (ORAS image) and download-model.sh (curl image), which source
# this file from their own directory (the import Job's ConfigMap). The caller sets `script`, the
# prefix of its log lines, before sourcing.
#
# Exit codes: die 1 (still failing after the attempts), bad_input 2 (no retry can fix it),
# integrity_failure 3 (a download that is not the declared file).
# Needs: sed, stat, sleep.

log() { printf '%s: %s\n' "$script" "$*"; }
err() { printf '%s: ERROR: %s\n' "$script" "$*" >&2; }
die() {
  err "$@"
  exit 1
}
bad_input() {
  err "$@"
  exit 2
}
integrity_failure() {
  err "$@"
  exit 3
}

# Reads IMPORT_ATTEMPTS, IMPORT_RETRY_DELAY_SECONDS and IMPORT_READ_TIMEOUT_SECONDS into attempts,
# retry_delay and read_timeout, and IMPORT_SCRATCH_DIR into scratch.
read_settings() {
  scratch=${IMPORT_SCRATCH_DIR:-}
  attempts=${IMPORT_ATTEMPTS:-8}
  retry_delay=${IMPORT_RETRY_DELAY_SECONDS:-5}
  read_timeout=${IMPORT_READ_TIMEOUT_SECONDS:-60}
  for n in "$attempts" "$retry_delay" "$read_timeout"; do
    case $n in '' | *[!0-9]*) bad_input "IMPORT_* numbers must be whole numbers, got '$n'" ;; esac
  done
  [ "$attempts" -ge 1 ] || bad_input "IMPORT_ATTEMPTS must be at least 1"
  [ "$read_timeout" -ge 1 ] || bad_input "IMPORT_READ_TIMEOUT_SECONDS must be at least 1"
  if [ -z "$scratch" ] || [ ! -d "$scratch" ] || [ ! -w "$scratch" ]; then
    bad_input "IMPORT_SCRATCH_DIR '$scratch' is not a writable directory"
  fi
}

# The NAME SIZE SHA256 fields of a spec's `file` line $1 (both specs start their file lines so).
check_file_fields() {
  case $2 in '' | [.-]* | *[!A-Za-z0-9._-]*) bad_input "spec line $1: bad file name '$2'" ;; esac
  case $3 in '' | *[!0-9]*) bad_input "spec line $1: bad size '$3'" ;; esac
  case $4 in *[!0-9a-f]*) bad_input "spec line $1: bad sha256 '$4'" ;; esac
  [ "${#4}" -eq 64 ] || bad_input "spec line $1: bad sha256 '$4'"
}

require_tools() {
  for tool; do
    command -v "$tool" >/dev/null 2>&1 || bad_input "$tool not found on PATH ($PATH)"
  done
}

next_delay() {
  d=$(($1 * 2))
  [ "$d" -le 60 ] || d=60
  [ "$d" -ge 1 ] || d=1
  printf '%s' "$d"
}

# After failed attempt $attempt of $attempts (why: $reason): on the last one dies with "$1 after N
# attempts", else logs "$2" (default $1), waits $delay seconds and moves to the next attempt.
retry_after() {
  [ "$attempt" -lt "$attempts" ] || die "$1 after $attempts attempts: $reason"
  log "attempt $attempt/$attempts: ${2:-$1} ($reason); retrying in ${delay}s"
  sleep "$delay"
  attempt=$((attempt + 1))
  delay=$(next_delay "$delay")
}

first_line() {
  line=$(sed -n '/[^[:space:]]/{p;q;}' "$1" 2>/dev/null || true)
  printf '%s' "${line:-no error output}"
}

# stat, not wc: busybox wc (the ORAS image's) reads the whole file and, built without
# FEATURE_WC_LARGE, counts in 32 bits, so a file of 4 GiB or more would never look complete.
file_size() {
  if [ -e "$1" ]; then stat -c %s "$1"; else printf '0'; fi
}
