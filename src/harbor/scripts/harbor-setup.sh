#!/bin/sh
# Harbor day-2 setup of cnai-model-platform (run by the HarborSetup Job).
#
# Brings a running Harbor to the declared projects and robot accounts through its REST API
# (v2.0), idempotently: what exists is found and left alone, what is missing is created. A second
# run against an unchanged Harbor makes no creating or changing call.
#
#   projects         created when absent (metadata and storage limit at creation only)
#   storage quota    set when declared and different (the only setting corrected on existing projects)
#   immutable rules  created when no rule with the same tag pattern exists
#   retention        created when the project has no retention policy
#   robot accounts   created when absent; the secret the secret bootstrap generated is pinned with
#                    PATCH /robots/{id} when the robot is new or no longer accepts it
#   pull secrets     kubernetes.io/dockerconfigjson Secrets, created when absent in each namespace
#
# Secret values (admin password, robot secrets, base64 auth strings) travel only through files,
# pipes and shell variables (printf is a shell builtin): never through command arguments,
# environment variables or log lines. No cookie jar is kept, so Harbor skips its CSRF check.
#
# Usage: harbor-setup.sh SPEC_FILE
# Environment:
#   HARBOR_URL                        in-cluster core URL, e.g. http://harbor-core.harbor.svc:80 (required)
#   HARBOR_REGISTRY_HOST              host[:port] in the pull secrets' "auths" (required)
#   HARBOR_NAMESPACE                  namespace of the robot password Secrets (required)
#   HARBOR_ADMIN_PASSWORD_FILE        file holding the admin password (required)
#   HARBOR_ADMIN_USERNAME             default admin
#   HARBOR_SETUP_WORK_DIR             directory for credentials files, should be tmpfs (default: $TMPDIR or /tmp)
#   HARBOR_SETUP_WAIT_SECONDS         how long to wait for Harbor, secrets and namespaces (default 900)
#   HARBOR_SETUP_POLL_SECONDS         pause between two checks while waiting (default 5)
#   KUBE_API_URL, KUBE_TOKEN_FILE, KUBE_CA_FILE  see kube-api.py (defaults: the Pod's ServiceAccount)
#   HARBOR_SETUP_ATTEMPTS             attempts per API request on connection errors, 429 and 5xx (default 6)
#   HARBOR_SETUP_RETRY_DELAY_SECONDS  first pause between attempts, doubled each time up to 30 (default 2)
#
# Spec lines (empty lines and lines starting with '#' are ignored). Names are checked when the
# spec is synthesized; request bodies are complete JSON documents, written on one line:
#   project NAME QUOTA_BYTES|- BODY   the project, created with BODY (POST /projects) when absent;
#                                     QUOTA_BYTES is enforced with PUT /quotas/{id}, '-' leaves it
#   immutable TAG_PATTERN BODY        an immutable tag rule of the project above
#   retention BODY                    the retention policy of the project above; @PROJECT_ID@ in
#                                     BODY is replaced by the project's id
#   robot NAME FULL_NAME SECRET BODY  a robot of the project above; key `password` of Secret
#                                     SECRET (in HARBOR_NAMESPACE) is its pinned secret
#   pullsecret NAMESPACE NAME         a dockerconfigjson Secret NAME in NAMESPACE for the robot above
#
# Needs: curl; python3 and kube-api.py (next to this script) for the Kubernetes API; base64, tr,
# cat, grep, mkdir, mktemp, rm, sleep and date (`+%s`). Runs under any POSIX sh whose printf is a
# builtin (dash, bash, busybox ash).
set -eu
set -f
umask 077
LC_ALL=C
export LC_ALL

API=/api/v2.0
MANAGED_BY_LABEL='app.kubernetes.io/managed-by=cnai-model-platform-harbor-setup'
PART_OF_LABEL='app.kubernetes.io/part-of=cnai-model-platform'
PAGE_SIZE=100

log() { printf 'harbor-setup: %s\n' "$*"; }
err() { printf 'harbor-setup: ERROR: %s\n' "$*" >&2; }
die() {
  err "$@"
  exit 1
}

