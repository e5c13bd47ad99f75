#!/usr/bin/env bash
# Start-up benchmark: how the way the binary is compiled trades start-up (time to /ready, first queries after a
# start) against steady-state ingest. Each VARIANT is one published binary and one runtime setting:
#   jit         plain IL, tiered compilation off (the project's setting: every method fully optimised on first call)
#   tiered      plain IL, tiered compilation on (DOTNET_TieredCompilation=1: tier-0 first, hot methods re-jitted)
#   r2r         ReadyToRun, tiered compilation off (precompiled code is never re-jitted)
#   r2r-tiered  ReadyToRun, tiered compilation on (precompiled code first, hot methods re-jitted with PGO)
# For every variant, RUNS times, interleaved with the other variants:
#   1. ingest: a fresh `--target=all` on an empty data dir, tools/loadgen SERIES × ROUNDS with CONCURRENCY writers:
#      samples/s (loadgen's RESULT line);
#   2. start-up: for each query of the list, a restart on that data (a WAL replay) timed from exec to /ready, then
#      the query once ("first", the first request the process serves) and REPS more times ("warm", median).
# The table gives per variant the medians over RUNS and the first/warm ratio per query: the issue's goal is the
# first query within 2x of the same query warm.
#
#   bash scripts/bench-startup.sh
#   VARIANTS="jit r2r-tiered" RUNS=3 bash scripts/bench-startup.sh
#
# Environment (defaults in brackets): VARIANTS ["jit tiered r2r r2r-tiered"], RUNS [2], SERIES [100000], ROUNDS [40],
# INTERVAL [15s], CONCURRENCY [4], SAMPLES_PER_REQUEST [2000], REPS [5], TENANT [bench], READY_TIMEOUT [120],
# IDLE_WAIT [300], IDLE_BUSY_PCT [15], RESULTS_DIR [.bench/startup-<UTC time>], MC_EXTRA_ARGS.
# Everything shares the machine's cores: compare variants measured in the same run, not absolute figures.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VARIANTS="${VARIANTS:-jit tiered r2r r2r-tiered}"
RUNS="${RUNS:-2}"
SERIES="${SERIES:-100000}"
ROUNDS="${ROUNDS:-40}"
INTERVAL="${INTERVAL:-15s}"
CONCURRENCY="${CONCURRENCY:-4}"
SAMPLES_PER_REQUEST="${SAMPLES_PER_REQUEST:-2000}"
REPS="${REPS:-5}"
TENANT="${TENANT:-bench}"
READY_TIMEOUT="${READY_TIMEOUT:-120}"
IDLE_WAIT="${IDLE_WAIT:-300}"
IDLE_BUSY_PCT="${IDLE_BUSY_PCT:-15}"
RESULTS_DIR="${RESULTS_DIR:-$REPO/.bench/startup-$(date -u +%Y%m%dT%H%M%SZ)}"
MC_EXTRA_ARGS="${MC_EXTRA_ARGS:-}"

# Instant queries at the end of the data; each is the first request of its own restart.
QUERIES=(
  'http_server_requests_total{job="api-gateway",cluster="prod-eu-west-1"}'
  'sum by (job) (rate(http_server_requests_total[5m]))'
  'topk(10, rate(http_server_requests_total[5m]))'
  'count by (cluster) ({job="api-gateway"})'
)

log() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: ERROR: %s\n' "$*" >&2; exit 1; }

for v in RUNS SERIES ROUNDS CONCURRENCY SAMPLES_PER_REQUEST REPS READY_TIMEOUT IDLE_WAIT IDLE_BUSY_PCT; do
  [[ "${!v}" =~ ^[0-9]+$ ]] && (( ${!v} > 0 )) || die "$v must be a positive integer, got '${!v}'"
done
for v in $VARIANTS; do
  case "$v" in jit|tiered|r2r|r2r-tiered) ;; *) die "unknown variant '$v' (known: jit tiered r2r r2r-tiered)" ;; esac
done
for tool in curl dotnet awk sort date; do
  command -v "$tool" >/dev/null || die "'$tool' is required"
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/bench-startup.XXXXXX")"
BENCH_FIRST_PORT=19300
# shellcheck source=scripts/bench-common.sh
source "$REPO/scripts/bench-common.sh"

