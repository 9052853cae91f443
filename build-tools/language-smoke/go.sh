#!/usr/bin/env bash
# Builds the demo platform with the Go module (examples/go) into the folder $1.
# The module from dist-packages/go replaces the published one in a copy of the example; its
# dependencies (cdk8s-core-go, cdk8s-plus-go, jsii-runtime-go) come from the Go module proxy.
set -euo pipefail
outdir=$1
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cp "$repo"/examples/go/go.mod "$repo"/examples/go/*.go "$work"/
cd "$work"
go mod edit -replace="github.com/cnai-model-platform/cnai-model-platform-go/cnaimodelplatform=$repo/dist-packages/go/cnaimodelplatform"
go mod tidy >/dev/null 2>&1 || go mod tidy
CDK8S_OUTDIR=$outdir go run .
