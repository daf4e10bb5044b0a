#!/bin/sh
# Assembles the Plakar package from the Maven-built plugin/target/dist. Usage: package-dist.sh [out]
# (default dist/; the plugin module's build also makes plugin/target/package, which the
# real-client tests install). The result is what `plakar pkg create <out>/manifest.yaml vX.Y.Z` reads:
#   manifest.yaml, *.schema.json, README.md
#   proxmoxImporter, proxmoxExporter, pbsAuditImporter   one launcher per connector
#   pbs-audit                                            the audit on a terminal
#   lib/                                                 the jars used at run time and the launch script
#   runtime/                                             a trimmed Java runtime (jlink)
# No class-data-sharing archive is made here: an archive made at build time cannot match the
# class path where plakar unpacks the package; the launcher records one at the first start.
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd -P)
cd "$root"
out=${1:-dist}
[ -d plugin/target/dist/lib ] || { echo "run 'make build' first" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$(dirname -- "$out")"
cp -a plugin/target/dist "$out"
out=$(CDPATH= cd -- "$out" && pwd -P)

# Jars on the class path at build time that nothing loads at run time: annotations kept only for
# compilers (their absence is legal for the JVM), an empty placeholder, Kotlin metadata for other
# platforms, and okio's multiplatform root (okio-jvm has the classes).
for unused in animal-sniffer-annotations annotations error_prone_annotations j2objc-annotations \
    jspecify jsr305 listenablefuture kotlin-stdlib-common okio; do
  rm -f "$out"/lib/"$unused"-[0-9]*.jar
done

# zstd-jni carries its native library for 20 platforms; the package is linux_amd64.
zstd=$(ls "$out"/lib/zstd-jni-*.jar)
tmp=$(mktemp -d)
jar=${JAVA_HOME:+$JAVA_HOME/bin/}jar
command -v "$jar" >/dev/null 2>&1 || jar=$(dirname "$(readlink -f "$(command -v javac)")")/jar
(cd "$tmp" && "$jar" xf "$zstd" && find . -name 'libzstd-jni*' ! -path './linux/amd64/*' -delete &&
  find . -type d -empty -delete && "$jar" --create --file "$zstd.new" --manifest META-INF/MANIFEST.MF -C . .)
mv "$zstd.new" "$zstd"
rm -rf "$tmp"

scripts/jlink-runtime.sh plugin/target/jlink-runtime
cp -a plugin/target/jlink-runtime "$out/runtime"
rm -f "$out/runtime/.stamp"

# plakar pkg create packs files one by one and follows no directory: make the runtime's
# symlinked legal notices plain files, then list every file in the manifest.
find "$out" -type l | while read -r link; do
  target=$(readlink -f "$link")
  rm "$link"
  cp "$target" "$link"
done
scripts/manifest-files.sh "$out"

echo "$out/ ready: $(du -sh "$out" | cut -f1) ($(ls "$out"/lib/*.jar | wc -l) jars, runtime $(du -sh "$out/runtime" | cut -f1))" >&2
