#!/usr/bin/env bash
# `npm run test:languages` (after compile and package-all), or `build-tools/language-smoke/run.sh [python java go]`
# once dist-packages/ is built: the demo platform built with the Python, Java and Go packages there must
# be byte-identical to `npm run synth` (every .k8s.yaml and architecture.md).
# Each <language>.sh builds and runs its example (examples/<language>) into the folder it is given.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
languages=("$@")
if [ "${#languages[@]}" -eq 0 ]; then languages=(python java go); fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# jsii prints an end-of-life banner for Node 20 in every language runtime.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20

if ! (cd "$repo" && CDK8S_OUTDIR="$work/typescript" npx projen synth >"$work/typescript.log" 2>&1); then
  cat "$work/typescript.log" >&2
  exit 1
fi
expected=$(find "$work/typescript" -type f | wc -l)
if [ "$expected" -lt 2 ]; then echo "npm run synth wrote $expected files to compare against" >&2; exit 1; fi

failed=0
for language in "${languages[@]}"; do
  if [ ! -x "$here/$language.sh" ]; then echo "$language: no $language.sh beside run.sh" >&2; failed=1; continue; fi
  started=$(date +%s%N)
  if ! "$here/$language.sh" "$work/$language" >"$work/$language.log" 2>&1; then
    echo "$language: FAILED (its output follows)"
    cat "$work/$language.log"
    failed=1
    continue
  fi
  seconds=$(awk -v ns="$(( $(date +%s%N) - started ))" 'BEGIN { printf "%.1f", ns / 1e9 }')
  if diff -r "$work/typescript" "$work/$language" >"$work/$language.diff"; then
    echo "$language: byte-identical to npm run synth ($expected files) in ${seconds} s"
  else
    echo "$language: DIFFERS from npm run synth (first 60 lines of diff -r follow)"
    head -60 "$work/$language.diff"
    failed=1
  fi
done
exit "$failed"
