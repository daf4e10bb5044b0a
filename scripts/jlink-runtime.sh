#!/bin/sh
# Makes the package's Java runtime with jlink into <dir> (reused while its stamp matches).
# Modules: what `jdeps --print-module-deps --ignore-missing-deps` reports for the jars, less what
# is only reached through optional code paths we never take, checked by running the connectors
# (the real-client suite: local and SSH backups, restores, the TLS audit):
#   java.base         everything
#   java.logging      grpc-java and guava log through java.util.logging
#   jdk.unsupported   sun.misc.Unsafe for protobuf-java and guava
#   jdk.crypto.ec     the SunEC provider: ECDH/X25519 key exchange and EC keys for SSH and TLS
# Not included: java.desktop and java.sql (jackson-databind's optional java.beans / java.sql
# support), java.naming (grpc's DNS resolver on the client side, bouncycastle's LDAP store),
# java.security.jgss (sshj's GSSAPI authentication, which no config key selects),
# java.net.http and java.management (nothing uses them).
set -eu
dir=$1
modules=java.base,java.logging,jdk.unsupported,jdk.crypto.ec

jlink_bin=${JAVA_HOME:+$JAVA_HOME/bin/}jlink
if ! command -v "$jlink_bin" >/dev/null 2>&1; then
  jlink_bin=$(dirname "$(readlink -f "$(command -v javac)")")/jlink
fi
stamp="$modules $("$jlink_bin" --version) v2"
if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$stamp" ]; then
  exit 0
fi
rm -rf "$dir"
"$jlink_bin" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  --compress=2 --generate-cds-archive --output "$dir"
# The archive for -XX:-UseCompressedOops (heaps over 32 GiB) is never used with our heap sizes.
rm -f "$dir/lib/server/classes_nocoops.jsa"
# The symbol tables of the native libraries only serve debuggers (the dynamic symbols stay).
if command -v strip >/dev/null 2>&1; then
  find "$dir/lib" -name '*.so' -exec chmod u+w {} + -exec strip --strip-unneeded {} +
fi
echo "$stamp" > "$dir/.stamp"