[ "$#" -eq 1 ] || die "usage: harbor-setup.sh SPEC_FILE"
spec_file=$1
[ -r "$spec_file" ] || die "cannot read the spec file $spec_file"
base_url=${HARBOR_URL:-}
base_url=${base_url%/}
registry_host=${HARBOR_REGISTRY_HOST:-}
harbor_ns=${HARBOR_NAMESPACE:-}
admin_file=${HARBOR_ADMIN_PASSWORD_FILE:-}
admin_user=${HARBOR_ADMIN_USERNAME:-admin}
work_root=${HARBOR_SETUP_WORK_DIR:-${TMPDIR:-/tmp}}
wait_timeout=${HARBOR_SETUP_WAIT_SECONDS:-900}
poll_seconds=${HARBOR_SETUP_POLL_SECONDS:-5}
attempts=${HARBOR_SETUP_ATTEMPTS:-6}
retry_delay=${HARBOR_SETUP_RETRY_DELAY_SECONDS:-2}
[ -n "$base_url" ] || die "HARBOR_URL is not set"
case $registry_host in '' | *[!A-Za-z0-9.:-]*) die "HARBOR_REGISTRY_HOST must be host[:port], got '$registry_host'" ;; esac
[ -n "$harbor_ns" ] || die "HARBOR_NAMESPACE is not set"
[ -r "$admin_file" ] || die "cannot read the admin password file '$admin_file' (HARBOR_ADMIN_PASSWORD_FILE)"
for n in "$wait_timeout" "$poll_seconds" "$attempts" "$retry_delay"; do
  case $n in '' | *[!0-9]*) die "HARBOR_SETUP_* timings must be whole numbers, got '$n'" ;; esac
