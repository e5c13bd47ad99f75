#!/usr/bin/env bash
# Query-frontend benchmark: one long range query, unsharded vs split + sharded vs repeated from the results cache.
# One metrics-cluster (--target=all) on 127.0.0.1 with a fresh data dir is loaded by tools/loadgen with SERIES
# series × DAYS days of history every INTERVAL (backfilled, ingesters queried for the whole range), then QUERY is
# asked as a range query over the last DAYS days at STEP, REPS times, the three modes interleaved:
#
#   unsharded  stats=all: the frontend sends such queries to the engine unsplit, unsharded and uncached (today's
#              behaviour for stats requests), so it is the plain engine over the same process and data;
#   sharded    split by --query-frontend.split-queries-by-interval (24h) and each split sharded into SHARDS
#              (lowered to fit --query-frontend.query-sharding-max-sharded-queries), results cache missed;
#   cached     the same request again: answered from the results cache, except the last minute (freshness).
#
# Each rep uses a new no-op matcher (job!="rep-N", true of every series) so the sharded run misses the cache and
# the three modes of one rep evaluate the same text. Answers are compared: the sharded and cached ones must have
# the unsharded one's series and timestamps, values equal or within 1e-9 relative (the sharded sum adds partial
# sums: another float summation order); the count of bit-exact values is reported.
#
#   bash scripts/bench-query-frontend.sh
#   SERIES=20000 DAYS=7 REPS=3 bash scripts/bench-query-frontend.sh
#
# Environment (defaults in brackets):
#   SERIES        series loaded [100000]
#   METRIC_NAMES  loadgen metric names; QUERY selects SERIES / METRIC_NAMES of them [10]
#   DAYS          days of history, and the query's range [7]
#   INTERVAL      spacing of the samples [5m]: 7 days of 100k series at 5m are 202M samples, which this 2-core
#                 machine loads in ~7 min (one writer, ~520k samples/s measured); at 15s it would be 4 billion
#                 samples and hours. QUERY's rate window must hold 2+ samples (15m at 5m).
#   QUERY         ['sum by (job) (rate(http_server_requests_total[15m]))']; its first '[' must follow a bare
#                 metric name (the per-rep no-op matcher is put there)
#   STEP          range query step [1m]
#   SHARDS        --query-frontend.query-sharding-total-shards [16]
#   REPS          interleaved rounds after one warm-up of each mode [5]
#   CONCURRENCY, SAMPLES_PER_REQUEST   loadgen writers [1] and samples per request [2000]; one writer, because
#                 parallel writers drift apart by rounds, and a backfill at 5m drifts past the head's 1h
#                 out-of-order bound within 12 rounds (err-mc-sample-timestamp-too-old)
#   QUERY_TIMEOUT seconds before a query counts as failed (also --querier.timeout) [600]
#   TENANT, READY_TIMEOUT, SETTLE, RESULTS_DIR, MC_EXTRA_ARGS   as in scripts/bench-query.sh
#
# Client, server and loadgen share the machine (2 cores here, often shared with other builds): compare the
# ratios, not the absolute figures.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERIES="${SERIES:-100000}"
METRIC_NAMES="${METRIC_NAMES:-10}"
DAYS="${DAYS:-7}"
INTERVAL="${INTERVAL:-5m}"
QUERY="${QUERY:-sum by (job) (rate(http_server_requests_total[15m]))}"
STEP="${STEP:-1m}"
SHARDS="${SHARDS:-16}"
REPS="${REPS:-5}"
CONCURRENCY="${CONCURRENCY:-1}"
SAMPLES_PER_REQUEST="${SAMPLES_PER_REQUEST:-2000}"
QUERY_TIMEOUT="${QUERY_TIMEOUT:-600}"
TENANT="${TENANT:-bench}"
READY_TIMEOUT="${READY_TIMEOUT:-60}"
SETTLE="${SETTLE:-5}"
RESULTS_DIR="${RESULTS_DIR:-$REPO/.bench/query-frontend-$(date -u +%Y%m%dT%H%M%SZ)}"
MC_EXTRA_ARGS="${MC_EXTRA_ARGS:-}"

log() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: ERROR: %s\n' "$*" >&2; exit 1; }

for v in SERIES METRIC_NAMES DAYS SHARDS REPS CONCURRENCY SAMPLES_PER_REQUEST QUERY_TIMEOUT READY_TIMEOUT; do
  [[ "${!v}" =~ ^[0-9]+$ ]] && (( ${!v} > 0 )) || die "$v must be a positive integer, got '${!v}'"
done
for tool in curl dotnet awk sort python3; do
  command -v "$tool" >/dev/null || die "'$tool' is required (Debian packages: bash scripts/install-deps.sh)"
