#!/usr/bin/env bash
# Side-by-side PromQL query latency benchmark: Prometheus 2.42 and metrics-cluster, one system at a time, each on
# 127.0.0.1 with a fresh data dir, loaded by tools/loadgen with the same SERIES series × ROUNDS samples of history
# (default: 100k series, 1 h at 15 s), then asked a fixed list of queries, each as an instant query at the end of the
# data and as a range query over the last hour with a 60 s step. Per query: one warm-up, then the median of REPS
# runs, as curl measures it (time_total).
#
#   bash scripts/bench-query.sh
#   SERIES=5000 REPS=3 bash scripts/bench-query.sh
#   SYSTEMS=prometheus SERIES=20000 bash scripts/bench-query.sh
#
# Environment (defaults in brackets):
#   SYSTEMS              systems to measure, in order ["prometheus metrics-cluster"]
#   SERIES               series loaded [100000]
#   ROUNDS               samples per series [240] (with INTERVAL 15s: one hour of history ending now)
#   INTERVAL             spacing of the samples [15s]
#   CONCURRENCY          loadgen writers [4]
#   SAMPLES_PER_REQUEST  samples per remote-write request [2000]
#   REPS                 measured runs per query and mode, after one warm-up [7]
#   MODES                "instant", "range" or both ["instant range"]
#   RANGE_STEP           step of the range queries in seconds [60]
#   QUERY_TIMEOUT        seconds before a query counts as failed [120]
#   TENANT               X-Scope-OrgID sent to metrics-cluster (never to Prometheus 2.42) [bench]
#   LOADGEN_ARGS         extra loadgen options, e.g. "--retry" []
#   READY_TIMEOUT        seconds to wait for a system to become ready [60]
#   SETTLE               seconds between the load and the first query [5]
#   IDLE_WAIT            seconds to wait for other work on the machine to stop before each system [300]
#   IDLE_BUSY_PCT        the machine counts as quiet below this CPU busy percentage [15]
#   RESULTS_DIR          raw outputs [.bench/query-<UTC time>]
#   PROMETHEUS_BIN, MC_EXTRA_ARGS   Prometheus binary and extra flags for ours
#
# The queries use tools/loadgen's series: 100 metric names (even ones counters, odd ones gauges), labels cluster,
# instance, job, namespace, pod. Until metrics-cluster serves /prometheus/api/v1/query{,_range}, its column shows
# the HTTP status and the start of its answer instead of a latency, and the ratios are n/a.
#
# Peak RSS is VmHWM after the load with the peak reset (/proc/<pid>/clear_refs) just before the first query, so it
# covers the query phase only; where the reset is refused it is the lifetime peak and the table says so.
# Load generator, curl and server share the machine (2 cores here): compare the ratio, not the absolute figures.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SYSTEMS="${SYSTEMS:-prometheus metrics-cluster}"
SERIES="${SERIES:-100000}"
ROUNDS="${ROUNDS:-240}"
INTERVAL="${INTERVAL:-15s}"
CONCURRENCY="${CONCURRENCY:-4}"
SAMPLES_PER_REQUEST="${SAMPLES_PER_REQUEST:-2000}"
REPS="${REPS:-7}"
MODES="${MODES:-instant range}"
RANGE_STEP="${RANGE_STEP:-60}"
QUERY_TIMEOUT="${QUERY_TIMEOUT:-120}"
TENANT="${TENANT:-bench}"
LOADGEN_ARGS="${LOADGEN_ARGS:-}"
READY_TIMEOUT="${READY_TIMEOUT:-60}"
SETTLE="${SETTLE:-5}"
IDLE_WAIT="${IDLE_WAIT:-300}"
IDLE_BUSY_PCT="${IDLE_BUSY_PCT:-15}"
RESULTS_DIR="${RESULTS_DIR:-$REPO/.bench/query-$(date -u +%Y%m%dT%H%M%SZ)}"
PROMETHEUS_BIN="${PROMETHEUS_BIN:-/usr/bin/prometheus}"
MC_EXTRA_ARGS="${MC_EXTRA_ARGS:-}"

