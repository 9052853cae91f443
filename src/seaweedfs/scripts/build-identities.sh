#!/bin/sh
# Assembles the SeaweedFS S3 identities JSON (`weed s3 -config=<file>`) from mounted Secret files.
#
# Usage: build-identities.sh <spec file> <output file>
#
# Spec file: one identity per line, `<name> <credentials dir> <action>[,<action>...]`; blank lines
# and lines starting with '#' are ignored. Each credentials dir holds the files AWS_ACCESS_KEY_ID
# and AWS_SECRET_ACCESS_KEY (a projected Secret).
#
# Keys are written into the output file only: never to stdout/stderr, never traced (no `set -x`).
# Errors name the identity and the file, not its content. Keys must be non-empty and alphanumeric,
# so they need no escaping inside JSON strings (the generated ones are).
set -eu
LC_ALL=C
export LC_ALL

fail() {
  echo "build-identities: ERROR: $*" >&2
  exit 1
}

[ "$#" -eq 2 ] || fail "usage: build-identities.sh <spec file> <output file>"
spec=$1
out=$2
[ -r "$spec" ] || fail "spec file $spec is missing or unreadable"

# read_key <file> <identity> <label>: sets $key to the file's content after checking it.
read_key() {
  if [ ! -f "$1" ] || [ ! -r "$1" ]; then
    fail "identity $2: $3 file $1 is missing or unreadable"
  fi
  key=$(cat "$1")
  bytes=$(wc -c < "$1" | tr -d ' ')
  case "$key" in
    '') fail "identity $2: $3 in $1 is empty" ;;
    *[!A-Za-z0-9]*) fail "identity $2: $3 in $1 contains a character other than A-Z, a-z, 0-9 (only alphanumeric keys are safe in the JSON config)" ;;
  esac
  # $(cat) drops trailing newlines; a key with one would differ from what clients send.
  [ "$bytes" -eq "${#key}" ] || fail "identity $2: $3 in $1 ends with a newline or other non-alphanumeric byte"
}

umask 077
tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
: > "$tmp"

names=' '
access_keys=' '
count=0
printf '{"identities":[' >> "$tmp"
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in
    '' | '#'*) continue ;;
  esac
  set -f
  # shellcheck disable=SC2086 # split the line into its three fields
  set -- $line
  set +f
  [ "$#" -eq 3 ] || fail "spec line '$line' must have 3 fields: <name> <credentials dir> <actions>"
  name=$1
  dir=$2
  actions=$3
  case "$name" in
    *[!A-Za-z0-9._-]*) fail "identity name '$name' may only contain letters, digits, '.', '_' and '-'" ;;
  esac
  case "$actions" in
    *[!A-Za-z0-9.:,-]* | ,* | *, | *,,*) fail "identity $name: actions '$actions' must be a comma-separated list of Action or Action:bucket" ;;
  esac
  case "$names" in
    *" $name "*) fail "identity $name is declared twice" ;;
  esac
  names="$names$name "

  read_key "$dir/AWS_ACCESS_KEY_ID" "$name" "access key id"
  access_key=$key
  read_key "$dir/AWS_SECRET_ACCESS_KEY" "$name" "secret access key"
  secret_key=$key
  case "$access_keys" in
    *" $access_key "*) fail "identity $name: its access key id is already used by another identity" ;;
  esac
  access_keys="$access_keys$access_key "

  json_actions=$(printf '%s' "$actions" | sed 's/,/","/g')
  if [ "$count" -gt 0 ]; then printf ',' >> "$tmp"; fi
  printf '{"name":"%s","credentials":[{"accessKey":"%s","secretKey":"%s"}],"actions":["%s"]}' \
    "$name" "$access_key" "$secret_key" "$json_actions" >> "$tmp"
  count=$((count + 1))
done < "$spec"
printf ']}\n' >> "$tmp"

[ "$count" -gt 0 ] || fail "spec file $spec declares no identity"
mv "$tmp" "$out"
echo "build-identities: wrote $count identities to $out"