done
[ "$attempts" -ge 1 ] || die "HARBOR_SETUP_ATTEMPTS must be at least 1"
command -v curl >/dev/null 2>&1 || die "curl not found on PATH ($PATH)"
kube_api=${KUBE_API_CLIENT:-${0%/*}/kube-api.py}
[ -r "$kube_api" ] || die "cannot read the Kubernetes API client $kube_api"
command -v python3 >/dev/null 2>&1 || die "python3 not found on PATH ($PATH)"
# kube COMMAND ARGS...: one call of the API client (see kube-api.py for the commands); -I ignores
# PYTHON* variables and the user's site directory.
kube() { python3 -I "$kube_api" "$@"; }

work=$(mktemp -d "$work_root/harbor-setup.XXXXXX") || die "cannot create a work directory in $work_root"
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

n_created=0
n_updated=0
n_unchanged=0
n_warnings=0
lineno=0
robot_seq=0

# Current project (set by a `project` line) and robot (set by a `robot` line).
cur_project=''
cur_project_id=''
immutable_loaded=0
cur_robot=''
cur_robot_full=''
cur_robot_dir=''
robot_pw=''

created() {
  log "$*"
  n_created=$((n_created + 1))
}
updated() {
  log "$*"
  n_updated=$((n_updated + 1))
}
unchanged() {
  log "$*"
  n_unchanged=$((n_unchanged + 1))
}
warn() {
  log "WARNING: $*"
  n_warnings=$((n_warnings + 1))
}

# ---------------------------------------------------------------------------------------------
# Credentials: curl config files (`user = "name:password"`) so that no password is an argument.

# Sets `quoted` to VALUE escaped for a double-quoted curl config string (backslash and quote).
curl_quote() { # VALUE
  q_rest=$1
  quoted=''
  while [ -n "$q_rest" ]; do
    q_char=${q_rest%"${q_rest#?}"}
    q_rest=${q_rest#?}
    case $q_char in
      \\ | \") quoted="$quoted\\$q_char" ;;
      *) quoted="$quoted$q_char" ;;
    esac
  done
}

write_user_config() { # USER FILE PASSWORD
  curl_quote "$3"
  printf 'user = "%s:%s"\n' "$1" "$quoted" >"$2" || die "cannot write $2"
  quoted=''
}

CR=$(printf '\r')
# $(...) drops trailing newlines, as `echo password > file` adds one. Other line breaks cannot be
# sent in a basic auth header.
admin_pw=$(cat "$admin_file") || die "cannot read the admin password file"
case $admin_pw in
  '') die "the admin password file $admin_file is empty" ;;
  *"$CR"* | *'
'*) die "the admin password contains a line break; Harbor logins cannot use it" ;;
esac
write_user_config "$admin_user" "$work/admin.curl" "$admin_pw"
admin_pw=''

# ---------------------------------------------------------------------------------------------
# HTTP

# request AUTH METHOD PATH [BODY_FILE]: one API call. AUTH is a curl config file or '-' for none;
# PATH is relative to HARBOR_URL. Retries connection errors, 429 and 5xx with exponential backoff.
# Sets `status` and `req` ("METHOD PATH"); the response is in $work/body, its headers in
# $work/headers.
request() {
  r_auth=$1
  r_method=$2
  r_path=$3
  r_body=${4:-}
  req="$r_method $r_path"
  r_try=1
  r_delay=$retry_delay
  while :; do
    # -q first: no ~/.curlrc. No cookie options: Harbor's CSRF check applies only to cookie sessions.
    set -- -q -sS -o "$work/body" -D "$work/headers" -w '%{http_code}' --connect-timeout 10 --max-time 120 \
      -H 'Accept: application/json'
    [ "$r_auth" = - ] || set -- "$@" -K "$r_auth"
    case $r_method in
      HEAD) set -- "$@" -I ;;
      GET) ;;
      *) set -- "$@" -X "$r_method" ;;
    esac
    [ -z "$r_body" ] || set -- "$@" -H 'Content-Type: application/json' --data-binary "@$r_body"
    # Paths that take {project_name_or_id} get the project's name.
    case $r_path in "$API"/projects/*) set -- "$@" -H 'X-Is-Resource-Name: true' ;; esac
    if status=$(curl "$@" "$base_url$r_path" 2>"$work/curl.err"); then
      case $status in
        5?? | 429) reason="HTTP $status" ;;
        *) return 0 ;;
      esac
    else
      reason="connection failed: $(cat "$work/curl.err")"
    fi
    [ "$r_try" -lt "$attempts" ] || die "$req failed after $r_try attempts ($reason)"
    log "$req: $reason; attempt $r_try of $attempts, retrying in ${r_delay}s"
    sleep "$r_delay"
    r_try=$((r_try + 1))
    r_delay=$((r_delay * 2))
    [ "$r_delay" -le 30 ] || r_delay=30
  done
}

# fail_request [WHAT]: dies naming the request, its status and Harbor's error messages (Harbor
# answers {"errors":[{"code":...,"message":...}]}; its messages never repeat a secret we sent).
fail_request() {
  messages=''
  while IFS= read -r m_line; do
    [ -n "$m_line" ] || continue
    m_line=${m_line#\"message\":\"}
    messages="${messages:+$messages; }${m_line%\"}"
  done <<EOF
$(grep -oE '"message":"[^"]*"' "$work/body" 2>/dev/null || true)
EOF
  die "$req answered HTTP $status${1:+ ($1)}${messages:+: $messages}"
}

expect_status() { # CODE...
  for code; do
    [ "$status" != "$code" ] || return 0
  done
  fail_request "expected $*"
}

# Drops a response that held a secret (a new robot's generated secret, a registry token).
forget_body() { : >"$work/body"; }

# Sets `header` to the value of the last response header NAME (case-insensitive), or ''.
header_value() { # NAME
  header=''
  while IFS= read -r h_line; do
    header=${h_line#*:}
  done <<EOF
$(grep -i "^$1:" "$work/headers" || true)
EOF
  header=${header%"$CR"}
  header=${header# }
}

wait_for_harbor() {
  deadline=$(($(date +%s) + wait_timeout))
  announced=0
  while :; do
    # curl exits non-zero on connection errors; -f is not used so that 503 gives a status.
    if code=$(curl -q -sS -o "$work/ping" -w '%{http_code}' --connect-timeout 5 --max-time 10 "$base_url$API/ping" 2>"$work/curl.err") &&
      [ "$code" = 200 ] && grep -q 'Pong' "$work/ping"; then
      log "Harbor answers at $base_url"
      return 0
    fi
    last=${code:-none}
    [ "$last" != 000 ] || last="connection failed: $(cat "$work/curl.err")"
    if [ "$(date +%s)" -ge "$deadline" ]; then
      die "Harbor at $base_url did not answer GET $API/ping with Pong within ${wait_timeout}s (last: $last)"
    fi
    if [ "$announced" -eq 0 ]; then
      log "waiting up to ${wait_timeout}s for Harbor at $base_url ($last)"
      announced=1
    fi
    sleep "$poll_seconds"
  done
}

# ---------------------------------------------------------------------------------------------
# Kubernetes

# probe_secret NAMESPACE NAME: sets secret_present to 1 or 0. Retries API failures (namespace or
# Role not applied yet: Forbidden) until the wait timeout, which is then fatal.
probe_secret() {
  deadline=$(($(date +%s) + wait_timeout))
  announced=0
  while :; do
    if state=$(kube secret-state "$1" "$2" 2>"$work/kube.err"); then
      secret_present=0
      [ "$state" != present ] || secret_present=1
      return 0
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      cat "$work/kube.err" >&2
      die "cannot read secret $1/$2 after ${wait_timeout}s: namespace $1 must exist with the Role that lets this Job read it"
    fi
    if [ "$announced" -eq 0 ]; then
      log "waiting up to ${wait_timeout}s for namespace $1 and its Role (secret $2)"
      announced=1
    fi
    sleep "$poll_seconds"
  done
}

# wait_for_secret NAMESPACE NAME: until the Secret exists (the secret bootstrap creates it).
wait_for_secret() {
  w_deadline=$(($(date +%s) + wait_timeout))
  w_announced=0
  while :; do
    probe_secret "$1" "$2"
    [ "$secret_present" -eq 0 ] || return 0
    if [ "$(date +%s)" -ge "$w_deadline" ]; then
      die "secret $1/$2 does not exist after ${wait_timeout}s; the secret bootstrap Job of namespace $1 creates it: check that Job"
    fi
    if [ "$w_announced" -eq 0 ]; then
      log "waiting up to ${wait_timeout}s for secret $1/$2 (created by the secret bootstrap)"
      w_announced=1
    fi
    sleep "$poll_seconds"
  done
}

# Harbor's rule for robot secrets (8-128 characters with an uppercase letter, a lowercase letter
# and a digit), restricted to letters and digits so the value needs no escaping in JSON or curl.
valid_robot_secret() { # VALUE
  case $1 in '' | *[![:alnum:]]*) return 1 ;; esac
  [ "${#1}" -ge 8 ] && [ "${#1}" -le 128 ] || return 1
  case $1 in *[[:upper:]]*) ;; *) return 1 ;; esac
  case $1 in *[[:lower:]]*) ;; *) return 1 ;; esac
  case $1 in *[[:digit:]]*) ;; *) return 1 ;; esac
}

# ---------------------------------------------------------------------------------------------
# Projects

# Sets cur_project_id from $work/project.json: the one non-zero "project_id" (the CVE allowlist
# nested in the response repeats it, or holds 0).
read_project_id() {
  cur_project_id=''
  for token in $(grep -oE '"project_id":[0-9]+' "$work/project.json" || true); do
    value=${token#*:}
    [ "$value" != 0 ] || continue
    if [ -z "$cur_project_id" ]; then
      cur_project_id=$value
    elif [ "$cur_project_id" != "$value" ]; then
      die "GET $API/projects/$cur_project returned several project ids ($cur_project_id, $value)"
    fi
  done
  [ -n "$cur_project_id" ] || die "GET $API/projects/$cur_project returned no project_id"
}

begin_project() { # NAME QUOTA BODY
  finish_robot
  cur_project=$1
  immutable_loaded=0
  request "$work/admin.curl" HEAD "$API/projects?project_name=$1"
  case $status in
    200) unchanged "project $1 exists; its settings are left as they are" ;;
    404)
      printf '%s\n' "$3" >"$work/request.json"
      request "$work/admin.curl" POST "$API/projects" "$work/request.json"
      case $status in
        201) created "project $1 created" ;;
        409) unchanged "project $1 was created concurrently; its settings are left as they are" ;;
        *) fail_request "expected 201" ;;
      esac
      ;;
    *) fail_request "expected 200 or 404" ;;
  esac
  request "$work/admin.curl" GET "$API/projects/$1"
  expect_status 200
  cat "$work/body" >"$work/project.json"
  read_project_id
  [ "$2" = - ] || ensure_quota "$2"
}

ensure_quota() { # BYTES
  request "$work/admin.curl" GET "$API/quotas?reference=project&reference_id=$cur_project_id"
  expect_status 200
  # Harbor answers compact JSON; the hard limit object holds only "storage".
  if grep -qF "\"hard\":{\"storage\":$1}" "$work/body"; then
    unchanged "quota of project $cur_project is $1 bytes"
    return 0
  fi
  # The quota's "id", and "ref":{"id":<project id>,...}: the quota id is the one that differs from
  # the project id, or equals it when both are the same number.
  quota_id=''
  ids=$(grep -oE '"id":[0-9]+' "$work/body" || true)
  for token in $ids; do
    if [ "${token#*:}" != "$cur_project_id" ]; then
      quota_id=${token#*:}
      break
    fi
  done
  [ -n "$quota_id" ] || [ -z "$ids" ] || quota_id=$cur_project_id
  if [ -z "$quota_id" ]; then
    warn "project $cur_project has no quota record, so its storage limit cannot be set (are project quotas enabled?)"
    return 0
  fi
  printf '{"hard":{"storage":%s}}\n' "$1" >"$work/request.json"
  request "$work/admin.curl" PUT "$API/quotas/$quota_id" "$work/request.json"
  expect_status 200
  updated "quota of project $cur_project set to $1 bytes"
}

ensure_immutable_rule() { # TAG_PATTERN BODY
  [ -n "$cur_project" ] || die "spec line $lineno: 'immutable' before any 'project' line"
  if [ "$immutable_loaded" -eq 0 ]; then
    request "$work/admin.curl" GET "$API/projects/$cur_project/immutabletagrules?page=1&page_size=$PAGE_SIZE"
    expect_status 200
    # One line per rule: its tag selectors (strings only, so no nested ']').
    grep -oE '"tag_selectors":\[[^]]*\]' "$work/body" >"$work/immutable" || true
    immutable_loaded=1
  fi
  while IFS= read -r selectors; do
    case $selectors in *'"decoration":"matches"'*) ;; *) continue ;; esac
    case $selectors in
      *"\"pattern\":\"$1\""*)
        unchanged "immutable tag rule '$1' of project $cur_project exists"
        return 0
        ;;
    esac
  done <"$work/immutable"
  printf '%s\n' "$2" >"$work/request.json"
  request "$work/admin.curl" POST "$API/projects/$cur_project/immutabletagrules" "$work/request.json"
  expect_status 201
  created "immutable tag rule '$1' of project $cur_project created"
}

ensure_retention() { # BODY
  [ -n "$cur_project" ] || die "spec line $lineno: 'retention' before any 'project' line"
  # Harbor records a project's policy in its metadata; a project has at most one.
  if grep -qE '"retention_id":"[0-9]+"' "$work/project.json"; then
    unchanged "project $cur_project has a retention policy; it is left as it is"
    return 0
  fi
  case $1 in *@PROJECT_ID@*) ;; *) die "spec line $lineno: the retention body lacks @PROJECT_ID@" ;; esac
  printf '%s%s%s\n' "${1%%@PROJECT_ID@*}" "$cur_project_id" "${1#*@PROJECT_ID@}" >"$work/request.json"
  request "$work/admin.curl" POST "$API/retentions" "$work/request.json"
  expect_status 201
  created "retention policy of project $cur_project created"
}

# ---------------------------------------------------------------------------------------------
# Robot accounts

# find_robot NAME FULL_NAME: sets robot_id, or '' when the project has no such robot. Lists the
# project's robots whose name contains NAME (`q` as Harbor's portal builds it) and picks the exact
# full name; every robot object has exactly one top-level "id" and "name" (its permissions have
# neither), so the tokens come in pairs.
find_robot() {
  robot_id=''
  page=1
  while :; do
    request "$work/admin.curl" GET "$API/robots?q=Level%3Dproject%2CProjectID%3D$cur_project_id%2Cname%3D~$1&page=$page&page_size=$PAGE_SIZE"
    expect_status 200
    grep -oE '"(id|name)":("[^"]*"|[0-9]+)' "$work/body" >"$work/tokens" || true
    n_tokens=$(grep -c '' "$work/tokens" || true)
    [ $((n_tokens % 2)) -eq 0 ] || die "$req: unexpected robot list (ids and names do not pair up)"
    while IFS= read -r t1 && IFS= read -r t2; do
      case $t1 in
        '"id":'*) id=${t1#*:} name=$t2 ;;
        *) id=${t2#*:} name=$t1 ;;
      esac
      case $id in '' | *[!0-9]*) die "$req: unexpected robot list (no id beside $name)" ;; esac
      if [ "$name" = "\"name\":\"$2\"" ]; then
        robot_id=$id
        return 0
      fi
    done <"$work/tokens"
    header_value X-Total-Count
    case $header in '' | *[!0-9]*) return 0 ;; esac
    [ $((page * PAGE_SIZE)) -lt "$header" ] || return 0
    page=$((page + 1))
  done
}

# robot_accepts_secret: whether Harbor's token service accepts the robot's credentials, as for a
# `docker login` (no scope: 200 when they are valid, 401 otherwise).
robot_accepts_secret() {
  request "$cur_robot_dir/robot.curl" GET "/service/token?service=harbor-registry"
  case $status in
    200)
      forget_body # a registry token
      return 0
      ;;
    401) return 1 ;;
    *) fail_request "expected 200 or 401" ;;
  esac
}

pin_robot_secret() {
  printf '{"secret":"%s"}\n' "$robot_pw" >"$cur_robot_dir/secret.json"
  request "$work/admin.curl" PATCH "$API/robots/$robot_id" "$cur_robot_dir/secret.json"
  rm -f "$cur_robot_dir/secret.json"
  expect_status 200
  robot_accepts_secret || die "robot $cur_robot_full rejects the secret just pinned: is it disabled or expired?"
}

begin_robot() { # NAME FULL_NAME PASSWORD_SECRET BODY
  finish_robot
  [ -n "$cur_project" ] || die "spec line $lineno: 'robot' before any 'project' line"
  cur_robot=$1
  cur_robot_full=$2
  robot_seq=$((robot_seq + 1))
  cur_robot_dir="$work/robot-$robot_seq"
  mkdir "$cur_robot_dir"

  wait_for_secret "$harbor_ns" "$3"
  robot_pw=$(kube secret-value "$harbor_ns" "$3" password) ||
    die "cannot read key password of secret $harbor_ns/$3"
  valid_robot_secret "$robot_pw" ||
    die "key password of secret $harbor_ns/$3 is not a valid robot secret (8-128 letters and digits with an uppercase letter, a lowercase letter and a digit): delete the secret so that the secret bootstrap generates a new one"
  write_user_config "$cur_robot_full" "$cur_robot_dir/robot.curl" "$robot_pw"

  find_robot "$1" "$2"
  if [ -z "$robot_id" ]; then
    printf '%s\n' "$4" >"$work/request.json"
    request "$work/admin.curl" POST "$API/robots" "$work/request.json"
    expect_status 201
    # The answer carries a generated secret, which is replaced at once: never keep or print it.
    forget_body
    header_value Location
    robot_id=${header##*/}
    case $robot_id in '' | *[!0-9]*) die "POST $API/robots for $cur_robot_full answered without a robot id in Location" ;; esac
    pin_robot_secret
    created "robot $cur_robot_full created (id $robot_id) with the secret of $harbor_ns/$3"
  elif robot_accepts_secret; then
    unchanged "robot $cur_robot_full exists and accepts the secret of $harbor_ns/$3"
  else
    pin_robot_secret
    updated "robot $cur_robot_full existed with another secret; pinned the secret of $harbor_ns/$3"
  fi
}

