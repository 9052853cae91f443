#!/usr/bin/env bash
# Builds the pinned upstream programs of the end-to-end tier once each, from the Go module proxy,
# into $CNAI_E2E_CACHE/<tool>-<version>/bin (default ~/.cache/cnai-model-platform/e2e), and checks
# each one's version output. A tool whose folder already holds a checked binary is not rebuilt, so a
# re-run takes a second. Prints the path of each tool.
#
#   oras      v1.3.3     oras.land/oras/cmd/oras (the ORAS image's version)
#   registry  v3.0.0     github.com/distribution/distribution/v3/cmd/registry
#   kopia     velero v1.18.1's fork, built in e2e/wrappers/kopia (velero replaces kopia)
#
# Needs: go (1.25 or later) and the module proxy.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${CNAI_E2E_CACHE:-$HOME/.cache/cnai-model-platform/e2e}

# install NAME VERSION EXPECTED_VERSION_TEXT BUILD_COMMAND...: BUILD_COMMAND runs with $out set to
# the binary to write; the tool is accepted when `NAME --version`/`version` prints the expected text.
install() {
  local name=$1 version=$2 expected=$3
  shift 3
  local dir="$cache/$name-$version"
  local out="$dir/bin/$name"
  if [ -x "$out" ] && version_of "$out" | grep -qF -- "$expected"; then
    printf '%s %s\n' "$name" "$out"
    return 0
  fi
  mkdir -p "$dir/bin"
  local started=$SECONDS
  out=$out "$@" >"$dir/build.log" 2>&1 || { cat "$dir/build.log" >&2; echo "install-tools: building $name $version failed" >&2; return 1; }
  if ! version_of "$out" | grep -qF -- "$expected"; then
    echo "install-tools: $out does not report '$expected':" >&2
    version_of "$out" >&2 || true
    return 1
  fi
  printf '%s %s (built in %ds)\n' "$name" "$out" "$((SECONDS - started))"
}

version_of() {
  case $(basename "$1") in
    oras) "$1" version ;;
    *) "$1" --version ;;
  esac 2>&1
}

go_install() { # PACKAGE@VERSION
  GOBIN=$(dirname "$out") go install "$1"
}

wrapper_build() { # WRAPPER_DIR PACKAGE: builds PACKAGE inside a copy of our wrapper module
  local work
  work=$(mktemp -d)
  cp "$here/wrappers/$1"/go.mod "$here/wrappers/$1"/tools.go "$work/"
  (cd "$work" && GOFLAGS=-mod=mod go mod tidy && go build -o "$out" "$2")
  rm -rf "$work"
}

install oras v1.3.3 'Version:    1.3.3' go_install oras.land/oras/cmd/oras@v1.3.3
install registry v3.0.0 'distribution/v3 v3.0.0' go_install github.com/distribution/distribution/v3/cmd/registry@v3.0.0
install kopia velero-v1.18.1 'v0.16.0 build:' wrapper_build kopia github.com/kopia/kopia
