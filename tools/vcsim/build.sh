#!/bin/sh
# Build tools/vcsim offline from Debian's golang-go and golang-github-vmware-govmomi-dev (GOPATH mode).
# Usage: tools/vcsim/build.sh [OUTPUT]   (default build/vcsim/vcsim); prints the binary's path.
# Idempotent: nothing is rebuilt while the binary is newer than main.go.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
output=${1:-$root/build/vcsim/vcsim}
gocode=${HACALC_GOCODE:-/usr/share/gocode}

if [ -x "$output" ] && [ "$output" -nt "$here/main.go" ]; then
    echo "$output"
    exit 0
fi
command -v go >/dev/null 2>&1 || { echo "build.sh: go not found: apt-get install golang-go golang-github-vmware-govmomi-dev" >&2; exit 1; }
[ -d "$gocode/src/github.com/vmware/govmomi/simulator" ] || { echo "build.sh: no govmomi in $gocode: apt-get install golang-github-vmware-govmomi-dev" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src/hacalc-vcsim" "$(dirname "$output")"
cp "$here/main.go" "$work/src/hacalc-vcsim/"
cd "$work/src/hacalc-vcsim"
GO111MODULE=off GOPATH="$work:$gocode" GOCACHE="${GOCACHE:-$root/build/vcsim/go-cache}" GOFLAGS= \
    go build -o "$output.tmp" .
mv "$output.tmp" "$output"
echo "$output"
