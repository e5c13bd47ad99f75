#!/usr/bin/env bash
# Query phase of scripts/bench-compaction.sh alone, for iterating on query latency: an existing bucket (one tenant's
# blocks) served by `--target=all` against Prometheus 2.42 on an existing data dir of the same data, 24h range
# queries over the first block's day, ours and Prometheus interleaved (alternating who goes first), one warm-up then
# the median of REPS runs each as curl measures it, every answer of ours compared with Prometheus' (exactly, or to
# 1e-9 relative for sums of rates, from 5 minutes in: see COMPARE_SKIP in bench-compaction.sh).
#
#   KEEP_WORK=1 SERIES=20000 bash scripts/bench-compaction.sh     # once: prints the kept work dir, W
#   BUCKET=$W/query-bucket PROM_DATA=$W/prom-data bash scripts/bench-selective.sh
#   MC_DIR=/tmp/mc-main BUCKET=... PROM_DATA=... bash scripts/bench-selective.sh   # another build of ours
#   BASE_MC_DIR=/tmp/mc-main BUCKET=... PROM_DATA=... bash scripts/bench-selective.sh   # before/after, interleaved
#
# Environment (defaults in brackets): BUCKET (required; holds <TENANT>/<block>/), PROM_DATA (required; a Prometheus
# data dir; Prometheus runs on a copy, so the dir is never changed), MC_DIR [build src/MetricsCluster Release into the
# work dir], BASE_MC_DIR [none: when set, a second build of ours (e.g. main's) runs too, interleaved with the other
# two, and the table gets its column], REPS [9], QUERY_STEP [60], TENANT [bench], READY_TIMEOUT [120], QUERY_TIMEOUT [300], QUERIES (one
# query a line; default: the three of bench-compaction.sh), RESULTS_DIR [.bench/selective-<UTC time>],
# PROMETHEUS_BIN, MC_EXTRA_ARGS. Compare the ratios, not the absolute figures: the machine is shared.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUCKET="${BUCKET:?BUCKET must name a bucket dir (bench-compaction.sh with KEEP_WORK=1 keeps one as <work>/query-bucket)}"
PROM_DATA="${PROM_DATA:?PROM_DATA must name a Prometheus data dir (<work>/prom-data)}"
MC_DIR="${MC_DIR:-}"
BASE_MC_DIR="${BASE_MC_DIR:-}"
REPS="${REPS:-9}"
QUERY_STEP="${QUERY_STEP:-60}"
TENANT="${TENANT:-bench}"
READY_TIMEOUT="${READY_TIMEOUT:-120}"
QUERY_TIMEOUT="${QUERY_TIMEOUT:-300}"
RESULTS_DIR="${RESULTS_DIR:-$REPO/.bench/selective-$(date -u +%Y%m%dT%H%M%SZ)}"
PROMETHEUS_BIN="${PROMETHEUS_BIN:-/usr/bin/prometheus}"
MC_EXTRA_ARGS="${MC_EXTRA_ARGS:-}"
if [[ -n "${QUERIES:-}" ]]; then mapfile -t QUERY_LIST <<<"$QUERIES"; else
  QUERY_LIST=('bench_metric{s="42"}' 'sum(rate(bench_metric{kind="counter"}[5m]))' 'count_over_time(bench_metric{g="3"}[1h])')
fi

log() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: ERROR: %s\n' "$*" >&2; exit 1; }
[[ "$REPS" =~ ^[0-9]+$ ]] && (( REPS > 0 )) || die "REPS must be a positive integer, got '$REPS'"
[[ -d "$BUCKET/$TENANT" ]] || die "$BUCKET/$TENANT is not a directory"
[[ -d "$PROM_DATA" ]] || die "$PROM_DATA is not a directory"
[[ -x "$PROMETHEUS_BIN" ]] || die "$PROMETHEUS_BIN not found (bash scripts/install-deps.sh)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/bench-selective.XXXXXX")"
BENCH_FIRST_PORT=19600
# shellcheck source=scripts/bench-common.sh
source "$REPO/scripts/bench-common.sh"

if [[ -z "$MC_DIR" ]]; then
  log "building src/MetricsCluster (Release)"
  MC_DIR="$WORK/mc"
  dotnet_retry dotnet publish "$REPO/src/MetricsCluster/MetricsCluster.csproj" -c Release -o "$MC_DIR" --nologo || die "metrics-cluster build failed"
fi
mc_cmd() { if [[ -x "$1/metrics-cluster" ]]; then echo "$1/metrics-cluster"; else echo "dotnet $1/metrics-cluster.dll"; fi; }

