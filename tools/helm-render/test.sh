#!/usr/bin/env bash
# Builds helm-render (installing its Debian packages if needed), runs its Go tests in GOPATH
# mode, smoke-tests deploy/helm/render.sh on the fixture chart, and prints one closing line
# "helm-render: N passed, M failed" on stdout (failure details go to stderr). Exits non-zero
# when anything fails.
set -euo pipefail
src=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$src/../.." && pwd)

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# build.sh also installs Go and the libraries when missing; its chatter is shown only on failure.
if ! bash "$src/build.sh" > /dev/null 2> "$log"; then
  cat "$log" >&2
  echo "helm-render: 0 passed, 1 failed"
  exit 1
fi
export GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= GOPROXY=off
if [ -z "${GOCACHE:-}" ] && [ -z "${HOME:-}" ] && [ -z "${XDG_CACHE_HOME:-}" ]; then
  export GOCACHE="$src/.build/gocache"
fi

status=0
(cd "$src" && go vet . && go test -count=1 -v .) > "$log" 2>&1 || status=$?
passed=$(grep -cE '^\s*--- PASS' "$log" || true)
failed=$(grep -cE '^\s*--- FAIL' "$log" || true)
if [ "$status" -ne 0 ]; then
  # Show the failures (or the build/vet error) without the passing tests' lines; a passing
  # run prints only the closing line.
  grep -vE '^\s*(=== (RUN|PAUSE|CONT)|--- PASS)' "$log" >&2 || true
  [ "$failed" -gt 0 ] || failed=1
fi

# render.sh end to end: relative -f against the caller's cwd, --set passed through.
smoke=$(cd "$src/testdata" && HELM_RENDER_CHART="$src/testdata/fixture" \
  bash "$repo/deploy/helm/render.sh" -f values/override2.yaml --set replicaCount=9 --show-only templates/deployment.yaml 2>&1) || true
if grep -q '^  replicas: 9$' <<<"$smoke" && grep -q -- '- "--only"' <<<"$smoke"; then
  passed=$((passed + 1))
else
  echo "--- FAIL: render.sh smoke test"$'\n'"$smoke" >&2
  failed=$((failed + 1))
fi

echo "helm-render: ${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