done
# Seconds of a Prometheus duration (15s, 5m, 1h); bash-only so the script needs nothing else.
seconds() { awk -v d="$1" 'BEGIN { n = d + 0; u = substr(d, length(n "") + 1); m = (u == "s" ? 1 : u == "m" ? 60 : u == "h" ? 3600 : u == "d" ? 86400 : -1); if (n <= 0 || m < 0) exit 1; print n * m }'; }
STEP_S=$(seconds "$STEP") || die "STEP must be a duration like 1m, got '$STEP'"
INTERVAL_S=$(seconds "$INTERVAL") || die "INTERVAL must be a duration like 5m, got '$INTERVAL'"
ROUNDS=$(( DAYS * 86400 / INTERVAL_S ))

WORK="$(mktemp -d "${TMPDIR:-/tmp}/bench-qf.XXXXXX")"
BENCH_FIRST_PORT="${BENCH_FIRST_PORT:-19300}"
# shellcheck source=scripts/bench-common.sh
source "$REPO/scripts/bench-common.sh"

log "building tools/loadgen and src/MetricsCluster (Release)"
dotnet_retry dotnet publish "$REPO/tools/loadgen/loadgen.csproj" -c Release -o "$WORK/loadgen" --nologo || die "could not build tools/loadgen"
dotnet_retry dotnet publish "$REPO/src/MetricsCluster/MetricsCluster.csproj" -c Release -o "$WORK/mc" --nologo || die "could not build src/MetricsCluster"
LOADGEN=("$WORK/loadgen/loadgen")
[[ -x "${LOADGEN[0]}" ]] || LOADGEN=(dotnet "$WORK/loadgen/loadgen.dll")

{
  echo "date_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpus=$(nproc)"
  echo "cpu_model=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "dotnet=$(dotnet --version)"
  echo "repo_commit=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "load=series=$SERIES metric_names=$METRIC_NAMES days=$DAYS interval=$INTERVAL rounds=$ROUNDS"
  echo "query=$QUERY step=$STEP shards=$SHARDS reps=$REPS"
} >"$RESULTS_DIR/environment.txt"

pick_port
DATA="$WORK/data"
mkdir -p "$DATA"
# shellcheck disable=SC2206 # MC_EXTRA_ARGS is a word list on purpose.
CMD=("$WORK/mc/metrics-cluster" "--data.dir=$DATA" "--server.http-listen-address=127.0.0.1" "--server.http-listen-port=$PORT"
     --distributor.ingestion-rate-limit=1000000000 --distributor.ingestion-burst-size=1000000000
     --ingester.max-global-series-per-user=0 --querier.query-ingesters-within=0 "--querier.timeout=${QUERY_TIMEOUT}s"
     --querier.max-samples=1000000000
     --query-frontend.cache-results=true --query-frontend.parallelize-shardable-queries=true
     "--query-frontend.query-sharding-total-shards=$SHARDS" $MC_EXTRA_ARGS)
log "starting on 127.0.0.1:$PORT: ${CMD[*]}"
"${CMD[@]}" >"$RESULTS_DIR/metrics-cluster.log" 2>&1 &
PID=$!
STARTED_PIDS+=("$PID")
wait_ready metrics-cluster "$PID" "http://127.0.0.1:$PORT/ready" "$RESULTS_DIR/metrics-cluster.log"

T_END=$(( $(date +%s) / 60 * 60 ))
log "loading $SERIES series × $ROUNDS samples (every $INTERVAL over $DAYS days)"
load_start=$SECONDS
"${LOADGEN[@]}" --url "http://127.0.0.1:$PORT/api/v1/push" --tenant "$TENANT" --series "$SERIES" --rounds "$ROUNDS" \
  --interval "$INTERVAL" --max-history "$(( DAYS * 24 + 1 ))h" --metric-names "$METRIC_NAMES" \
  --concurrency "$CONCURRENCY" --samples-per-request "$SAMPLES_PER_REQUEST" >"$RESULTS_DIR/loadgen.txt" 2>&1 \
  || { tail -n 20 "$RESULTS_DIR/loadgen.txt" >&2; die "loadgen failed"; }
LOAD_S=$(( SECONDS - load_start ))
log "loaded in ${LOAD_S}s: $(grep '^RESULT ' "$RESULTS_DIR/loadgen.txt" | tail -n 1)"
sleep "$SETTLE"