# The fixed query list: representative dashboard and alerting shapes over loadgen's series.
QUERIES=(
  'http_server_requests_total'
  'http_server_requests_total{job="api-gateway",cluster="prod-eu-west-1"}'
  '{__name__=~"http_server_.*",namespace="payments"}'
  'rate(http_server_requests_total[5m])'
  'sum by (job) (rate(http_server_requests_total[5m]))'
  'sum by (cluster, namespace) (rate(node_network_received_bytes_total[5m]))'
  'topk(10, rate(http_server_requests_total[5m]))'
  'avg_over_time(go_memstats_resident_memory_bytes[10m])'
  'max by (job) (grpc_server_in_flight_requests)'
  'quantile_over_time(0.99, grpc_server_in_flight_requests[10m])'
  'increase(http_server_requests_total[1h])'
  'rate(http_server_errors_total[5m]) / rate(http_server_requests_total[5m])'
  'sum by (job) (rate(http_server_errors_total[5m])) / sum by (job) (rate(http_server_requests_total[5m]))'
  'rate(http_server_requests_total[5m]) * on(instance) group_left(pod) grpc_server_in_flight_requests'
  'histogram_quantile(0.9, sum by (job, le) (label_replace(rate(http_server_requests_total[5m]), "le", "$1", "instance", ".*\\.([0-9]+):9100")) or sum by (job, le) (label_replace(rate(http_server_requests_total[5m]), "le", "+Inf", "instance", ".*")))'
  'max_over_time(sum by (job) (rate(http_server_requests_total[5m]))[30m:1m])'
  'count by (cluster) ({job="api-gateway"})'
  'count(count by (__name__) ({__name__=~".+"}))'
  'sum by (__name__) ({__name__=~".+_total",cluster="prod-eu-west-1"})'
  'absent(nonexistent_metric)'
)

log() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: ERROR: %s\n' "$*" >&2; exit 1; }

for v in SERIES ROUNDS CONCURRENCY SAMPLES_PER_REQUEST REPS RANGE_STEP QUERY_TIMEOUT READY_TIMEOUT IDLE_WAIT IDLE_BUSY_PCT; do
  [[ "${!v}" =~ ^[0-9]+$ ]] && (( ${!v} > 0 )) || die "$v must be a positive integer, got '${!v}'"
done
[[ "$SETTLE" =~ ^[0-9]+$ ]] || die "SETTLE must be a non-negative integer, got '$SETTLE'"
for s in $SYSTEMS; do
  case "$s" in
    prometheus|metrics-cluster) ;;
    *) die "unknown system '$s' in SYSTEMS (known: prometheus metrics-cluster)" ;;
  esac
done
for m in $MODES; do
  case "$m" in instant|range) ;; *) die "unknown mode '$m' in MODES (known: instant range)" ;; esac
done
for tool in curl dotnet awk sort; do
  command -v "$tool" >/dev/null || die "'$tool' is required (Debian packages: bash scripts/install-deps.sh)"
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/bench-query.XXXXXX")"
BENCH_FIRST_PORT=19200
# shellcheck source=scripts/bench-common.sh
source "$REPO/scripts/bench-common.sh"

# One query run. Sets Q_MS (milliseconds), Q_SERIES (series in the answer) and Q_ERR (empty when it succeeded).
QUERY_HEADERS=()
run_query() { # base-url api-prefix mode query eval-time
  local base=$1 api=$2 mode=$3 q=$4 t=$5 out="$WORK/answer.json" w rc=0 code secs
  local -a params
  if [[ "$mode" == instant ]]; then
    params=(--data-urlencode "query=$q" --data-urlencode "time=$t")
    api="$api/query"
  else
    params=(--data-urlencode "query=$q" --data-urlencode "start=$((t - 3600))" --data-urlencode "end=$t" --data-urlencode "step=$RANGE_STEP")
    api="$api/query_range"
  fi
  : >"$out"
  w=$(curl -sS -G "${QUERY_HEADERS[@]}" "${params[@]}" -o "$out" -w '%{http_code} %{time_total}' --max-time "$QUERY_TIMEOUT" "$base$api" 2>"$WORK/curl.err") || rc=$?
  read -r code secs <<<"${w:-000 0}"
  Q_MS=$(awk -v s="$secs" 'BEGIN { printf "%.2f", s * 1000 }')
  Q_SERIES=$(grep -o '"metric":' "$out" | wc -l || true)
  Q_ERR=
  if (( rc != 0 )); then
    Q_ERR="curl exit $rc: $(head -c 150 "$WORK/curl.err" | tr '\n|' '  ')"
  elif [[ "$code" != 200 ]] || ! grep -q '"status":"success"' "$out"; then
    Q_ERR="HTTP $code: $(head -c 150 "$out" | tr '\n|' '  ')"
  fi
}