finish_robot() {
  [ -n "$cur_robot_dir" ] || return 0
  rm -rf "$cur_robot_dir"
  cur_robot=''
  cur_robot_full=''
  cur_robot_dir=''
  robot_pw=''
}

# Writes the current robot's pull secret data into files: .dockerconfigjson, username, password.
# The base64 "auth" is encoded from a file (base64 wraps long lines: the newlines are dropped).
write_pull_secret_files() {
  [ ! -f "$cur_robot_dir/dockerconfigjson" ] || return 0
  printf '%s:%s' "$cur_robot_full" "$robot_pw" >"$cur_robot_dir/userpass"
  auth=$(base64 <"$cur_robot_dir/userpass" | tr -d '\n') || die "base64 could not encode the auth string"
  rm -f "$cur_robot_dir/userpass"
  case $auth in '' | *[!A-Za-z0-9+/=]*) die "base64 did not return a base64 auth string" ;; esac
  printf '%s' "$cur_robot_full" >"$cur_robot_dir/username"
  printf '%s' "$robot_pw" >"$cur_robot_dir/password"
  printf '{"auths":{"%s":{"username":"%s","password":"%s","auth":"%s"}}}' \
    "$registry_host" "$cur_robot_full" "$robot_pw" "$auth" >"$cur_robot_dir/dockerconfigjson"
  auth=''
}

