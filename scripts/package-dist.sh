#!/bin/sh
# Assembles dist/: the Plakar package. Run by `make package` after the Maven build.
#   dist/manifest.yaml, dist/*.schema.json        what `plakar pkg create dist/manifest.yaml vX.Y.Z` reads
#   dist/proxmoxImporter, proxmoxExporter,        one launcher per connector (sh; moves stdout out of the JVM's reach)
#   dist/pbsAuditImporter, dist/pbs-audit
#   dist/lib/                                     the jars and the launch script
#   dist/runtime/                                 a trimmed Java runtime (jlink) + class-data sharing archive
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd -P)
cd "$root"
[ -d plugin/target/dist/lib ] || { echo "run 'make build' first" >&2; exit 1; }

rm -rf dist
cp -a plugin/target/dist dist

# Modules: what jdeps reports for the jars, plus the providers it cannot see
# (EC keys for TLS and SSH, the HTTP client of the PBS audit, JUL used by gRPC).
modules=java.base,java.desktop,java.naming,java.security.jgss,java.sql,jdk.unsupported,java.logging,java.net.http,jdk.crypto.ec,java.management
jlink_bin=${JAVA_HOME:+$JAVA_HOME/bin/}jlink
if ! command -v "$jlink_bin" >/dev/null 2>&1; then
  jlink_bin=$(dirname "$(readlink -f "$(command -v javac)")")/jlink
fi
"$jlink_bin" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  --compress=2 --generate-cds-archive --output dist/runtime

# Class-data sharing: record the classes of a representative start (Init of each connector)
# so later starts map them instead of parsing them. Bound to this runtime and these jars;
# a mismatch is ignored silently by -Xshare:auto, never fatal.
PLAKAR_PVE_JVM_OPTS="-XX:ArchiveClassesAtExit=$root/dist/runtime/app.jsa" \
  scripts/run-test-main.sh io.plakar.pve.plugin.bench.CdsTrainer "$root/dist" >/dev/null 2>&1 || \
  echo "note: class-data sharing archive not created; the plugin still works, it only starts slower" >&2

# plakar pkg create packs files one by one and follows no directory: make the runtime's
# symlinked legal notices plain files, then list every file in the manifest.
find dist -type l | while read -r link; do
  target=$(readlink -f "$link")
  rm "$link"
  cp "$target" "$link"
done
scripts/manifest-files.sh dist

echo "dist/ ready: $(du -sh dist | cut -f1) ($(ls dist/lib | wc -l) jars, runtime $(du -sh dist/runtime | cut -f1))"
