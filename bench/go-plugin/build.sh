#!/bin/sh
# Builds bench/go-plugin/target/goPlugin, the Go gRPC plugin that make bench-stdio compares
# against. Needs Debian's golang-go and golang-google-grpc-dev (no Go module proxy needed):
#   apt-get install -y golang-go golang-google-grpc-dev
set -eu
here=$(cd "$(dirname "$0")" && pwd)
command -v go >/dev/null 2>&1 || { echo "build.sh: no 'go' on PATH (apt-get install -y golang-go golang-google-grpc-dev)" >&2; exit 1; }
[ -d /usr/share/gocode/src/google.golang.org/grpc ] || { echo "build.sh: grpc-go not found (apt-get install -y golang-google-grpc-dev)" >&2; exit 1; }
work="$here/target/gopath"
mkdir -p "$work/src/goplugin" "$here/target"
cp "$here/main.go" "$work/src/goplugin/main.go"
cd "$work/src/goplugin"
GO111MODULE=off GOPATH="$work:/usr/share/gocode" GOFLAGS= GOCACHE="$here/target/gocache" \
  go build -o "$here/target/goPlugin" .
echo "built $here/target/goPlugin" >&2