# ---- Builds ----------------------------------------------------------------------------------------------------
log "building tools/loadgen (Release)"
dotnet_retry dotnet publish "$REPO/tools/loadgen/loadgen.csproj" -c Release -o "$WORK/loadgen" --nologo \
  || die "could not build tools/loadgen"
LOADGEN=("$WORK/loadgen/loadgen")
[[ -x "${LOADGEN[0]}" ]] || LOADGEN=(dotnet "$WORK/loadgen/loadgen.dll")
KINDS=""
for v in $VARIANTS; do
  case "$v" in jit|tiered) k=il ;; *) k=r2r ;; esac
  [[ " $KINDS " == *" $k "* ]] || KINDS+=" $k "
done
for kind in $KINDS; do
  log "publishing the binary ($kind) with scripts/publish.sh"
  r2r=false; [[ $kind == r2r ]] && r2r=true
  PUBLISH_READY_TO_RUN=$r2r dotnet_retry bash "$REPO/scripts/publish.sh" "$WORK/mc-$kind" || die "publish ($kind) failed"
done

{
  echo "date_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpus=$(nproc)"
  echo "dotnet=$(dotnet --version)"
  echo "repo_commit=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "variants='$VARIANTS' runs=$RUNS series=$SERIES rounds=$ROUNDS interval=$INTERVAL concurrency=$CONCURRENCY reps=$REPS"
} >"$RESULTS_DIR/environment.txt"

now_ms() { date +%s%3N; }

# Starts variant $1 on data dir $2; sets PID, PORT and READY_MS (exec to /ready).
start_variant() { # variant data-dir logfile
  local variant=$1 data=$2 logfile=$3 bin tc t0
  case "$variant" in
    jit) bin="$WORK/mc-il"; tc=0 ;;
    tiered) bin="$WORK/mc-il"; tc=1 ;;
    r2r) bin="$WORK/mc-r2r"; tc=0 ;;
    r2r-tiered) bin="$WORK/mc-r2r"; tc=1 ;;
  esac
  pick_port
  t0=$(now_ms)
  # DOTNET_TieredCompilation overrides the runtimeconfig.json setting the project publishes (false).
  # shellcheck disable=SC2086 # MC_EXTRA_ARGS is a word list on purpose.
  DOTNET_TieredCompilation=$tc "$bin/metrics-cluster" "--data.dir=$data" --server.http-listen-address=127.0.0.1 \
    "--server.http-listen-port=$PORT" --distributor.ingestion-rate-limit=100000000 \
    --distributor.ingestion-burst-size=100000000 --ingester.max-global-series-per-user=0 $MC_EXTRA_ARGS \
    >>"$logfile" 2>&1 &
  PID=$!
  STARTED_PIDS+=("$PID")
  wait_ready "$variant" "$PID" "http://127.0.0.1:$PORT/ready" "$logfile"
  READY_MS=$(( $(now_ms) - t0 ))
}

# One instant query; sets Q_MS or dies on failure (a start-up figure of a failing query means nothing).
query_once() { # query time
  local out="$WORK/answer.json" w code secs
  w=$(curl -sS -G -H "X-Scope-OrgID: $TENANT" --data-urlencode "query=$1" --data-urlencode "time=$2" \
        -o "$out" -w '%{http_code} %{time_total}' --max-time 120 "http://127.0.0.1:$PORT/prometheus/api/v1/query") \
    || die "query '$1' failed (curl)"
  read -r code secs <<<"$w"
  [[ "$code" == 200 ]] && grep -q '"status":"success"' "$out" || die "query '$1': HTTP $code $(head -c 200 "$out")"
  grep -q '"metric"' "$out" || die "query '$1' returned no series: the data is not there after the restart"
  Q_MS=$(awk -v s="$secs" 'BEGIN { printf "%.2f", s * 1000 }')
}