# ---- Builds, before any measurement ----------------------------------------------------------
log "building tools/loadgen (Release)"
dotnet_retry dotnet publish "$REPO/tools/loadgen/loadgen.csproj" -c Release -o "$WORK/loadgen" --nologo \
  || die "could not build tools/loadgen (see above)"
LOADGEN=("$WORK/loadgen/loadgen")
[[ -x "${LOADGEN[0]}" ]] || LOADGEN=(dotnet "$WORK/loadgen/loadgen.dll")

for s in $SYSTEMS; do
  case "$s" in
    prometheus) [[ -x "$PROMETHEUS_BIN" ]] || die "$PROMETHEUS_BIN not found (bash scripts/install-deps.sh)" ;;
    metrics-cluster)
      log "building src/MetricsCluster (Release)"
      dotnet_retry dotnet publish "$REPO/src/MetricsCluster/MetricsCluster.csproj" -c Release -o "$WORK/mc" --nologo \
        || die "could not build src/MetricsCluster; to measure only Prometheus: SYSTEMS=prometheus"
      [[ -x "$WORK/mc/metrics-cluster" ]] || die "publish did not produce $WORK/mc/metrics-cluster"
      ;;
  esac
done

{
  echo "date_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpus=$(nproc)"
  echo "mem_total_kib=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)"
  echo "kernel=$(uname -r)"
  echo "cpu_model=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "dotnet=$(dotnet --version)"
  echo "repo_commit=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "load=series=$SERIES rounds=$ROUNDS interval=$INTERVAL concurrency=$CONCURRENCY samples_per_request=$SAMPLES_PER_REQUEST extra='$LOADGEN_ARGS'"
  echo "queries=${#QUERIES[@]} modes='$MODES' reps=$REPS range=1h step=${RANGE_STEP}s timeout=${QUERY_TIMEOUT}s"
  [[ " $SYSTEMS " == *" prometheus "* ]] && echo "prometheus_version=$("$PROMETHEUS_BIN" --version 2>&1 | head -n 1)"
  true
} >"$RESULTS_DIR/environment.txt"
printf '%s\n' "${QUERIES[@]}" >"$RESULTS_DIR/queries.txt"

# ---- One system ------------------------------------------------------------------------------
declare -A R_MS R_SERIES R_ERR R_HWM R_HWM_NOTE R_RSS_LOAD R_LOAD
QUIET_BUSY=n/a

