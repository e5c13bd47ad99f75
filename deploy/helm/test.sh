#!/usr/bin/env bash
# Every check of the Helm chart and the image (docs/kubernetes.md, "Chart checks"); ends with one line
# "Helm chart checks: N passed, M failed, K skipped" and exits non-zero on any failure.
#
#   bash deploy/helm/test.sh                    # everything
#   UPDATE_GOLDEN=1 bash deploy/helm/test.sh    # rewrite deploy/helm/tests/*.rendered.yaml from the chart
#
# For each values file (the chart's defaults, small.yaml, large.yaml and the test values in deploy/helm/tests/values/):
#   render     the chart renders, like `helm template` (deploy/helm/render.sh, tools/helm-render)
#   golden     the render equals the committed deploy/helm/tests/<case>.rendered.yaml (review a chart change there)
#   schema     every object is valid for the Kubernetes OpenAPI schema of its kind, has no unknown field, and
#              the chart's rules hold (every Service selects pods and targets their ports, every Secret, ConfigMap,
#              claim and $(VAR) a pod uses exists, selectors match, ingesters are Parallel with a long grace period
#              and a budget of one, readiness on /ready) (deploy/helm/validate/validate.mjs)
#   storage    with every storageClass value set, every claim carries it (each PVC has a class option)
#   args       every metrics-cluster container's flags and config keys are the binary's, and the published
#              binary started with them gets through configuration loading and validation
# and once:
#   failures   renders that must fail do, with the message that names the value to fix
#   publish    scripts/publish.sh (the Dockerfile's build step) publishes the binary from exactly the files the
#              Dockerfile copies into its build stage
#   binary     the published binary starts, answers /ready, and the `helm test` pod's script pushes a sample through
#              it and reads it back exactly
#
# Environment:
#   HELM_RENDER     the render script [deploy/helm/render.sh]
#   MC_PUBLISH_DIR  an already published binary's directory: the publish check is skipped and that binary is used
#   KEEP_TMP=1      keep the work directory (renders, logs)
set -uo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
chart=deploy/helm/metrics-cluster
tests=deploy/helm/tests
validate=deploy/helm/validate
render_sh=${HELM_RENDER:-deploy/helm/render.sh}
# The ruler's containers are started like every other component's (VALIDATE_RULER_ARGS=false skips them).
VALIDATE_RULER_ARGS=${VALIDATE_RULER_ARGS:-true}
# Existing Secrets named by small.yaml and large.yaml (the operator creates them).
external_secrets=(--external-secret metrics-cluster-ring --external-secret metrics-cluster-s3)

work=$(mktemp -d)
cleanup() { [ "${KEEP_TMP:-0}" = 1 ] && echo "work directory kept: $work" >&2 || rm -rf "$work"; }
trap cleanup EXIT

passed=0 failed=0 skipped=0
# check NAME COMMAND...: runs COMMAND, output to a log shown only on failure.
check() {
  local name=$1; shift
  local log="$work/log.$((passed + failed + skipped))"
  if "$@" >"$log" 2>&1; then
    passed=$((passed + 1)); echo "ok      $name$(summary_of "$log")"
  else
    failed=$((failed + 1)); echo "FAILED  $name"; sed 's/^/        /' "$log" | head -n 60
  fi
}
skip() { skipped=$((skipped + 1)); echo "skipped $1"; }
summary_of() { local s; s=$(grep -E '^(schema|storage classes|args):' "$1" | tail -n 1); [ -n "$s" ] && printf ' (%s)' "$s"; }

render() { HELM_RENDER_CHART="$repo/$chart" bash "$render_sh" "$@"; }
render_to() { local out=$1; shift; render "$@" >"$out"; }

# ---- Tools ---------------------------------------------------------------------------------------------------
if [ ! -f "$render_sh" ]; then
  echo "FAILED  renderer: $render_sh not found (tools/helm-render; set HELM_RENDER to its render.sh)"
  echo "Helm chart checks: 0 passed, 1 failed, 0 skipped"
  exit 1
