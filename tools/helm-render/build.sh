#!/usr/bin/env bash
# Builds helm-render from Debian's Go packages only (GOPATH mode, no module downloads) and
# prints the binary's path on stdout; everything else goes to stderr, so callers can do
# bin=$(bash tools/helm-render/build.sh). The binary is cached in tools/helm-render/.build/
# (gitignored) and rebuilt only when a source file or the Go version changes.
set -euo pipefail
src=$(cd "$(dirname "$0")" && pwd)
out="$src/.build"

# Debian package -> a directory it installs, to tell whether it is present.
packages=(
  "golang-go:/usr/bin/go"
  "golang-github-masterminds-sprig-dev:/usr/share/gocode/src/github.com/Masterminds/sprig"
  "golang-k8s-sigs-yaml-dev:/usr/share/gocode/src/sigs.k8s.io/yaml"
  "golang-gopkg-yaml.v2-dev:/usr/share/gocode/src/gopkg.in/yaml.v2"
  "golang-gopkg-yaml.v3-dev:/usr/share/gocode/src/gopkg.in/yaml.v3"
  "golang-github-burntsushi-toml-dev:/usr/share/gocode/src/github.com/BurntSushi/toml"
  "golang-github-gobwas-glob-dev:/usr/share/gocode/src/github.com/gobwas/glob"
)
missing=()
for p in "${packages[@]}"; do
  [ -e "${p#*:}" ] || missing+=("${p%%:*}")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "helm-render: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # A fresh machine has no package lists yet: update once, then retry.
  if ! $sudo apt-get install -y -q "${missing[@]}" >&2; then
    $sudo apt-get update -q >&2
    $sudo apt-get install -y -q "${missing[@]}" >&2
  fi
fi

# GOPATH mode against /usr/share/gocode: Debian installs sprig and semver without the /v3
# suffix, which the sources import as such. GOFLAGS is cleared so a caller's -mod=... does
# not break GOPATH mode; GOPROXY=off makes any attempt to download fail loudly.
export GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= GOPROXY=off
if [ -z "${GOCACHE:-}" ] && [ -z "${HOME:-}" ] && [ -z "${XDG_CACHE_HOME:-}" ]; then
  export GOCACHE="$out/gocache"
fi

stamp=$( (go version; cd "$src" && sha256sum $(ls *.go | grep -v '_test\.go$')) | sha256sum | cut -d' ' -f1)
bin="$out/helm-render"
if [ ! -x "$bin" ] || [ "$(cat "$out/stamp" 2>/dev/null)" != "$stamp" ]; then
  mkdir -p "$out"
  echo "helm-render: building" >&2
  # Build to a temporary name and rename, so a concurrent run never sees half a binary.
  (cd "$src" && go build -o "$bin.tmp.$$" .) >&2
  mv -f "$bin.tmp.$$" "$bin"
  echo "$stamp" > "$out/stamp"
fi
echo "$bin"