# The day: the earliest block's minTime, floored to a UTC day.
DAY_START=$(python3 -c 'import json,os,sys; d=sys.argv[1]; print(min(json.load(open(os.path.join(d,b,"meta.json")))["minTime"] for b in os.listdir(d) if os.path.exists(os.path.join(d,b,"meta.json"))) // 86400000 * 86400)' "$BUCKET/$TENANT")
{
  echo "date_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ) cpus=$(nproc) loadavg=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "repo_commit=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown) mc_dir=$MC_DIR"
  echo "bucket=$BUCKET prom_data=$PROM_DATA day=$(date -u -d "@$DAY_START" +%F) reps=$REPS step=${QUERY_STEP}s"
} | tee "$RESULTS_DIR/environment.txt" >&2

cp -r "$PROM_DATA" "$WORK/prom-data"
rm -f "$WORK/prom-data/lock"
printf 'global:\n  scrape_interval: 15s\n' >"$WORK/prometheus.yml"
pick_port; P_PORT=$PORT
"$PROMETHEUS_BIN" "--storage.tsdb.path=$WORK/prom-data" "--config.file=$WORK/prometheus.yml" "--web.listen-address=127.0.0.1:$P_PORT" \
  --storage.tsdb.min-block-duration=2h --storage.tsdb.max-block-duration=24h --storage.tsdb.retention.time=3650d \
  >"$RESULTS_DIR/prometheus.log" 2>&1 &
P_PID=$!; STARTED_PIDS+=("$P_PID")
start_ours() { # name build-dir -> PORT, PID; each instance reads its own copy of the bucket (its compactor writes the index there)
  cp -r "$BUCKET" "$WORK/bucket-$1"
  pick_port
  # shellcheck disable=SC2046,SC2206 # The command and MC_EXTRA_ARGS are word lists on purpose.
  $(mc_cmd "$2") --target=all "--data.dir=$WORK/mc-data-$1" --blocks-storage.backend=filesystem "--blocks-storage.filesystem.dir=$WORK/bucket-$1" \
    --server.http-listen-address=127.0.0.1 "--server.http-listen-port=$PORT" --querier.query-store-after=0s \
    --blocks-storage.bucket-store.sync-interval=5s --compactor.first-level-compaction-wait-period=1000h $MC_EXTRA_ARGS \
    >"$RESULTS_DIR/mc-$1.log" 2>&1 &
  PID=$!; STARTED_PIDS+=("$PID")
  wait_ready "metrics-cluster ($1)" "$PID" "http://127.0.0.1:$PORT/ready" "$RESULTS_DIR/mc-$1.log"
}
wait_ready prometheus "$P_PID" "http://127.0.0.1:$P_PORT/-/ready" "$RESULTS_DIR/prometheus.log"
start_ours ours "$MC_DIR"; Q_PORT=$PORT
WHO=(ours prom)
if [[ -n "$BASE_MC_DIR" ]]; then start_ours base "$BASE_MC_DIR"; B_PORT=$PORT; WHO=(ours base prom); fi

T_START=$(( DAY_START + 30 ))
T_END=$(( DAY_START + 86400 - 30 ))
run_query() { # base api query out [header] -> Q_SECS
  local w code
  w=$(curl -sS -G ${5:+-H "$5"} --data-urlencode "query=$3" --data-urlencode "start=$T_START" --data-urlencode "end=$T_END" \
    --data-urlencode "step=$QUERY_STEP" -o "$4" -w '%{http_code} %{time_total}' --max-time "$QUERY_TIMEOUT" "$1$2/query_range") \
    || die "curl failed for $3 at $1"
  read -r code Q_SECS <<<"$w"
  [[ "$code" == 200 ]] && grep -q '"status":"success"' "$4" || die "HTTP $code for $3 at $1: $(head -c 300 "$4")"
}
declare -A BASE=([ours]="http://127.0.0.1:$Q_PORT" [base]="http://127.0.0.1:${B_PORT:-0}" [prom]="http://127.0.0.1:$P_PORT")
declare -A API=([ours]=/prometheus/api/v1 [base]=/prometheus/api/v1 [prom]=/api/v1)
declare -A HDR=([ours]="X-Scope-OrgID: $TENANT" [base]="X-Scope-OrgID: $TENANT" [prom]="")
for who in "${WHO[@]}"; do
  [[ "$who" == prom ]] && continue
  deadline=$((SECONDS + READY_TIMEOUT))
  until run_query "${BASE[$who]}" "${API[$who]}" "${QUERY_LIST[0]}" "$WORK/probe.json" "${HDR[$who]}" 2>/dev/null && grep -q '"metric":' "$WORK/probe.json"; do
    (( SECONDS < deadline )) || die "metrics-cluster ($who) did not serve the blocks within ${READY_TIMEOUT}s (log: $RESULTS_DIR/mc-$who.log)"
    sleep 1
  done
