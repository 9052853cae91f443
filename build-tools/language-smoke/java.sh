#!/usr/bin/env bash
# Smoke test of the Java package: builds examples/java against the Java package of this checkout
# (dist-packages/java, from `npx projen package:java`, run here when that jar is missing; an existing jar
# is used as it is) and runs it, so that it writes the demo's manifests and architecture.md into <outdir>.
# Maven's repository, the cdk8s-plus-30 jar (java-deps.sh) and the example's build folder are kept in
# ~/.cache/cnai-model-platform/languages/java, so a second run only compiles and runs the example.
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 <outdir>" >&2
  exit 2
fi
repo=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$1"
outdir=$(cd "$1" && pwd)
cache=$HOME/.cache/cnai-model-platform/languages/java
mkdir -p "$cache"
settings=$repo/build-tools/language-smoke/maven-settings.xml
version=$(node -p "require('$repo/package.json').version")
jar=$repo/dist-packages/java/io/github/cnai-model-platform/cnai-model-platform/$version/cnai-model-platform-$version.jar

"$repo/build-tools/language-smoke/java-deps.sh"
if [ ! -f "$jar" ]; then
  echo "no $jar: running npx projen package:java" >&2
  log=$cache/package-java.log
  if ! (cd "$repo" && npx projen package:java) >"$log" 2>&1; then
    cat "$log" >&2
    exit 1
  fi
fi
# Maven never looks again at a release it has in its local repository: drop the copy of an earlier run
# so that the example builds against this checkout's jar.
rm -rf "$cache/m2/io/github/cnai-model-platform"

# Build out of the source tree (no target/ in the checkout); -p keeps timestamps for incremental builds.
work=$cache/example
mkdir -p "$work"
rm -rf "$work/src"
cp -p "$repo/examples/java/pom.xml" "$work/pom.xml"
cp -rp "$repo/examples/java/src" "$work/src"

cd "$work"
# jansi.noreset: Maven 3.8's quiet mode still prints colour resets.
export MAVEN_OPTS="${MAVEN_OPTS:-} -Djansi.noreset=true"
JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 CDK8S_OUTDIR="$outdir" mvn -q -B -s "$settings" \
  -Dcnai.distPackages="$repo/dist-packages/java" -Dcnai-model-platform.version="$version" \
  compile exec:java