# ---- Measurements ----------------------------------------------------------------------------------------------
RAW="$RESULTS_DIR/raw.tsv"
printf 'run\tvariant\tmetric\tquery\tvalue\n' >"$RAW"
for run in $(seq 1 "$RUNS"); do
  for variant in $VARIANTS; do
    data="$WORK/data-$variant-$run" logfile="$RESULTS_DIR/$variant-$run.log"
    mkdir -p "$data"
    wait_quiet "$variant"
    start_variant "$variant" "$data" "$logfile"
    printf '%s\t%s\tready_empty_ms\t-\t%s\n' "$run" "$variant" "$READY_MS" >>"$RAW"
    t_end=$(( $(date +%s) / 60 * 60 ))
    log "[$variant run $run] ready in ${READY_MS} ms; loading $SERIES series × $ROUNDS"
    lg_out="$RESULTS_DIR/$variant-$run.loadgen.txt"
    "${LOADGEN[@]}" --url "http://127.0.0.1:$PORT/api/v1/push" --tenant "$TENANT" --series "$SERIES" \
      --rounds "$ROUNDS" --concurrency "$CONCURRENCY" --samples-per-request "$SAMPLES_PER_REQUEST" \
      --interval "$INTERVAL" >"$lg_out" 2>&1 || die "[$variant] loadgen failed (see $lg_out)"
    sps=$(grep '^RESULT ' "$lg_out" | tail -n 1 | sed -n 's/.*samples_per_sec=\([0-9]*\).*/\1/p')
    printf '%s\t%s\tingest_samples_per_s\t-\t%s\n' "$run" "$variant" "$sps" >>"$RAW"
    log "[$variant run $run] ingest ${sps} samples/s"
    stop_pid "$PID"
    for i in "${!QUERIES[@]}"; do
      wait_quiet "$variant"
      start_variant "$variant" "$data" "$logfile"
      query_once "${QUERIES[$i]}" "$t_end"
      first=$Q_MS
      : >"$WORK/warm.txt"
      for _ in $(seq 1 "$REPS"); do query_once "${QUERIES[$i]}" "$t_end"; echo "$Q_MS" >>"$WORK/warm.txt"; done
      warm=$(median <"$WORK/warm.txt")
      printf '%s\t%s\tready_replay_ms\t%d\t%s\n' "$run" "$variant" "$i" "$READY_MS" >>"$RAW"
      printf '%s\t%s\tfirst_ms\t%d\t%s\n%s\t%s\twarm_ms\t%d\t%s\n' "$run" "$variant" "$i" "$first" "$run" "$variant" "$i" "$warm" >>"$RAW"
      log "[$variant run $run] #$((i + 1)) ready ${READY_MS} ms, first ${first} ms, warm ${warm} ms"
      stop_pid "$PID"
    done
    rm -rf "$data"
  done
done

# ---- Table -----------------------------------------------------------------------------------------------------
med() { # variant metric [query]
  awk -F'\t' -v v="$1" -v m="$2" -v q="${3:--}" '$2 == v && $3 == m && ($4 == q || q == "*") { print $5 }' "$RAW" | median
}
{
  echo "Start-up: $SERIES series × $ROUNDS samples (every $INTERVAL), $CONCURRENCY writers; medians of $RUNS runs;" \
       "first = the first request after a restart, warm = median of $REPS repeats; $(nproc) cores; $(date -u +%Y-%m-%d)."
  echo
  echo "| variant | ingest samples/s | /ready, empty (ms) | /ready after replay (ms) |$(for i in "${!QUERIES[@]}"; do printf ' #%d first / warm (ms) |' $((i + 1)); done)"
  echo "|---|---:|---:|---:|$(for _ in "${QUERIES[@]}"; do printf -- '---:|'; done)"
  for variant in $VARIANTS; do
    row="| $variant | $(med "$variant" ingest_samples_per_s) | $(med "$variant" ready_empty_ms) | $(med "$variant" ready_replay_ms '*') |"
    for i in "${!QUERIES[@]}"; do
      f=$(med "$variant" first_ms "$i"); w=$(med "$variant" warm_ms "$i")
      row+=" $f / $w ($(awk -v f="$f" -v w="$w" 'BEGIN { printf "%.1fx", (w > 0 ? f / w : 0) }')) |"
    done
    echo "$row"
  done
  echo
  for i in "${!QUERIES[@]}"; do echo "#$((i + 1)): \`${QUERIES[$i]}\`"; done
} | tee "$RESULTS_DIR/table.md"
log "raw outputs in $RESULTS_DIR"