ensure_pull_secret() { # NAMESPACE NAME
  [ -n "$cur_robot" ] || die "spec line $lineno: 'pullsecret' before any 'robot' line"
  probe_secret "$1" "$2"
  if [ "$secret_present" -eq 1 ]; then
    existing=$(kube secret-value "$1" "$2" password) || die "cannot read secret $1/$2"
    if [ "$existing" = "$robot_pw" ]; then
      unchanged "secret $1/$2 exists with the credentials of $cur_robot_full"
    else
      warn "secret $1/$2 exists but does not hold the current secret of $cur_robot_full; it is left untouched (delete it and run this Job again to recreate it)"
    fi
    existing=''
    return 0
  fi
  write_pull_secret_files
  d=$cur_robot_dir
  # The client reads the values from the files; they never become arguments.
  outcome=$(kube create-secret "$1" "$2" --type kubernetes.io/dockerconfigjson \
    --label "$MANAGED_BY_LABEL" --label "$PART_OF_LABEL" --from-file ".dockerconfigjson=$d/dockerconfigjson" \
    --from-file "username=$d/username" --from-file "password=$d/password") || die "could not create secret $1/$2 (see above)"
  case $outcome in
    created) created "secret $1/$2 created for $cur_robot_full" ;;
    exists) unchanged "secret $1/$2 was created concurrently; it is left untouched" ;;
    *) die "unexpected answer '$outcome' when creating secret $1/$2" ;;
  esac
}