bench_system() { # name
  local name=$1 data="$WORK/$1-data" logfile="$RESULTS_DIR/$1.log"
  local push ready api pid
  local -a cmd lg_tenant=()
  pick_port
  mkdir -p "$data"
  QUERY_HEADERS=()
  case "$name" in
    prometheus)
      printf 'global:\n  scrape_interval: 15s\n# No scrape jobs: the only input is remote write.\n' >"$WORK/prometheus.yml"
      cmd=("$PROMETHEUS_BIN" --web.enable-remote-write-receiver "--storage.tsdb.path=$data"
           "--config.file=$WORK/prometheus.yml" "--web.listen-address=127.0.0.1:$PORT")
      push="/api/v1/write"; ready="/-/ready"; api="/api/v1" ;;
    metrics-cluster)
      # shellcheck disable=SC2206 # MC_EXTRA_ARGS is a word list on purpose.
      cmd=("$WORK/mc/metrics-cluster" "--data.dir=$data" "--server.http-listen-address=127.0.0.1"
           "--server.http-listen-port=$PORT"
           --distributor.ingestion-rate-limit=100000000 --distributor.ingestion-burst-size=100000000
           --ingester.max-global-series-per-user=0 $MC_EXTRA_ARGS)
      push="/api/v1/push"; ready="/ready"; api="/prometheus/api/v1"
      lg_tenant=(--tenant "$TENANT")
      QUERY_HEADERS=(-H "X-Scope-OrgID: $TENANT") ;;
  esac

  wait_quiet "$name"
  log "[$name] starting on 127.0.0.1:$PORT: ${cmd[*]}"
  "${cmd[@]}" >"$logfile" 2>&1 &
  pid=$!
  STARTED_PIDS+=("$pid")
  wait_ready "$name" "$pid" "http://127.0.0.1:$PORT$ready" "$logfile"

  # Loadgen's history ends just before it starts; queries evaluate at the whole minute before that.
  local t_end out="$RESULTS_DIR/$name.loadgen.txt" lg_rc=0
  t_end=$(( $(date +%s) / 60 * 60 ))
  log "[$name] ready (pid $pid); loading $SERIES series × $ROUNDS samples"
  # shellcheck disable=SC2086 # LOADGEN_ARGS is a word list on purpose.
  "${LOADGEN[@]}" --url "http://127.0.0.1:$PORT$push" --series "$SERIES" --rounds "$ROUNDS" \
    --concurrency "$CONCURRENCY" --samples-per-request "$SAMPLES_PER_REQUEST" --interval "$INTERVAL" \
    "${lg_tenant[@]}" $LOADGEN_ARGS >"$out" 2>&1 || lg_rc=$?
  kill -0 "$pid" 2>/dev/null || { tail -n 30 "$logfile" >&2 || true; die "[$name] exited during the load (log: $logfile)"; }
  if (( lg_rc == 2 )); then cat "$out" >&2; die "loadgen rejected its options"; fi
  R_LOAD[$name]=$(grep '^RESULT ' "$out" | tail -n 1 || echo "no RESULT line (loadgen exit $lg_rc)")
  (( lg_rc == 0 )) || log "[$name] WARNING: loadgen exit $lg_rc, some writes failed: ${R_LOAD[$name]} (see $out)"
  R_RSS_LOAD[$name]=$(status_kib "$pid" VmRSS)
  sleep "$SETTLE"

  # Reset the peak RSS so VmHWM covers the query phase only.
  if echo 5 2>/dev/null >"/proc/$pid/clear_refs"; then R_HWM_NOTE[$name]=""; else R_HWM_NOTE[$name]=" (lifetime: reset refused)"; fi
  wait_quiet "$name"
  log "[$name] querying: ${#QUERIES[@]} queries × modes '$MODES', 1 warm-up + $REPS runs each, evaluated at $t_end"
  local i mode rep key times
  for i in "${!QUERIES[@]}"; do
    for mode in $MODES; do
      key="$name|$i|$mode"
      run_query "http://127.0.0.1:$PORT" "$api" "$mode" "${QUERIES[$i]}" "$t_end"
      if [[ -n "$Q_ERR" ]]; then
        R_ERR[$key]=$Q_ERR
        log "[$name] #$((i + 1)) $mode FAILED: $Q_ERR"
        continue
      fi
      times="$WORK/times.txt"
      : >"$times"
      for rep in $(seq 1 "$REPS"); do
        run_query "http://127.0.0.1:$PORT" "$api" "$mode" "${QUERIES[$i]}" "$t_end"
        [[ -z "$Q_ERR" ]] || { R_ERR[$key]="run $rep: $Q_ERR"; break; }
        echo "$Q_MS" >>"$times"
      done
      R_SERIES[$key]=$Q_SERIES
      if [[ -z "${R_ERR[$key]:-}" ]]; then
        R_MS[$key]=$(median <"$times")
        log "[$name] #$((i + 1)) $mode: median ${R_MS[$key]} ms, $Q_SERIES series"
      else
        log "[$name] #$((i + 1)) $mode FAILED: ${R_ERR[$key]}"
      fi
      {
        echo "query=${QUERIES[$i]}"
        echo "mode=$mode times_ms=$(paste -sd, "$times") median_ms=${R_MS[$key]:-} series=${R_SERIES[$key]:-} error=${R_ERR[$key]:-}"
      } >>"$RESULTS_DIR/$name.queries.txt"
    done
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$logfile" >&2 || true; die "[$name] exited during the queries (log: $logfile)"; }
  done
  R_HWM[$name]=$(status_kib "$pid" VmHWM)
  {
    echo "system=$name"
    echo "pid=$pid"
    echo "machine_busy_pct_before_queries=$QUIET_BUSY"
    echo "eval_time=$t_end"
    echo "loadgen_exit=$lg_rc"
    echo "${R_LOAD[$name]}"
    echo "rss_after_load_kib=${R_RSS_LOAD[$name]}"
    echo "query_phase_peak_rss_kib=${R_HWM[$name]}${R_HWM_NOTE[$name]}"
  } >"$RESULTS_DIR/$name.summary"
  log "[$name] done; peak RSS while querying $(( ${R_HWM[$name]:-0} / 1024 )) MiB${R_HWM_NOTE[$name]}; stopping"
  stop_pid "$pid"
  rm -rf "$data"
}

