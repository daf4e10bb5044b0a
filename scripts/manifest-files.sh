#!/bin/sh
# Writes the extra_files list of <dist>/manifest.yaml: every regular file of the package except
# the manifest and the connector executables. `plakar pkg create` packs exactly the executables
# and these files, one by one (it does not descend into directories), so the list must be
# complete and name files only. It is written once, under the first connector: all three
# connectors share the same jars and runtime.
set -eu
dist=$1
manifest=$dist/manifest.yaml
list=$(cd "$dist" && find . -type f ! -name manifest.yaml ! -path ./proxmoxImporter ! -path ./proxmoxExporter \
  ! -path ./pbsAuditImporter | sed 's|^\./||' | LC_ALL=C sort)
tmp=$manifest.tmp
awk -v files="$list" '
  /# BEGIN extra_files/ { print; n = split(files, f, "\n"); for (i = 1; i <= n; i++) print "      - " f[i]; skip = 1; next }
  /# END extra_files/   { skip = 0 }
  !skip { print }
' "$manifest" > "$tmp"
mv "$tmp" "$manifest"
