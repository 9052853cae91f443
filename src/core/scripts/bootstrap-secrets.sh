#!/bin/sh
# Secret bootstrap of cnai-model-platform (run by the SecretBootstrap Job).
#
# Creates the Secrets listed in a spec file when they are absent and never touches a Secret that
# exists, so values generated on the first run stay stable. Values are generated into files in a
# memory-backed work directory and travel only through files and pipes: never through command
# arguments, environment variables or log lines.
#
# Usage: bootstrap-secrets.sh SPEC_FILE
# Environment:
#   KUBE_API_URL, KUBE_TOKEN_FILE, KUBE_CA_FILE  see kube-api.py (defaults: the Pod's ServiceAccount)
#   BOOTSTRAP_NAMESPACE             namespace of the declared secrets (required)
#   BOOTSTRAP_WORK_DIR              directory for generated values, should be tmpfs (default: $TMPDIR or /tmp)
#   BOOTSTRAP_WAIT_TIMEOUT_SECONDS  how long to wait for a copy namespace or a source secret (default 300)
#   BOOTSTRAP_POLL_SECONDS          pause between two checks while waiting (default 2)
#   BOOTSTRAP_RANDOM_SOURCE         where random bytes come from (default /dev/urandom; for tests)
#
# Spec lines (fields separated by spaces; empty lines and lines starting with '#' are ignored):
#   secret NAME TYPE                      create Secret NAME of type TYPE when absent
#   key KEY random LENGTH                 LENGTH random characters of [A-Za-z0-9]
#   key KEY password LENGTH               like random, with at least one of A-Z, a-z and 0-9
#   key KEY htpasswd USER PASSWORD_KEY    bcrypt htpasswd line "USER:$2y$..." for key PASSWORD_KEY
#   key KEY rsa BITS                      PEM RSA private key (PKCS#1)
#   key KEY cert PRIVATE_KEY_KEY CN DAYS  self-signed PEM certificate for key PRIVATE_KEY_KEY
#   key KEY awscreds SOURCE ID_KEY SECRET_KEY
#                                         AWS shared-credentials file ([default] profile) from keys
#                                         ID_KEY and SECRET_KEY of Secret SOURCE in the same
#                                         namespace; waits (BOOTSTRAP_WAIT_TIMEOUT_SECONDS) for SOURCE
#   copy NAMESPACE                        an identical copy of the current secret in NAMESPACE
#   require NAME KEY[,KEY...]             Secret NAME must exist (user-provided) with these keys
# `key` and `copy` lines belong to the `secret` line above them; a key comes after the key it
# derives from.
#
# Needs: python3 and kube-api.py (next to this script) for the Kubernetes API; cat, tr, head, wc,
# date, mktemp, rm, mkdir, sleep; htpasswd and openssl only for htpasswd, rsa and cert keys.
# Runs under any POSIX sh (dash, bash, busybox ash).
set -eu
set -f
umask 077

MANAGED_BY_LABEL='app.kubernetes.io/managed-by=cnai-model-platform-secret-bootstrap'
PART_OF_LABEL='app.kubernetes.io/part-of=cnai-model-platform'

log() { printf 'secret-bootstrap: %s\n' "$*"; }
err() { printf 'secret-bootstrap: ERROR: %s\n' "$*" >&2; }
die() {
  err "$@"
  exit 1
}

