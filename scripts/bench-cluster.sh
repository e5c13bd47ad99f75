#!/usr/bin/env bash
# Cluster-mode ingest benchmark (issue 5): the same tools/loadgen load against
#   cluster           PostgreSQL + 3 ingesters (replication factor 3) + distributor + querier + store-gateway +
#                     compactor, started by deploy/cluster/run-local.sh; load sent to the distributor
#   all               metrics-cluster in one process (--target=all, the default)
#   victoria-metrics  VictoriaMetrics single-node
# one system at a time, on 127.0.0.1 with fresh data dirs, and prints samples/s with the ratios between them.
#
#   bash scripts/bench-cluster.sh
#   SERIES=50000 ROUNDS=5 bash scripts/bench-cluster.sh
#
# Environment (defaults in brackets):
#   SYSTEMS              systems to measure, in order ["cluster all victoria-metrics"]
#   SERIES               active series [20000]
#   ROUNDS               samples per series [10]
#   CONCURRENCY          loadgen writers [4]
#   SAMPLES_PER_REQUEST  samples per remote-write request [2000]
#   INTERVAL             simulated scrape interval [15s]
#   READY_TIMEOUT        seconds to wait for a system to become ready [180]
#   RESULTS_DIR          raw outputs [.bench/cluster-<UTC time>]
#   VM_BIN               VictoriaMetrics binary [/usr/bin/victoria-metrics]
#
# Everything (5 to 7 processes for the cluster, plus the load generator) shares the same 2-core machine, so the
# cluster pays three replicas' CPU out of the same cores: the ratios say what replication costs here, not what
# more machines would give.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SYSTEMS="${SYSTEMS:-cluster all victoria-metrics}"
SERIES="${SERIES:-20000}"
ROUNDS="${ROUNDS:-10}"
CONCURRENCY="${CONCURRENCY:-4}"
SAMPLES_PER_REQUEST="${SAMPLES_PER_REQUEST:-2000}"
INTERVAL="${INTERVAL:-15s}"
READY_TIMEOUT="${READY_TIMEOUT:-180}"
RESULTS_DIR="${RESULTS_DIR:-$REPO/.bench/cluster-$(date -u +%Y%m%dT%H%M%SZ)}"
VM_BIN="${VM_BIN:-/usr/bin/victoria-metrics}"

log() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: ERROR: %s\n' "$*" >&2; exit 1; }

for v in SERIES ROUNDS CONCURRENCY SAMPLES_PER_REQUEST READY_TIMEOUT; do
  [[ "${!v}" =~ ^[0-9]+$ ]] && (( ${!v} > 0 )) || die "$v must be a positive integer, got '${!v}'"
done
for s in $SYSTEMS; do
  case "$s" in cluster|all|victoria-metrics) ;; *) die "unknown system '$s' (known: cluster all victoria-metrics)" ;; esac
done
for tool in curl dotnet awk; do
  command -v "$tool" >/dev/null || die "'$tool' is required (bash scripts/install-deps.sh)"
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/bench-cluster.XXXXXX")"
BENCH_FIRST_PORT=19300
# shellcheck source=scripts/bench-common.sh
source "$REPO/scripts/bench-common.sh"

# The limits are for tenants, not for a benchmark: lifted for every process.
UNLIMITED="--distributor.ingestion-rate-limit=100000000 --distributor.ingestion-burst-size=100000000 --ingester.max-global-series-per-user=0"

log "building tools/loadgen and src/MetricsCluster (Release)"
dotnet_retry dotnet publish "$REPO/tools/loadgen/loadgen.csproj" -c Release -o "$WORK/loadgen" --nologo || die "could not build tools/loadgen"
LOADGEN=("$WORK/loadgen/loadgen")
[[ -x "${LOADGEN[0]}" ]] || LOADGEN=(dotnet "$WORK/loadgen/loadgen.dll")
dotnet_retry dotnet publish "$REPO/src/MetricsCluster/MetricsCluster.csproj" -c Release -o "$WORK/mc" --nologo || die "could not build src/MetricsCluster"
MC="$WORK/mc/metrics-cluster"
[[ " $SYSTEMS " != *" victoria-metrics "* || -x "$VM_BIN" ]] || die "$VM_BIN not found (bash scripts/install-deps.sh)"

