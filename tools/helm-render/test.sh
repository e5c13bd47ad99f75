#!/usr/bin/env bash
# Builds helm-render (installing its Debian packages if needed), runs its Go tests in GOPATH
# mode, smoke-tests deploy/helm/render.sh on the fixture chart, and prints one closing line
# "helm-render: N passed, M failed". Exits non-zero when anything fails.
set -euo pipefail
src=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$src/../.." && pwd)

bin=$(bash "$src/build.sh")   # also installs golang and the libraries when missing
export GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= GOPROXY=off
if [ -z "${GOCACHE:-}" ] && [ -z "${HOME:-}" ] && [ -z "${XDG_CACHE_HOME:-}" ]; then
  export GOCACHE="$src/.build/gocache"
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
(cd "$src" && go vet . && go test -count=1 -v .) > "$log" 2>&1 || status=$?
grep -E '^(--- FAIL|FAIL|ok|panic)|^\s+\S+_test\.go:[0-9]+:' "$log" || true
passed=$(grep -cE '^\s*--- PASS' "$log" || true)
failed=$(grep -cE '^\s*--- FAIL' "$log" || true)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  cat "$log" >&2   # a build or vet failure: no test ran, show why
  failed=1
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