for s in $SYSTEMS; do
  bench_system "$s"
  sleep 2
done

# ---- Table -----------------------------------------------------------------------------------
cell() { # system key -> latency or error text for the table
  local k="$1|$2"
  if [[ " $SYSTEMS " != *" $1 "* ]]; then echo "not run"
  elif [[ -n "${R_ERR[$k]:-}" ]]; then echo "ERROR ${R_ERR[$k]}"
  else echo "${R_MS[$k]} (${R_SERIES[$k]} series)"; fi
}
{
  echo "Queries: $SERIES series × $ROUNDS samples every $INTERVAL; median of $REPS runs after a warm-up; instant at the end of the data," \
       "range over the last hour with step ${RANGE_STEP}s; curl and server on the same $(nproc)-core machine; $(date -u +%Y-%m-%d)."
  echo
  echo "| # | query | mode | Prometheus ms | ours ms | ratio (ours / Prometheus) |"
  echo "|---:|---|---|---:|---:|---:|"
  ratios="$WORK/ratios.txt"
  : >"$ratios"
  for i in "${!QUERIES[@]}"; do
    for mode in $MODES; do
      p="${R_MS[prometheus|$i|$mode]:-}"
      o="${R_MS[metrics-cluster|$i|$mode]:-}"
      ratio=n/a
      if [[ -n "$p" && -n "$o" ]]; then
        ratio=$(awk -v p="$p" -v o="$o" 'BEGIN { printf "%.2f", (p > 0 ? o / p : 0) }')
        awk -v p="$p" -v o="$o" 'BEGIN { if (p > 0 && o > 0) print log(o / p) }' >>"$ratios"
      fi
      q="${QUERIES[$i]//|/\\|}"
      printf '| %d | `%s` | %s | %s | %s | %s |\n' "$((i + 1))" "$q" "$mode" \
        "$(cell prometheus "$i|$mode")" "$(cell metrics-cluster "$i|$mode")" "$ratio"
    done
  done
  echo
  n=$(wc -l <"$ratios")
  if (( n > 0 )); then
    echo "Geometric mean of the ratios over the $n query runs that succeeded on both: $(awk '{ s += $1 } END { printf "%.2f", exp(s / NR) }' "$ratios")."
  else
    echo "Geometric mean of the ratios: n/a (no query succeeded on both systems)."
  fi
  echo
  echo "| system | RSS MiB after load | peak RSS MiB while querying | load |"
  echo "|---|---:|---:|---|"
  for s in $SYSTEMS; do
    printf '| %s | %d | %d%s | %s |\n' "$s" "$(( ${R_RSS_LOAD[$s]:-0} / 1024 ))" "$(( ${R_HWM[$s]:-0} / 1024 ))" "${R_HWM_NOTE[$s]}" "${R_LOAD[$s]}"
  done
} | tee "$RESULTS_DIR/table.md"

errors=0
for k in "${!R_ERR[@]}"; do errors=$((errors + 1)); done
(( errors == 0 )) || log "$errors query runs failed (ERROR cells above; details in $RESULTS_DIR/*.queries.txt)"
log "raw outputs in $RESULTS_DIR"
