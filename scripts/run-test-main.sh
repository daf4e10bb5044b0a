#!/bin/sh
# Runs a main class from the plugin module's test classpath (benchmarks, the demo driver).
# Usage: scripts/run-test-main.sh <main-class> [args...]
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd -P)
cpfile=$root/plugin/target/test-classpath.txt
if [ ! -f "$cpfile" ] || [ "$root/plugin/pom.xml" -nt "$cpfile" ]; then
  (cd "$root" && mvn -q -B -pl plugin dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cpfile" >&2)
fi
main=$1
shift
exec java -Xmx1g -Drepo.root="$root" -Dplugin.dist="$root/plugin/target/dist" \
  -Dplugin.conformance="$root/plugin/target/conformance" \
  -cp "$root/plugin/target/test-classes:$(cat "$cpfile")" "$main" "$@"
