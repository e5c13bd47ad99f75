#!/usr/bin/env bash
# Side-by-side remote-write ingest benchmark: the same tools/loadgen load against Prometheus,
# VictoriaMetrics and metrics-cluster, one system at a time, on 127.0.0.1 with fresh data dirs.
#
#   bash scripts/bench-ingest.sh
#   SYSTEMS="prometheus victoria-metrics" SERIES=50000 ROUNDS=5 bash scripts/bench-ingest.sh
#
# Environment (defaults in brackets):
#   SYSTEMS              systems to measure, in order ["prometheus victoria-metrics metrics-cluster"]
#   SERIES               active series [100000]
#   ROUNDS               samples per series [10]
#   CONCURRENCY          loadgen writers [4]
#   SAMPLES_PER_REQUEST  samples per remote-write request [2000]
#   INTERVAL             simulated scrape interval [15s]
#   LOADGEN_ARGS         extra loadgen options, e.g. "--retry" []
#   READY_TIMEOUT        seconds to wait for a system to become ready [60]
#   VM_SETTLE            seconds to let VictoriaMetrics flush before counting [3]
#   IDLE_WAIT            seconds to wait for other work on the machine to stop before each system [300]
#   IDLE_BUSY_PCT        the machine counts as quiet below this CPU busy percentage [15]
#   RESULTS_DIR          raw outputs [.bench/ingest-<UTC time>]
#   PROMETHEUS_BIN, VM_BIN, MC_EXTRA_ARGS   binaries and extra flags for ours
#
# The load generator and the system under test share the machine (2 cores here); every figure is
# therefore only meaningful as a ratio against the peers measured in the same run.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SYSTEMS="${SYSTEMS:-prometheus victoria-metrics metrics-cluster}"
SERIES="${SERIES:-100000}"
ROUNDS="${ROUNDS:-10}"
CONCURRENCY="${CONCURRENCY:-4}"
SAMPLES_PER_REQUEST="${SAMPLES_PER_REQUEST:-2000}"
INTERVAL="${INTERVAL:-15s}"
LOADGEN_ARGS="${LOADGEN_ARGS:-}"
READY_TIMEOUT="${READY_TIMEOUT:-60}"
VM_SETTLE="${VM_SETTLE:-3}"
IDLE_WAIT="${IDLE_WAIT:-300}"
IDLE_BUSY_PCT="${IDLE_BUSY_PCT:-15}"
RESULTS_DIR="${RESULTS_DIR:-$REPO/.bench/ingest-$(date -u +%Y%m%dT%H%M%SZ)}"
PROMETHEUS_BIN="${PROMETHEUS_BIN:-/usr/bin/prometheus}"
VM_BIN="${VM_BIN:-/usr/bin/victoria-metrics}"
MC_EXTRA_ARGS="${MC_EXTRA_ARGS:-}"

log() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: ERROR: %s\n' "$*" >&2; exit 1; }

for v in SERIES ROUNDS CONCURRENCY SAMPLES_PER_REQUEST READY_TIMEOUT VM_SETTLE IDLE_WAIT IDLE_BUSY_PCT; do
  [[ "${!v}" =~ ^[0-9]+$ ]] && (( ${!v} > 0 )) || die "$v must be a positive integer, got '${!v}'"
done
for s in $SYSTEMS; do
  case "$s" in
    prometheus|victoria-metrics|metrics-cluster) ;;
    *) die "unknown system '$s' in SYSTEMS (known: prometheus victoria-metrics metrics-cluster)" ;;
  esac
done
for tool in curl dotnet awk; do
  command -v "$tool" >/dev/null || die "'$tool' is required (Debian packages: bash scripts/install-deps.sh)"
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/bench-ingest.XXXXXX")"
BENCH_FIRST_PORT=19100
# shellcheck source=scripts/bench-common.sh
source "$REPO/scripts/bench-common.sh"

# utime + stime of a process in jiffies (fields 14 and 15; parsed after the ")" ending the name).
proc_jiffies() { # pid
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
  awk '{ print $12 + $13 }' <<<"${stat##*) }"
}