declare -A R_SPS R_P99 R_ERR
bench_system() { # name
  local name=$1 data="$WORK/$1" logfile="$RESULTS_DIR/$1.log" pid url
  mkdir -p "$data"
  case "$name" in
    cluster)
      pick_port; local base=$PORT
      # run-local.sh owns PostgreSQL and the processes; SIGTERM to it stops them all.
      # shellcheck disable=SC2086
      CLUSTER_DIR="$data" MC_BIN="$MC" BASE_PORT="$base" RPC_BASE_PORT=$((base + 100)) PG_PORT=$((base + 200)) \
        MC_EXTRA_ARGS="$UNLIMITED" bash "$REPO/deploy/cluster/run-local.sh" >"$logfile" 2>&1 &
      pid=$!
      NEXT_PORT=$((base + 300))
      url="http://127.0.0.1:$base"
      wait_ready "$name" "$pid" "$url/ready" "$logfile"
      # The distributor is up once run-local started it last but one; wait for the querier too (the last).
      wait_ready "$name" "$pid" "http://127.0.0.1:$((base + 4))/ready" "$logfile" ;;
    all)
      pick_port
      # shellcheck disable=SC2086
      "$MC" "--data.dir=$data" --server.http-listen-address=127.0.0.1 "--server.http-listen-port=$PORT" \
        --auth.multitenancy-enabled=false $UNLIMITED >"$logfile" 2>&1 &
      pid=$!
      url="http://127.0.0.1:$PORT"
      wait_ready "$name" "$pid" "$url/ready" "$logfile" ;;
    victoria-metrics)
      pick_port
      "$VM_BIN" "-storageDataPath=$data" "-httpListenAddr=127.0.0.1:$PORT" >"$logfile" 2>&1 &
      pid=$!
      url="http://127.0.0.1:$PORT"
      wait_ready "$name" "$pid" "$url/health" "$logfile" ;;
  esac
  STARTED_PIDS+=("$pid")
  local push="/api/v1/push"
  [[ "$name" == victoria-metrics ]] && push="/api/v1/write"
  log "[$name] ready; sending $SERIES series x $ROUNDS rounds to $url$push"
  local out="$RESULTS_DIR/$name.loadgen.txt" rc=0
  "${LOADGEN[@]}" --url "$url$push" --series "$SERIES" --rounds "$ROUNDS" --concurrency "$CONCURRENCY" \
    --samples-per-request "$SAMPLES_PER_REQUEST" --interval "$INTERVAL" >"$out" 2>&1 || rc=$?
  local result
  result=$(grep '^RESULT ' "$out" | tail -n 1 || true)
  [[ -n "$result" ]] || { cat "$out" >&2; die "[$name] loadgen printed no RESULT line (exit $rc)"; }
  R_SPS[$name]=$(sed -E 's/.*samples_per_sec=([0-9.]+).*/\1/' <<<"$result")
  R_P99[$name]=$(sed -E 's/.*p99_ms=([0-9.]+).*/\1/' <<<"$result")
  R_ERR[$name]=$(sed -E 's/.*errors=([0-9]+).*/\1/' <<<"$result")
  log "[$name] $result; stopping"
  if [[ "$name" == cluster ]]; then
    # The ingesters flush and ship their heads on SIGTERM: give run-local.sh longer than stop_pid's 30 s.
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 900); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  fi
  stop_pid "$pid"
  rm -rf "$data"
}

for s in $SYSTEMS; do
  bench_system "$s"
  sleep 2
done

ratio() { awk -v a="${R_SPS[$1]:-}" -v b="${R_SPS[$2]:-}" 'BEGIN { if (a != "" && b != "" && b > 0) printf "%.2f", a / b; else printf "n/a" }'; }
{
  echo "Load: $SERIES series x $ROUNDS rounds, $SAMPLES_PER_REQUEST samples/request, $CONCURRENCY writers;" \
       "everything on the same $(nproc)-core machine; $(date -u +%Y-%m-%d), commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)."
  echo
  echo "| system | samples/s | p99 ms | errors |"
  echo "|---|---:|---:|---:|"
  for s in $SYSTEMS; do
    printf '| %s | %s | %s | %s |\n' "$s" "${R_SPS[$s]:-n/a}" "${R_P99[$s]:-n/a}" "${R_ERR[$s]:-n/a}"
  done
  echo
  echo "cluster / all: $(ratio cluster all)   cluster / victoria-metrics: $(ratio cluster victoria-metrics)   all / victoria-metrics: $(ratio all victoria-metrics)"
} | tee "$RESULTS_DIR/table.md"
log "raw outputs in $RESULTS_DIR"