fi
install_validator() {
  command -v node >/dev/null && command -v npm >/dev/null || { echo "node and npm are needed (Debian: nodejs npm)"; return 1; }
  if [ ! -f "$validate/node_modules/.package-lock.json" ] || [ "$validate/package-lock.json" -nt "$validate/node_modules/.package-lock.json" ]; then
    (cd "$validate" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}
check "validator: npm ci in $validate (kubernetes-models, @kubernetes-models/prometheus-operator, yaml)" install_validator

# ---- The image's binary --------------------------------------------------------------------------------------
# The Dockerfile's build stage copies a few paths and runs scripts/publish.sh; the same happens here in a directory
# holding only those paths, so a file the build needs but the Dockerfile does not copy fails this check.
publish_like_dockerfile() {
  local ctx="$work/context"
  mkdir -p "$ctx"
  grep -q 'bash scripts/publish.sh' Dockerfile || { echo "the Dockerfile does not run scripts/publish.sh"; return 1; }
  local line srcs
  while read -r line; do
    read -ra srcs <<<"${line#COPY }"
    unset 'srcs[${#srcs[@]}-1]'
    local s
    for s in "${srcs[@]}"; do
      [ -e "$s" ] || { echo "Dockerfile copies $s, which does not exist"; return 1; }
      mkdir -p "$ctx/$(dirname "$s")"
      tar -C "$repo" --exclude='bin' --exclude='obj' -cf - "$s" | tar -C "$ctx" -xf -
    done
  done < <(awk '/^FROM /{n++} n==1 && /^COPY / && !/--from/' Dockerfile)
  (cd "$ctx" && bash scripts/publish.sh "$work/publish")
}
if [ -n "${MC_PUBLISH_DIR:-}" ]; then
  skip "publish: scripts/publish.sh from the Dockerfile's build context (MC_PUBLISH_DIR=$MC_PUBLISH_DIR given)"
  bin="$MC_PUBLISH_DIR/metrics-cluster"
else
  check "publish: scripts/publish.sh from the Dockerfile's build context" publish_like_dockerfile
  bin="$work/publish/metrics-cluster"
fi

# ---- Each values file ------------------------------------------------------------------------------------------
declare -A cases=(
  [default]=""
  [small]="$chart/small.yaml"
  [large]="$chart/large.yaml"
  [features]="$tests/values/features.yaml"
  [azure-s3-keys]="$tests/values/azure-s3-keys.yaml"
  [local-e2e]="$tests/values/local-e2e.yaml"
)
mapfile -t storage_paths < <(node "$validate/validate.mjs" storage-class-paths "$chart/values.yaml")
storage_classes() { render_to "$@" && node "$validate/validate.mjs" storage-class "$1" chart-test-class; }
skip_ruler=()
[ "$VALIDATE_RULER_ARGS" = true ] || skip_ruler=(--skip-component ruler)

for name in default small large features azure-s3-keys local-e2e; do
  values=()
  [ -n "${cases[$name]}" ] && values=(-f "${cases[$name]}")
  out="$work/$name.yaml"
  check "$name: render" render_to "$out" "${values[@]}"
  golden="$tests/$name.rendered.yaml"
  if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
    cp "$out" "$golden"; echo "        wrote $golden"
  fi
  check "$name: golden ($golden)" diff -u "$golden" "$out"
  check "$name: schema" node "$validate/validate.mjs" schema "$out" "${external_secrets[@]}"
  sets=()
  for p in "${storage_paths[@]}"; do sets+=(--set "$p=chart-test-class"); done
  check "$name: storage classes" storage_classes "$work/$name.sc.yaml" "${values[@]}" "${sets[@]}"
  if [ -x "$bin" ]; then
    check "$name: args" node "$validate/validate.mjs" args "$out" "$bin" "${skip_ruler[@]}"
  else
    skip "$name: args (no published binary)"
  fi
done

# ---- Renders that must fail ------------------------------------------------------------------------------------
# must_fail "EXPECTED MESSAGE" RENDER ARGS...
must_fail() {
  local expected=$1; shift
  if render "$@" >"$work/must-fail.out" 2>"$work/must-fail.err"; then echo "rendered, but should have failed with: $expected"; return 1; fi
  grep -qF -- "$expected" "$work/must-fail.err" || { echo "failed, but without \"$expected\":"; cat "$work/must-fail.err"; return 1; }
}
check "fails: fewer zones than the replication factor" must_fail "needs at least ingester.replicationFactor (4) zones" --set ingester.zoneAwareReplication.enabled=true --set ingester.replicationFactor=4
check "fails: s3 without a bucket" must_fail "blocksStorage.s3.bucketName is required" --set blocksStorage.backend=s3
check "fails: an unknown blocks backend" must_fail "blocksStorage.backend must be filesystem or s3" --set blocksStorage.backend=gcs
check "fails: the memory ring store" must_fail "ring.store must be postgres or azure" --set ring.store=memory
check "fails: no PostgreSQL at all" must_fail "ring.postgres.connectionString or ring.postgres.existingSecret.name is required" --set postgresql.enabled=false
check "fails: one S3 key of two" must_fail "set both accessKeyId and secretAccessKey" -f "$chart/small.yaml" --set blocksStorage.s3.existingSecret.name= --set blocksStorage.s3.accessKeyId=x
check "fails: ruler on the filesystem with S3 blocks" must_fail "ruler.storage.backend=filesystem needs blocksStorage.backend=filesystem" -f "$chart/small.yaml" --set ruler.enabled=true --set ruler.storage.backend=filesystem

# ---- The published binary and the helm test script -------------------------------------------------------------
binary_serves_helm_test() {
  "$bin" --help >/dev/null || { echo "$bin --help failed"; return 1; }
  node "$validate/validate.mjs" test-script "$work/default.yaml" >"$work/helm-test.sh" || return 1
  local port data pid
  port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  data="$work/binary-data"
  "$bin" --data.dir="$data" --server.http-listen-address=127.0.0.1 --server.http-listen-port="$port" >"$work/binary.log" 2>&1 &
  pid=$!
  local deadline=$((SECONDS + 60))
  until curl -fsS -o /dev/null "http://127.0.0.1:$port/ready" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { echo "the binary exited:"; cat "$work/binary.log"; return 1; }
    [ "$SECONDS" -lt "$deadline" ] || { echo "not ready within 60 s"; kill "$pid"; return 1; }
    sleep 0.2
  done
  local rc=0
  (cd "$work" && PUSH_URL="http://127.0.0.1:$port/api/v1/push" QUERY_URL="http://127.0.0.1:$port/prometheus" TENANT=helm-test sh "$work/helm-test.sh") || rc=1
  kill -TERM "$pid"; wait "$pid" || { echo "the binary did not stop cleanly on SIGTERM (exit $?)"; rc=1; }
  return $rc
}
if [ -x "$bin" ]; then
  check "binary: starts, /ready, and the helm test pod's push-and-query script passes against it" binary_serves_helm_test
else
  skip "binary: no published binary"
fi

echo "Helm chart checks: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