# Stores in variable $1 the CPU seconds (user + system) of this shell's finished children, from the
# `times` builtin; it must run in this shell (not in a $(...) subshell, whose children are its own).
children_cpu() { # var-name
  times >"$WORK/times.txt"
  printf -v "$1" '%s' "$(tail -n 1 "$WORK/times.txt" \
    | awk '{ t = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] } printf "%.2f", t }')"
}

# Sums every sample of a metric (any labels) in a Prometheus exposition.
metric_sum() { # url metric-name
  { curl -fsS --max-time 10 "$1" 2>/dev/null || true; } \
    | awk -v m="$2" '($1 == m || index($1, m "{") == 1) { s += $NF; n++ } END { if (n) printf "%.0f\n", s }'
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
    victoria-metrics) [[ -x "$VM_BIN" ]] || die "$VM_BIN not found (bash scripts/install-deps.sh)" ;;
    metrics-cluster)
      log "building src/MetricsCluster (Release)"
      dotnet_retry dotnet publish "$REPO/src/MetricsCluster/MetricsCluster.csproj" -c Release -o "$WORK/mc" --nologo \
        || die "could not build src/MetricsCluster; to measure only the peers: SYSTEMS=\"prometheus victoria-metrics\""
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
  echo "load=series=$SERIES rounds=$ROUNDS concurrency=$CONCURRENCY samples_per_request=$SAMPLES_PER_REQUEST interval=$INTERVAL extra='$LOADGEN_ARGS'"
  # The Debian build of VictoriaMetrics prints an empty -version; the package version is reliable.
  for pkg in prometheus victoria-metrics; do
    if [[ " $SYSTEMS " == *" $pkg "* ]]; then
      echo "$pkg=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || echo unknown)"
    fi
  done
  [[ " $SYSTEMS " == *" prometheus "* ]] && echo "prometheus_version=$("$PROMETHEUS_BIN" --version 2>&1 | head -n 1)"
  true
} >"$RESULTS_DIR/environment.txt"

# ---- One system ------------------------------------------------------------------------------
declare -A R_SPS R_P99 R_RSS R_HWM R_IDLE R_ERR R_STORED R_CPU R_OTHER R_NEW R_APPEND
QUIET_BUSY=n/a