[ "$#" -eq 1 ] || die "usage: bootstrap-secrets.sh SPEC_FILE"
spec_file=$1
[ -r "$spec_file" ] || die "cannot read the spec file $spec_file"
ns=${BOOTSTRAP_NAMESPACE:-}
[ -n "$ns" ] || die "BOOTSTRAP_NAMESPACE is not set"
work_root=${BOOTSTRAP_WORK_DIR:-${TMPDIR:-/tmp}}
wait_timeout=${BOOTSTRAP_WAIT_TIMEOUT_SECONDS:-300}
poll_seconds=${BOOTSTRAP_POLL_SECONDS:-2}
random_source=${BOOTSTRAP_RANDOM_SOURCE:-/dev/urandom}
case $wait_timeout in '' | *[!0-9]*) die "BOOTSTRAP_WAIT_TIMEOUT_SECONDS must be a whole number of seconds" ;; esac
kube_api=${KUBE_API_CLIENT:-${0%/*}/kube-api.py}
[ -r "$kube_api" ] || die "cannot read the Kubernetes API client $kube_api"
command -v python3 >/dev/null 2>&1 || die "python3 not found on PATH ($PATH)"
# kube COMMAND ARGS...: one call of the API client (see kube-api.py for the commands); -I ignores
# PYTHON* variables and the user's site directory.
kube() { python3 -I "$kube_api" "$@"; }

work=$(mktemp -d "$work_root/secret-bootstrap.XXXXXX") || die "cannot create a work directory in $work_root"
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

n_created=0
n_existing=0
n_copied=0
n_failed=0
seq=0
lineno=0

# The secret being processed: name, type, declared keys, copy namespaces, whether it existed,
# and the directory its values are generated into.
cur_name=''
cur_type=''
cur_keys=''
cur_copies=''
cur_present=0
cur_dir=''

# Checks one spec field: kind is name (namespace or Secret name), key (data key), number or type.
check_field() {
  case $1 in
    name) case $2 in '' | *[!a-z0-9.-]*) die "spec line $lineno: invalid name '$2'" ;; esac ;;
    key) case $2 in '' | . | .. | *[!A-Za-z0-9._-]*) die "spec line $lineno: invalid key '$2'" ;; esac ;;
    number) case $2 in '' | *[!0-9]*) die "spec line $lineno: invalid number '$2'" ;; esac ;;
    type) case $2 in '' | *[!A-Za-z0-9._/-]*) die "spec line $lineno: invalid secret type '$2'" ;; esac ;;
  esac
}

# secret_present NAMESPACE NAME: status 0 when the Secret exists, 1 when it does not; exits on any
# other failure (API server unreachable, RBAC), which must never be taken for "absent".
secret_present() {
  if ! state=$(kube secret-state "$1" "$2"); then
    die "cannot check whether secret $1/$2 exists (see above)"
  fi
  [ "$state" = present ]
}

gen_random() { # LENGTH FILE
  LC_ALL=C tr -dc 'A-Za-z0-9' <"$random_source" | head -c "$1" >"$2" || die "cannot read random bytes"
  size=$(wc -c <"$2")
  [ "$((size))" -eq "$1" ] || die "got $((size)) of $1 random characters"
}

# Harbor (robot secrets, admin password) wants an uppercase letter, a lowercase letter and a digit.
# Draws until a value has all three. A draw of LENGTH >= 8 lacks one with probability below 0.3,
# so PASSWORD_MAX_DRAWS (100) failures in a row (< 1e-52) mean the random source is broken.
PASSWORD_MAX_DRAWS=100
gen_password() { # LENGTH FILE
  draws=0
  while [ "$draws" -lt "$PASSWORD_MAX_DRAWS" ]; do
    draws=$((draws + 1))
    gen_random "$1" "$2"
    # tr -dc keeps the characters of one class; the value itself never leaves the file and pipe.
    if [ -n "$(LC_ALL=C tr -dc '[:upper:]' <"$2" | head -c 1)" ] &&
      [ -n "$(LC_ALL=C tr -dc '[:lower:]' <"$2" | head -c 1)" ] &&
      [ -n "$(LC_ALL=C tr -dc '[:digit:]' <"$2" | head -c 1)" ]; then
      return 0
    fi
  done
  die "no password with an uppercase letter, a lowercase letter and a digit after $PASSWORD_MAX_DRAWS draws: is /dev/urandom working?"
}

gen_htpasswd() { # USER PASSWORD_FILE FILE
  command -v htpasswd >/dev/null 2>&1 || die "htpasswd not found: htpasswd values need the Harbor prepare image"
  # -i reads the password from stdin, so it never shows in the process list; -B is bcrypt, the only
  # hash Docker distribution accepts; -n prints "user:hash" followed by blank lines, which we drop.
  htpasswd -niBC 10 "$1" <"$2" >"$3.out" || die "htpasswd failed"
  tr -d '\r\n' <"$3.out" >"$3"
  rm -f "$3.out"
  prefix=$(head -c "$((${#1} + 3))" "$3")
  [ "$prefix" = "$1:\$2" ] || die "htpasswd did not produce a bcrypt line for user $1"
}

gen_rsa() { # BITS FILE
  command -v openssl >/dev/null 2>&1 || die "openssl not found: rsa values need the Harbor prepare image"
  # PKCS#1 ("BEGIN RSA PRIVATE KEY") as Harbor's installer writes it. OpenSSL 3 needs
  # -traditional for that form; OpenSSL 1.x writes it by default and lacks the option.
  case $(openssl genrsa -help 2>&1 || true) in
    *-traditional*) openssl genrsa -traditional -out "$2" "$1" 2>"$work/openssl.err" || { cat "$work/openssl.err" >&2; die "openssl genrsa failed"; } ;;
    *) openssl genrsa -out "$2" "$1" 2>"$work/openssl.err" || { cat "$work/openssl.err" >&2; die "openssl genrsa failed"; } ;;
  esac
}

gen_cert() { # PRIVATE_KEY_FILE CN DAYS FILE
  command -v openssl >/dev/null 2>&1 || die "openssl not found: cert values need the Harbor prepare image"
  openssl req -x509 -new -sha256 -key "$1" -subj "/CN=$2" -days "$3" -out "$4" 2>"$work/openssl.err" ||
    { cat "$work/openssl.err" >&2; die "openssl req failed"; }
}

# read_secret_key NAME KEY FILE: the value of KEY of secret NAME (this namespace) into FILE, with any
# CR/LF dropped (a credentials file line cannot hold them). Fails when the key is missing or empty.
read_secret_key() {
  kube secret-value "$ns" "$1" "$2" >"$3.raw" || die "cannot read key $2 of secret $ns/$1"
  tr -d '\r\n' <"$3.raw" >"$3"
  rm -f "$3.raw"
  [ -s "$3" ] || die "secret $ns/$1 has no value for key $2"
}

# AWS shared-credentials file for the key pair in another secret of this namespace, which may be
# created by someone else (e.g. copied in by the storage's bootstrap): wait for it, bounded.
gen_aws_credentials() { # SOURCE ID_KEY SECRET_KEY FILE
  deadline=$(($(date +%s) + wait_timeout))
  announced=0
  until secret_present "$ns" "$1"; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      die "source secret $ns/$1 did not appear within ${wait_timeout}s (it must hold keys $2 and $3; whoever provides it, e.g. the S3 storage's secret bootstrap, has not run yet)"
    fi
    if [ "$announced" -eq 0 ]; then
      log "waiting up to ${wait_timeout}s for source secret $ns/$1"
      announced=1
    fi
    sleep "$poll_seconds"
  done
  read_secret_key "$1" "$2" "$4.id"
  read_secret_key "$1" "$3" "$4.secret"
  # The values pass from file to file only (cat), never through arguments or variables.
  {
    printf '[default]\naws_access_key_id='
    cat "$4.id"
    printf '\naws_secret_access_key='
    cat "$4.secret"
    printf '\n'
  } >"$4" || die "cannot write the credentials file"
  rm -f "$4.id" "$4.secret"
}

# create_secret NAMESPACE NAME TYPE DIR KEY...: creates the Secret from DIR/value-KEY files.
# Sets create_result to "created", or "raced" when another run created it first (AlreadyExists).
create_secret() {
  c_ns=$1
  c_name=$2
  c_type=$3
  c_dir=$4
  shift 4
  n_keys=$#
  for k; do
    set -- "$@" --from-file "$k=$c_dir/value-$k"
  done
  shift "$n_keys"
  # The client reads the values from the files; they never become arguments.
  if ! outcome=$(kube create-secret "$c_ns" "$c_name" --type "$c_type" --label "$MANAGED_BY_LABEL" --label "$PART_OF_LABEL" "$@"); then
    die "could not create secret $c_ns/$c_name (see above)"
  fi
  case $outcome in
    created) create_result=created ;;
    exists) create_result=raced ;;
    *) die "unexpected answer '$outcome' when creating secret $c_ns/$c_name" ;;
  esac
}

begin_secret() { # NAME TYPE
  finish_secret
  check_field name "$1"
  check_field type "$2"
  cur_name=$1
  cur_type=$2
  cur_keys=''
  cur_copies=''
  seq=$((seq + 1))
  cur_dir="$work/secret-$seq"
  if secret_present "$ns" "$cur_name"; then
    cur_present=1
  else
    cur_present=0
    mkdir "$cur_dir"
  fi
}

add_key() { # KEY GENERATOR ARGS...
  [ -n "$cur_name" ] || die "spec line $lineno: 'key' before any 'secret' line"
  [ "$#" -ge 2 ] || die "spec line $lineno: 'key' needs a key and a generator"
  check_field key "$1"
  cur_keys="$cur_keys $1"
  [ "$cur_present" -eq 0 ] || return 0
  out="$cur_dir/value-$1"
  case $2 in
    random)
      [ "$#" -eq 3 ] || die "spec line $lineno: usage: key KEY random LENGTH"
      check_field number "$3"
      gen_random "$3" "$out"
      ;;
    password)
      [ "$#" -eq 3 ] || die "spec line $lineno: usage: key KEY password LENGTH"
      check_field number "$3"
      [ "$3" -ge 3 ] || die "spec line $lineno: a password needs at least 3 characters (one of each class)"
      gen_password "$3" "$out"
      ;;
    htpasswd)
      [ "$#" -eq 4 ] || die "spec line $lineno: usage: key KEY htpasswd USER PASSWORD_KEY"
      check_field key "$4"
      [ -f "$cur_dir/value-$4" ] || die "spec line $lineno: key $1 derives from key $4, which is not declared before it"
      gen_htpasswd "$3" "$cur_dir/value-$4" "$out"
      ;;
    rsa)
      [ "$#" -eq 3 ] || die "spec line $lineno: usage: key KEY rsa BITS"
      check_field number "$3"
      gen_rsa "$3" "$out"
      ;;
    cert)
      [ "$#" -eq 5 ] || die "spec line $lineno: usage: key KEY cert PRIVATE_KEY_KEY CN DAYS"
      check_field key "$3"
      check_field number "$5"
      [ -f "$cur_dir/value-$3" ] || die "spec line $lineno: key $1 derives from key $3, which is not declared before it"
      gen_cert "$cur_dir/value-$3" "$4" "$5" "$out"
      ;;
    awscreds)
      [ "$#" -eq 5 ] || die "spec line $lineno: usage: key KEY awscreds SOURCE_SECRET ID_KEY SECRET_KEY"
      check_field name "$3"
      check_field key "$4"
      check_field key "$5"
      [ "$3" != "$cur_name" ] || die "spec line $lineno: key $1 cannot read secret $3 itself"
      gen_aws_credentials "$3" "$4" "$5" "$out"
      ;;
    *) die "spec line $lineno: unknown generator '$2'" ;;
  esac
}

# Waits until this Job may read secret NAME in NAMESPACE: the namespace exists and holds the Role
# that SecretBootstrap puts there (so no cluster-wide right to read namespaces is needed).
# Sets copy_present to 1 when the Secret exists there, else 0.
wait_for_namespace() { # NAMESPACE NAME
  deadline=$(($(date +%s) + wait_timeout))
  announced=0
  while :; do
    if state=$(kube secret-state "$1" "$2" 2>"$work/wait.err"); then
      copy_present=0
      [ "$state" != present ] || copy_present=1
      return 0
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      cat "$work/wait.err" >&2
      die "namespace $1 not ready after ${wait_timeout}s: it must exist and hold the Role that lets this Job read and create secret $2 (apply the manifests that create namespace $1)"
    fi
    if [ "$announced" -eq 0 ]; then
      log "waiting up to ${wait_timeout}s for namespace $1 and its Role to copy secret $2"
      announced=1
    fi
    sleep "$poll_seconds"
  done
}

copy_secret() { # NAMESPACE
  wait_for_namespace "$1" "$cur_name"
  if [ "$copy_present" -eq 1 ]; then
    log "secret $1/$cur_name exists, leaving it untouched"
    n_existing=$((n_existing + 1))
    return 0
  fi
  # Copy what is stored in the cluster, not what this run generated: when a concurrent run won
  # the race to create the primary, its values are the ones consumers use.
  if ! keys=$(kube secret-keys "$ns" "$cur_name"); then
    die "cannot read the key names of secret $ns/$cur_name to copy it to $1"
  fi
  [ -n "$keys" ] || die "secret $ns/$cur_name has no data to copy to $1"
  seq=$((seq + 1))
  dir="$work/copy-$seq"
  mkdir "$dir"
  for k in $keys; do
    check_field key "$k"
    kube secret-value "$ns" "$cur_name" "$k" >"$dir/value-$k" ||
      die "cannot read key $k of secret $ns/$cur_name to copy it to $1"
  done
  # shellcheck disable=SC2086 # keys are single words (checked above)
  create_secret "$1" "$cur_name" "$cur_type" "$dir" $keys
  rm -rf "$dir"
  if [ "$create_result" = created ]; then
    log "secret $1/$cur_name copied from $ns/$cur_name (keys:$keys)"
    n_copied=$((n_copied + 1))
  else
    log "secret $1/$cur_name was created by a concurrent run, leaving it untouched"
    n_existing=$((n_existing + 1))
  fi
}

finish_secret() {
  [ -n "$cur_name" ] || return 0
  [ -n "$cur_keys" ] || die "secret $cur_name has no key lines in the spec"
  if [ "$cur_present" -eq 1 ]; then
    log "secret $ns/$cur_name exists, leaving it untouched"
    n_existing=$((n_existing + 1))
    if ! present=$(kube secret-keys "$ns" "$cur_name"); then
      die "cannot read the key names of secret $ns/$cur_name"
    fi
    for k in $cur_keys; do
      case "$present " in
        *" $k "*) ;;
        *) log "WARNING: secret $ns/$cur_name has no key $k; it is left as it is (delete the secret to have it generated with all keys)" ;;
      esac
    done
  else
    # shellcheck disable=SC2086 # keys are single words (checked by add_key)
    create_secret "$ns" "$cur_name" "$cur_type" "$cur_dir" $cur_keys
    rm -rf "$cur_dir"
    if [ "$create_result" = created ]; then
      log "secret $ns/$cur_name created (keys:$cur_keys)"
      n_created=$((n_created + 1))
    else
      log "secret $ns/$cur_name was created by a concurrent run, leaving it untouched"
      n_existing=$((n_existing + 1))
    fi
  fi
  for c in $cur_copies; do
    copy_secret "$c"
  done
  cur_name=''
}

check_required() { # NAME KEY[,KEY...]
  check_field name "$1"
  want=$(printf '%s' "$2" | tr ',' ' ')
  [ -n "$want" ] || die "spec line $lineno: 'require $1' lists no keys"
  hint="kubectl create secret generic $1 -n $ns"
  for k in $want; do
    check_field key "$k"
    hint="$hint --from-file=$k=./$k"
  done
  if ! secret_present "$ns" "$1"; then
    err "required secret $ns/$1 is missing: create it ($hint)"
    n_failed=$((n_failed + 1))
    return 0
  fi
  if ! present=$(kube secret-keys "$ns" "$1" --non-empty); then
    die "cannot read the key names of secret $ns/$1"
  fi
  ok=1
  for k in $want; do
    case "$present " in
      *" $k "*) ;;
      *)
        err "required secret $ns/$1 is missing key $k: create it ($hint, or add the key to the existing secret)"
        n_failed=$((n_failed + 1))
        ok=0
        ;;
    esac
  done
  [ "$ok" -eq 0 ] || log "required secret $ns/$1 is present with keys $2"
}

# The spec is read on file descriptor 3 so that no command in the loop can consume it.
while IFS= read -r line <&3 || [ -n "$line" ]; do
  lineno=$((lineno + 1))
  case $line in '' | '#'*) continue ;; esac
  # Word splitting is wanted here (globbing is off: set -f).
  # shellcheck disable=SC2086
  set -- $line
  entry=$1
  shift
  case $entry in
    secret)
      [ "$#" -eq 2 ] || die "spec line $lineno: usage: secret NAME TYPE"
      begin_secret "$1" "$2"
      ;;
    key) add_key "$@" ;;
    copy)
      [ -n "$cur_name" ] || die "spec line $lineno: 'copy' before any 'secret' line"
      [ "$#" -eq 1 ] || die "spec line $lineno: usage: copy NAMESPACE"
      check_field name "$1"
      cur_copies="$cur_copies $1"
      ;;
    require)
      finish_secret
      [ "$#" -eq 2 ] || die "spec line $lineno: usage: require NAME KEY[,KEY...]"
      check_required "$1" "$2"
      ;;
    *) die "spec line $lineno: unknown entry '$entry'" ;;
  esac
done 3<"$spec_file"
finish_secret

log "done: $n_created created, $n_copied copied, $n_existing left untouched, $n_failed missing"
[ "$n_failed" -eq 0 ] || die "$n_failed required secret(s) or key(s) missing, see the lines above"
