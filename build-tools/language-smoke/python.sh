#!/usr/bin/env bash
# Builds the demo platform with the Python package (examples/python) into the folder $1.
# Installs the wheel from dist-packages/python and cdk8s, cdk8s-plus-30 and constructs from PyPI at
# the versions this package is developed against (package.json) into a virtualenv kept in the cache.
set -euo pipefail
outdir=$1
repo=$(cd "$(dirname "$0")/../.." && pwd)
venv=$HOME/.cache/cnai-model-platform/languages/python-venv

version() { node -p "require('$repo/package.json').devDependencies['$1']"; }
wheels=("$repo"/dist-packages/python/cnai_model_platform-*.whl)
if [ "${#wheels[@]}" -ne 1 ] || [ ! -f "${wheels[0]}" ]; then
  echo "expected one wheel in dist-packages/python (npx projen package:python), found: ${wheels[*]}" >&2
  exit 1
fi
wheel=${wheels[0]}

if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
"$venv/bin/pip" install --quiet --disable-pip-version-check \
  "cdk8s==$(version cdk8s)" "cdk8s-plus-30==$(version cdk8s-plus-30)" "constructs==$(version constructs)"
# The wheel's version stays 0.0.0 between builds: always reinstall it.
"$venv/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps "$wheel"
"$venv/bin/pip" check >/dev/null

cd "$repo/examples/python"
CDK8S_OUTDIR=$outdir "$venv/bin/python" main.py
