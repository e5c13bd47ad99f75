#!/usr/bin/env bash
# Cluster-mode ingest benchmark (issues 5 and 13): the same tools/loadgen load against
#   cluster           PostgreSQL + 3 ingesters (replication factor 3) + distributor + querier + store-gateway +
#                     compactor on the Orleans engine, started by deploy/cluster/run-local.sh; load sent to the
#                     distributor
#   cluster-rpc       the same cluster built from BASELINE_REF, the last commit before Orleans (our own heartbeat
#                     ring in PostgreSQL and protobuf-over-HTTP/2 RPC), with that commit's run-local.sh
#   all               metrics-cluster in one process (--target=all, the default: no silo, in-process calls)
#   all-silo          the same single process as a one-silo Orleans cluster (--ring.store=azure on Azurite,
#                     replication factors 1): what the embedded default would cost on the engine
#   victoria-metrics  VictoriaMetrics single-node
# one system at a time, on 127.0.0.1 with fresh data dirs, and prints samples/s, p99 and the idle RSS of the
# single-process systems (after start, before the load) with the ratios between them.
#
#   bash scripts/bench-cluster.sh
#   SERIES=50000 ROUNDS=5 bash scripts/bench-cluster.sh
#
# Environment (defaults in brackets):
#   SYSTEMS              systems to measure, in order ["cluster cluster-rpc all all-silo victoria-metrics"]
#   BASELINE_REF         git commit of cluster-rpc [47fc21a]
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
SYSTEMS="${SYSTEMS:-cluster cluster-rpc all all-silo victoria-metrics}"
BASELINE_REF="${BASELINE_REF:-47fc21a}"
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
  case "$s" in cluster|cluster-rpc|all|all-silo|victoria-metrics) ;; *) die "unknown system '$s' (known: cluster cluster-rpc all all-silo victoria-metrics)" ;; esac
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
[[ " $SYSTEMS " != *" all-silo "* ]] || command -v azurite >/dev/null || die "azurite not found (bash scripts/install-deps.sh)"
if [[ " $SYSTEMS " == *" cluster-rpc "* ]]; then
  # The baseline's own sources and run-local.sh, exported (not checked out) so this clone's tree is untouched.
  log "building the baseline engine from $BASELINE_REF"
  mkdir -p "$WORK/baseline"
  git -C "$REPO" archive "$BASELINE_REF" | tar -x -C "$WORK/baseline" || die "cannot export $BASELINE_REF (a full clone is needed)"
  dotnet_retry dotnet publish "$WORK/baseline/src/MetricsCluster/MetricsCluster.csproj" -c Release -o "$WORK/mc-baseline" --nologo \
    || die "could not build $BASELINE_REF"
fi

declare -A R_SPS R_P99 R_ERR R_RSS
bench_system() { # name
  local name=$1 data="$WORK/$1" logfile="$RESULTS_DIR/$1.log" pid url
  mkdir -p "$data"
  case "$name" in
    cluster|cluster-rpc)
      pick_port; local base=$PORT bin="$MC" script="$REPO/deploy/cluster/run-local.sh"
      if [[ "$name" == cluster-rpc ]]; then bin="$WORK/mc-baseline/metrics-cluster"; script="$WORK/baseline/deploy/cluster/run-local.sh"; fi
      # run-local.sh owns PostgreSQL and the processes; SIGTERM to it stops them all.
      # shellcheck disable=SC2086
      CLUSTER_DIR="$data" MC_BIN="$bin" BASE_PORT="$base" RPC_BASE_PORT=$((base + 100)) PG_PORT=$((base + 200)) \
        MC_EXTRA_ARGS="$UNLIMITED" bash "$script" >"$logfile" 2>&1 &
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
    all-silo)
      pick_port; local az=$PORT
      NEXT_PORT=$((az + 3))
      azurite --silent --disableTelemetry --location "$data/azurite" --blobHost 127.0.0.1 --blobPort "$az" \
        --queueHost 127.0.0.1 --queuePort $((az + 1)) --tableHost 127.0.0.1 --tablePort $((az + 2)) >"$RESULTS_DIR/azurite.log" 2>&1 &
      STARTED_PIDS+=("$!")
      for _ in $(seq 1 150); do port_free $((az + 2)) || break; sleep 0.2; done
      local conn="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$az/devstoreaccount1;TableEndpoint=http://127.0.0.1:$((az + 2))/devstoreaccount1;"
      pick_port; local http=$PORT
      pick_port
      # shellcheck disable=SC2086
      "$MC" "--data.dir=$data" --server.http-listen-address=127.0.0.1 "--server.http-listen-port=$http" \
        "--server.rpc-listen-port=$PORT" --ring.store=azure "--ring.azure.connection-string=$conn" \
        --ring.instance-id=all-silo --ring.instance-addr=127.0.0.1 --ingester.replication-factor=1 \
        --store-gateway.sharding-ring.replication-factor=1 --auth.multitenancy-enabled=false $UNLIMITED >"$logfile" 2>&1 &
      pid=$!
      url="http://127.0.0.1:$http"
      wait_ready "$name" "$pid" "$url/ready" "$logfile" ;;
    victoria-metrics)
      pick_port
      "$VM_BIN" "-storageDataPath=$data" "-httpListenAddr=127.0.0.1:$PORT" >"$logfile" 2>&1 &
      pid=$!
      url="http://127.0.0.1:$PORT"
      wait_ready "$name" "$pid" "$url/health" "$logfile" ;;
  esac
  STARTED_PIDS+=("$pid")
  case "$name" in
    all|all-silo|victoria-metrics) sleep 5; R_RSS[$name]=$(( $(status_kib "$pid" VmRSS) / 1024 )) ;;
  esac
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
  if [[ "$name" == cluster || "$name" == cluster-rpc ]]; then
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
  echo "| system | samples/s | p99 ms | errors | idle RSS MiB |"
  echo "|---|---:|---:|---:|---:|"
  for s in $SYSTEMS; do
    printf '| %s | %s | %s | %s | %s |\n' "$s" "${R_SPS[$s]:-n/a}" "${R_P99[$s]:-n/a}" "${R_ERR[$s]:-n/a}" "${R_RSS[$s]:-}"
  done
  echo
  echo "cluster / cluster-rpc: $(ratio cluster cluster-rpc)   cluster / all: $(ratio cluster all)   cluster-rpc / all: $(ratio cluster-rpc all)"
  echo "all-silo / all: $(ratio all-silo all)   all / victoria-metrics: $(ratio all victoria-metrics)   cluster / victoria-metrics: $(ratio cluster victoria-metrics)"
} | tee "$RESULTS_DIR/table.md"
log "raw outputs in $RESULTS_DIR"
