#!/usr/bin/env bash
# Builds the Java package of cdk8s-plus-30 (a peer dependency) with jsii-pacmak from the npm package in
# node_modules, the way cdk8s builds the jar it publishes, into a Maven repository under
# ~/.cache/cnai-model-platform/languages/java/jsii-deps. Needed where Maven Central does not serve
# org.cdk8s:cdk8s-plus-30; build-tools/language-smoke/maven-settings.xml adds that repository to the
# builds of `npx projen package:java` and build-tools/language-smoke/java.sh. Does nothing when the jar
# of the installed version is already there.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cache=$HOME/.cache/cnai-model-platform/languages/java
version=$(node -p "require('$repo/node_modules/cdk8s-plus-30/package.json').version")
jar=$cache/jsii-deps/java/org/cdk8s/cdk8s-plus-30/$version/cdk8s-plus-30-$version.jar
if [ -f "$jar" ]; then
  exit 0
fi
echo "building org.cdk8s:cdk8s-plus-30:$version from node_modules/cdk8s-plus-30 into $cache/jsii-deps (about 1.5 min)" >&2
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
"$repo/node_modules/.bin/jsii-pacmak" "$repo/node_modules/cdk8s-plus-30" --target java \
  --outdir "$cache/jsii-deps" --maven-local-repository="$cache/m2" \
  --mvn-global-settings="$repo/build-tools/language-smoke/maven-settings.xml" --no-npmignore
test -f "$jar"