bench_system() { # name
  local name=$1 data="$WORK/$1-data" logfile="$RESULTS_DIR/$1.log"
  local push ready pid
  local -a cmd
  pick_port
  mkdir -p "$data"
  case "$name" in
    prometheus)
      printf 'global:\n  scrape_interval: 15s\n# No scrape jobs: the only input is remote write.\n' >"$WORK/prometheus.yml"
      cmd=("$PROMETHEUS_BIN" --web.enable-remote-write-receiver "--storage.tsdb.path=$data"
           "--config.file=$WORK/prometheus.yml" "--web.listen-address=127.0.0.1:$PORT")
      push="/api/v1/write"; ready="/-/ready" ;;
    victoria-metrics)
      cmd=("$VM_BIN" "-storageDataPath=$data" "-httpListenAddr=127.0.0.1:$PORT")
      push="/api/v1/write"; ready="/health" ;;
    metrics-cluster)
      # shellcheck disable=SC2206 # MC_EXTRA_ARGS is a word list on purpose.
      cmd=("$WORK/mc/metrics-cluster" "--data.dir=$data" "--server.http-listen-address=127.0.0.1"
           "--server.http-listen-port=$PORT" --auth.multitenancy-enabled=false
           --distributor.ingestion-rate-limit=100000000 --distributor.ingestion-burst-size=100000000
           --ingester.max-global-series-per-user=0 $MC_EXTRA_ARGS)
      push="/api/v1/push"; ready="/ready" ;;
  esac

  wait_quiet "$name"
  log "[$name] starting on 127.0.0.1:$PORT: ${cmd[*]}"
  "${cmd[@]}" >"$logfile" 2>&1 &
  pid=$!
  STARTED_PIDS+=("$pid")
  wait_ready "$name" "$pid" "http://127.0.0.1:$PORT$ready" "$logfile"
  R_IDLE[$name]=$(status_kib "$pid" VmRSS)
  log "[$name] ready (pid $pid, idle RSS $(( ${R_IDLE[$name]:-0} / 1024 )) MiB); sending load"

  local out="$RESULTS_DIR/$name.loadgen.txt" lg_rc=0 busy0 total0 busy1 total1 sut0 sut1
  local lg_cpu0 lg_cpu1
  children_cpu lg_cpu0
  read -r busy0 total0 < <(cpu_jiffies)
  sut0=$(proc_jiffies "$pid")
  # shellcheck disable=SC2086 # LOADGEN_ARGS is a word list on purpose.
  "${LOADGEN[@]}" --url "http://127.0.0.1:$PORT$push" --series "$SERIES" --rounds "$ROUNDS" \
    --concurrency "$CONCURRENCY" --samples-per-request "$SAMPLES_PER_REQUEST" --interval "$INTERVAL" \
    $LOADGEN_ARGS >"$out" 2>&1 || lg_rc=$?

  if ! kill -0 "$pid" 2>/dev/null; then
    tail -n 30 "$logfile" >&2 || true
    die "[$name] exited during the load (log: $logfile)"
  fi
  read -r busy1 total1 < <(cpu_jiffies)
  sut1=$(proc_jiffies "$pid")
  children_cpu lg_cpu1
  R_RSS[$name]=$(status_kib "$pid" VmRSS)
  R_HWM[$name]=$(status_kib "$pid" VmHWM)
  sed -n '/^loadgen: done/,$p' "$out" >&2
  if (( lg_rc == 2 )); then cat "$out" >&2; die "loadgen rejected its options"; fi

  local result
  result=$(grep '^RESULT ' "$out" | tail -n 1 || true)
  [[ -n "$result" ]] || { cat "$out" >&2; die "[$name] loadgen printed no RESULT line (exit $lg_rc)"; }
  R_SPS[$name]=$(sed -E 's/.*samples_per_sec=([0-9.]+).*/\1/' <<<"$result")
  R_P99[$name]=$(sed -E 's/.*p99_ms=([0-9.]+).*/\1/' <<<"$result")
  R_ERR[$name]=$(sed -E 's/.*errors=([0-9]+).*/\1/' <<<"$result")
  local phases
  phases=$(grep '^PHASES ' "$out" | tail -n 1 || true)
  R_NEW[$name]=$(sed -nE 's/.*first_round_samples_per_sec=([0-9.]+).*/\1/p' <<<"$phases")
  R_APPEND[$name]=$(sed -nE 's/.*later_rounds_samples_per_sec=([0-9.]+).*/\1/p' <<<"$phases")
  # CPU during the load: the server's own, the loadgen's (it reports it), and whatever is left
  # of the machine's busy time, which is other work disturbing the measurement.
  local hz lg_cpu
  hz=$(getconf CLK_TCK)
  lg_cpu=$(awk -v a="$lg_cpu0" -v b="$lg_cpu1" 'BEGIN { printf "%.2f", b - a }')
  R_CPU[$name]=$(awk -v j=$((sut1 - sut0)) -v hz="$hz" 'BEGIN { printf "%.2f", j / hz }')
  R_OTHER[$name]=$(awk -v b=$((busy1 - busy0)) -v s=$((sut1 - sut0)) -v hz="$hz" -v lg="${lg_cpu:-0}" \
    'BEGIN { o = (b - s) / hz - lg; printf "%.2f", (o < 0 ? 0 : o) }')

  # What the server says it stored.
  local base="http://127.0.0.1:$PORT" series_count samples
  case "$name" in
    prometheus)
      samples=$(metric_sum "$base/metrics" prometheus_tsdb_head_samples_appended_total)
      series_count=$(metric_sum "$base/metrics" prometheus_tsdb_head_series) ;;
    victoria-metrics)
      # VictoriaMetrics buffers rows in memory and flushes asynchronously: give it a moment.
      sleep "$VM_SETTLE"
      samples=$(metric_sum "$base/metrics" vm_rows_inserted_total)
      series_count=$({ curl -fsS --max-time 30 "$base/api/v1/series/count" 2>/dev/null || true; } \
        | sed -nE 's/.*"data":\[([0-9]+)\].*/\1/p') ;;
    metrics-cluster)
      samples=$(metric_sum "$base/metrics" metricscluster_ingester_ingested_samples_total)
      series_count=$(metric_sum "$base/metrics" metricscluster_ingester_active_series) ;;
  esac
  R_STORED[$name]="${samples:-n/a} samples / ${series_count:-n/a} series"
  {
    echo "system=$name"
    echo "pid=$pid"
    echo "loadgen_exit=$lg_rc"
    echo "$phases"
    echo "$result"
    echo "machine_busy_pct_before=$QUIET_BUSY"
    echo "server_cpu_seconds=${R_CPU[$name]}"
    echo "loadgen_cpu_seconds=${lg_cpu:-n/a}"
    echo "other_cpu_seconds_during_load=${R_OTHER[$name]}"
    echo "cpu_seconds_machine_busy_during_load=$(awk -v b=$((busy1 - busy0)) -v hz="$hz" 'BEGIN { printf "%.2f", b / hz }')"
    echo "idle_rss_kib=${R_IDLE[$name]}"
    echo "rss_after_load_kib=${R_RSS[$name]}"
    echo "vm_hwm_kib=${R_HWM[$name]}"
    echo "server_samples=${samples:-n/a}"
    echo "server_series=${series_count:-n/a}"
  } >"$RESULTS_DIR/$name.summary"
  log "[$name] server reports ${R_STORED[$name]}; stopping"
  stop_pid "$pid"
  rm -rf "$data"
}