START=$(( T_END - DAYS * 86400 ))
run() { # mode rep -> prints milliseconds; the answer goes to $WORK/<mode>-<rep>.json
  local mode=$1 rep=$2 q out w code secs
  q="${QUERY/\[/\{job!=\"rep-$rep\"\}[}"
  out="$WORK/$mode-$rep.json"
  local -a params=(--data-urlencode "query=$q" --data-urlencode "start=$START" --data-urlencode "end=$T_END" --data-urlencode "step=$STEP_S")
  [[ "$mode" == unsharded ]] && params+=(--data-urlencode "stats=all")
  w=$(curl -sS -G -H "X-Scope-OrgID: $TENANT" "${params[@]}" -o "$out" -w '%{http_code} %{time_total}' --max-time "$QUERY_TIMEOUT" \
    "http://127.0.0.1:$PORT/prometheus/api/v1/query_range") || die "$mode rep $rep: curl failed"
  read -r code secs <<<"$w"
  [[ "$code" == 200 ]] && grep -q '"status":"success"' "$out" || die "$mode rep $rep: HTTP $code $(head -c 300 "$out")"
  awk -v s="$secs" 'BEGIN { printf "%.1f\n", s * 1000 }'
}

# Same series and timestamps; values equal or within 1e-9 relative. Prints "bit-exact/total".
compare() { # want.json got.json
  python3 - "$1" "$2" <<'PY'
import json, math, sys
def load(p):
    r = json.load(open(p))["data"]["result"]
    return {json.dumps(s["metric"], sort_keys=True): s["values"] for s in r}
want, got = load(sys.argv[1]), load(sys.argv[2])
if want.keys() != got.keys():
    sys.exit(f"series differ: {sorted(want.keys() ^ got.keys())[:3]}")
exact = total = 0
for k, w in want.items():
    g = got[k]
    if [t for t, _ in w] != [t for t, _ in g]:
        sys.exit(f"timestamps differ for {k}")
    for (_, a), (_, b) in zip(w, g):
        total += 1
        if a == b:
            exact += 1
            continue
        x, y = float(a), float(b)
        if not (math.isnan(x) and math.isnan(y)) and abs(x - y) > 1e-9 * max(abs(x), abs(y)):
            sys.exit(f"{k}: {a} vs {b}")
print(f"{exact}/{total}")
PY
}

log "warm-up: one run of each mode"
for mode in unsharded sharded cached; do run "$mode" 0 >/dev/null; done
declare -A TIMES
EXACT=
for rep in $(seq 1 "$REPS"); do
  for mode in unsharded sharded cached; do
    ms=$(run "$mode" "$rep")
    TIMES[$mode]+="$ms "
    log "rep $rep $mode: $ms ms"
  done
  EXACT=$(compare "$WORK/unsharded-$rep.json" "$WORK/sharded-$rep.json") || die "rep $rep: the sharded answer differs from the unsharded one"
  c=$(compare "$WORK/sharded-$rep.json" "$WORK/cached-$rep.json") || die "rep $rep: the cached answer differs from the sharded one"
  [[ "${c%/*}" == "${c#*/}" ]] || die "rep $rep: the cached answer is not the sharded one bit for bit ($c)"
done
METRICS=$(curl -sS "http://127.0.0.1:$PORT/metrics" | grep -E '^metricscluster_query_frontend_(sharded_queries_total|query_sharding_rewrites_(attempted|succeeded)_total|split_queries_total|results_cache_(hits|requests)_total) ' || true)
RESULT_SERIES=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["data"]["result"]; print(len(r), sum(len(s["values"]) for s in r))' "$WORK/unsharded-1.json")

med() { tr ' ' '\n' <<<"$1" | grep . | median; }
U=$(med "${TIMES[unsharded]}"); S=$(med "${TIMES[sharded]}"); C=$(med "${TIMES[cached]}")
{
  echo "Query-frontend: \`$QUERY\` over $DAYS days at step $STEP; $SERIES series ($(( SERIES / METRIC_NAMES )) selected) every $INTERVAL" \
       "(loaded in ${LOAD_S}s); $SHARDS shards, 24h splits; median of $REPS interleaved runs after a warm-up;" \
       "client and server on the same $(nproc)-core machine; $(date -u +%Y-%m-%d)."
  echo
  echo "| mode | runs ms | median ms | ratio vs unsharded |"
  echo "|---|---|---:|---:|"
  for mode in unsharded sharded cached; do
    m=$(med "${TIMES[$mode]}")
    printf '| %s | %s | %s | %s |\n' "$mode" "${TIMES[$mode]% }" "$m" "$(awk -v a="$m" -v b="$U" 'BEGIN { printf "%.2f", a / b }')"
  done
  echo
  echo "Answer: $RESULT_SERIES (series, points); sharded vs unsharded: $EXACT values bit-exact, the rest within 1e-9 relative; cached = sharded bit for bit."
  echo "Speed-up: sharded $(awk -v u="$U" -v s="$S" 'BEGIN { printf "%.2f", u / s }')x, cached $(awk -v u="$U" -v c="$C" 'BEGIN { printf "%.1f", u / c }')x."
  echo
  echo '```'
  echo "$METRICS"
  echo '```'
} | tee "$RESULTS_DIR/table.md"
log "raw outputs in $RESULTS_DIR"