done

cat >"$WORK/compare.py" <<'EOF'
import json, sys
def load(p):
    return {json.dumps(s["metric"], sort_keys=True): s["values"] for s in json.load(open(p))["data"]["result"]}
a, b, skip = load(sys.argv[1]), load(sys.argv[2]), float(sys.argv[3])
tolerant = sys.argv[4] == "tolerance"
if a.keys() != b.keys():
    sys.exit(print("series differ: %d vs %d" % (len(a), len(b))))
for k in sorted(a):
    if len(a[k]) != len(b[k]):
        sys.exit(print("%s: %d vs %d points" % (k, len(a[k]), len(b[k]))))
    for (ta, xa), (tb, xb) in zip(a[k], b[k]):
        if ta != tb:
            sys.exit(print("%s: timestamp %s vs %s" % (k, ta, tb)))
        if xa == xb or ta < skip:
            continue
        fa, fb = float(xa), float(xb)
        if not tolerant or abs(fa - fb) > 1e-9 * max(abs(fa), abs(fb)):
            sys.exit(print("%s @%s: %s vs %s" % (k, ta, xa, xb)))
print("same")
EOF
if [[ -n "$BASE_MC_DIR" ]]; then
  echo "| query | series | ours ms | base ms | Prometheus ms | ours / Prometheus | base / Prometheus | same answer |" | tee "$RESULTS_DIR/report.md"
  echo "|---|---|---|---|---|---|---|---|" | tee -a "$RESULTS_DIR/report.md"
else
  echo "| query | series | ours ms | Prometheus ms | ours / Prometheus | same answer |" | tee "$RESULTS_DIR/report.md"
  echo "|---|---|---|---|---|---|" | tee -a "$RESULTS_DIR/report.md"
fi
bad=0
for q in "${QUERY_LIST[@]}"; do
  for who in "${WHO[@]}"; do : >"$WORK/$who.txt"; done
  for rep in $(seq 0 "$REPS"); do
    # Rotate who goes first, so a drift of the machine's speed hits all alike.
    n=${#WHO[@]}
    for k in $(seq 0 $((n - 1))); do
      who=${WHO[$(( (rep + k) % n ))]}
      run_query "${BASE[$who]}" "${API[$who]}" "$q" "$WORK/$who.json" "${HDR[$who]}"
      (( rep == 0 )) || awk -v s="$Q_SECS" 'BEGIN { printf "%.2f\n", s * 1000 }' >>"$WORK/$who.txt"
    done
  done
  mode=exact; skip=0
  if [[ "$q" == *rate\(* ]]; then mode=tolerance; skip=300; fi
  same=$(python3 "$WORK/compare.py" "$WORK/ours.json" "$WORK/prom.json" "$((DAY_START + skip))" "$mode" || true)
  if [[ -n "$BASE_MC_DIR" ]]; then
    same_base=$(python3 "$WORK/compare.py" "$WORK/base.json" "$WORK/prom.json" "$((DAY_START + skip))" "$mode" || true)
    [[ "$same_base" == same ]] || same="$same (base: $same_base)"
  fi
  [[ "$same" == same ]] || bad=$((bad + 1))
  o=$(median <"$WORK/ours.txt"); p=$(median <"$WORK/prom.txt"); b=""
  [[ -z "$BASE_MC_DIR" ]] || b=$(median <"$WORK/base.txt")
  echo "query=$q ours_ms=$(paste -sd, "$WORK/ours.txt") ${BASE_MC_DIR:+base_ms=$(paste -sd, "$WORK/base.txt") }prometheus_ms=$(paste -sd, "$WORK/prom.txt") compare=$same" >>"$RESULTS_DIR/queries.txt"
  awk -v q="$q" -v s="$(grep -o '"metric":' "$WORK/ours.json" | wc -l)" -v a="$o" -v base="$b" -v p="$p" -v c="$mode: $same" \
    'BEGIN { gsub(/\|/, "\\|", q)
      if (base == "") printf "| `%s` | %s | %s | %s | %.2f | %s |\n", q, s, a, p, a / p, c
      else printf "| `%s` | %s | %s | %s | %s | %.2f | %.2f | %s |\n", q, s, a, base, p, a / p, base / p, c }' | tee -a "$RESULTS_DIR/report.md"
done
echo "loadavg after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$RESULTS_DIR/environment.txt" >&2
(( bad == 0 )) || die "$bad queries answered differently from Prometheus (answers in $RESULTS_DIR)"