for s in $SYSTEMS; do
  bench_system "$s"
  sleep 2 # Let the page cache and CPU settle between systems.
done

# ---- Table -----------------------------------------------------------------------------------
VM_SPS="${R_SPS[victoria-metrics]:-}"
{
  echo "Load: $SERIES series × $ROUNDS rounds = $((SERIES * ROUNDS)) samples, $SAMPLES_PER_REQUEST samples/request," \
       "$CONCURRENCY writers, loadgen and system on the same $(nproc)-core machine; $(date -u +%Y-%m-%d)."
  echo
  echo "| system | samples/s | ratio vs VictoriaMetrics | round 1 (new series) samples/s | later rounds (appends) samples/s | p99 latency ms | RSS MiB after load | peak RSS MiB | bytes per active series | errors | server CPU s | other CPU s | server's count |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  for s in $SYSTEMS; do
    awk -v s="$s" -v sps="${R_SPS[$s]}" -v vm="$VM_SPS" -v p99="${R_P99[$s]}" -v rss="${R_RSS[$s]:-0}" \
        -v hwm="${R_HWM[$s]:-0}" -v series="$SERIES" -v err="${R_ERR[$s]}" -v stored="${R_STORED[$s]}" \
        -v cpu="${R_CPU[$s]}" -v other="${R_OTHER[$s]}" -v new="${R_NEW[$s]:-n/a}" -v app="${R_APPEND[$s]:-n/a}" 'BEGIN {
      ratio = (vm != "" && vm > 0) ? sprintf("%.2f", sps / vm) : "n/a"
      printf "| %s | %.0f | %s | %s | %s | %.1f | %.0f | %.0f | %.0f | %s | %s | %s | %s |\n",
        s, sps, ratio, new, app, p99, rss / 1024, hwm / 1024, rss * 1024 / series, err, cpu, other, stored
    }'
  done
  echo
  echo "RSS is VmRSS right after the load (peak: VmHWM); bytes per active series = RSS after load / $SERIES," \
       "including each process's baseline (idle RSS, in the .summary files). Server CPU s: the system's user+system CPU" \
       "during the load; other CPU s: machine busy time not from the system or the loadgen (should be ~0)." \
       "Round 1 creates every series; the later rounds only append (split where the slowest writer finished round 1)."
} | tee "$RESULTS_DIR/table.md"
log "raw outputs in $RESULTS_DIR"
