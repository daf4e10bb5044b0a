#!/bin/sh
# Runs a main class of the tools module (the demo, the benchmarks) on its runtime class path,
# plus the plugin module's test classes when built (LongStreamBench lives with the reliability
# helpers it shares with the reliability suite).
# Usage: scripts/run-test-main.sh <main-class> [args...]      (after `make build`)
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd -P)
cpfile=$root/tools/target/classpath.txt
[ -f "$cpfile" ] || { echo "run 'make build' first" >&2; exit 1; }
cp=$root/tools/target/classes:$(cat "$cpfile")
# This project's own modules from this checkout's build, not from ~/.m2: the local repository is
# shared by every checkout on the machine, and another one's install replaces those jars at any time.
for m in internal importer exporter proto testkit; do
  [ -d "$root/$m/target/classes" ] || continue
  cp=$(printf '%s' "$cp" | sed "s#[^:]*/io/plakar/pve/$m/[^:]*\.jar#$root/$m/target/classes#")
done
if [ -d "$root/plugin/target/test-classes" ]; then
  testcp=$root/plugin/target/test-classpath.txt
  if [ ! -f "$testcp" ] || [ "$root/plugin/pom.xml" -nt "$testcp" ]; then
    (cd "$root" && mvn -q -B -o -pl plugin -am dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$testcp" >&2)
  fi
  cp=$cp:$root/plugin/target/test-classes:$(cat "$testcp")
fi
main=$1
shift
exec java -Xmx1g -Drepo.root="$root" -Dplugin.dist="$root/plugin/target/dist" \
  -Dplugin.package="$root/plugin/target/package" \
  -Dplugin.conformance="$root/plugin/target/conformance" \
  -cp "$cp" "$main" "$@"