# ---------------------------------------------------------------------------------------------

wait_for_harbor

# take: moves the first space-separated field of `rest` into `field`. Spec fields are separated by
# exactly one space; the last one, a JSON body, keeps its own spaces.
take() {
  case $rest in
    *' '*)
      field=${rest%% *}
      rest=${rest#* }
      ;;
    *)
      field=$rest
      rest=''
      ;;
  esac
}

# The spec is read on file descriptor 3 so that no command in the loop can consume it.
while IFS= read -r line <&3 || [ -n "$line" ]; do
  lineno=$((lineno + 1))
  case $line in '' | '#'*) continue ;; esac
  rest=$line
  take
  case $field in
    project)
      take && name=$field && take && quota=$field
      if [ -z "$name" ] || [ -z "$rest" ]; then die "spec line $lineno: usage: project NAME QUOTA_BYTES|- BODY"; fi
      case $quota in
        -) ;;
        '' | 0* | *[!0-9]*) die "spec line $lineno: invalid quota '$quota' (bytes, or - for none)" ;;
      esac
      begin_project "$name" "$quota" "$rest"
      ;;
    immutable)
      take && pattern=$field
      if [ -z "$pattern" ] || [ -z "$rest" ]; then die "spec line $lineno: usage: immutable TAG_PATTERN BODY"; fi
      ensure_immutable_rule "$pattern" "$rest"
      ;;
    retention)
      [ -n "$rest" ] || die "spec line $lineno: usage: retention BODY"
      ensure_retention "$rest"
      ;;
    robot)
      take && name=$field && take && full_name=$field && take && secret_name=$field
      if [ -z "$name" ] || [ -z "$full_name" ] || [ -z "$secret_name" ] || [ -z "$rest" ]; then
        die "spec line $lineno: usage: robot NAME FULL_NAME SECRET BODY"
      fi
      begin_robot "$name" "$full_name" "$secret_name" "$rest"
      ;;
    pullsecret)
      take && namespace=$field && take && secret_name=$field
      if [ -z "$namespace" ] || [ -z "$secret_name" ] || [ -n "$rest" ]; then die "spec line $lineno: usage: pullsecret NAMESPACE NAME"; fi
      ensure_pull_secret "$namespace" "$secret_name"
      ;;
    *) die "spec line $lineno: unknown entry '$field'" ;;
  esac
done 3<"$spec_file"
finish_robot

log "done: $n_created created, $n_updated updated, $n_unchanged unchanged, $n_warnings warning(s)"
