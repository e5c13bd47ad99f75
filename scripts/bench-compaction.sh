#!/usr/bin/env bash
# Compaction benchmark, metrics-cluster's compactor against Prometheus 2.42's own compaction of the same data:
#   1. data: SERIES series × 24 h at STEP seconds (a UTC day two days back, so every range is complete and old
#      enough to compact), written as OpenMetrics, one file per 2h window, and turned into twelve 2h blocks by
#      `promtool tsdb create-blocks-from openmetrics`; three copies of each (fresh ULIDs, meta.json rewritten with a
#      thanos section carrying __org_id__) go into <bucket>/<TENANT>/: 36 blocks, as three RF-3 ingesters upload them;
#   2. ours: `--target=compactor` on that bucket (first-level wait 0, so its start-up run does everything) until one
#      live block (no deletion-mark.json) holds the whole day: wall time, samples/s, peak RSS (VmHWM, and the largest
#      RssAnon seen while polling), bucket bytes before/after, bytes per sample of the final block;
#   3. Prometheus: the twelve 2h blocks (no replicas) in a data dir, started with min/max block duration 2h/24h so it
#      compacts them itself; once its blocks and prometheus_tsdb_compactions_total stop changing: its layout, its
#      compaction time (from its log) and bytes per sample;
#   4. queries: the final block alone in a fresh bucket served by `--target=all` (querier + store-gateway; its own
#      compactor has nothing to plan on one 24h block, and the script checks the bucket is unchanged afterwards)
#      against that Prometheus: 24h range queries, ours and Prometheus interleaved, one warm-up then the median of REPS
#      runs each as curl measures it; every answer of ours compared with Prometheus' (exactly, or to 1e-9 relative for
#      sums of rates whose summation order differs).
#
#   bash scripts/bench-compaction.sh
#   SERIES=1000000 bash scripts/bench-compaction.sh          # a big box
#   SERIES=2000 REPS=3 bash scripts/bench-compaction.sh      # a quick check
#
# Environment (defaults in brackets): SERIES [20000], STEP [60] (seconds between samples; divides 7200), REPS [5],
# QUERY_STEP [60], QUERY_TIMEOUT [300], TENANT [bench], READY_TIMEOUT [120], COMPACTION_TIMEOUT [3600] (seconds for
# our compactor to produce the 24h block), PROM_TIMEOUT [1200] (seconds for Prometheus' blocks to settle),
# MEM_BUDGET_MIB [none] (when set, the report says whether our compactor's peak RSS stayed within it),
# COMPACTOR_HEAP_LIMIT_MIB [none] (when set, our compactor runs with DOTNET_GCHeapHardLimit of that size: the .NET GC
# fails the process with an out-of-memory error rather than let its heap grow past it, so a finished run proves the
# heap stayed within it), STOP_AFTER_COMPACTION [0] (1: stop after step 2 with our compactor's figures; no Prometheus,
# no queries: for the memory run at a million series),
# RESULTS_DIR [.bench/compaction-<UTC time>], PROMETHEUS_BIN, PROMTOOL_BIN, MC_EXTRA_ARGS (extra flags for both of
# our processes), KEEP_WORK [0] (1 keeps the work dir: its query-bucket/ and prom-data/ feed
# scripts/bench-selective.sh). Everything shares the machine's cores: compare the ratios, not the absolute figures.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERIES="${SERIES:-20000}"
STEP="${STEP:-60}"
REPS="${REPS:-5}"
QUERY_STEP="${QUERY_STEP:-60}"
QUERY_TIMEOUT="${QUERY_TIMEOUT:-300}"
TENANT="${TENANT:-bench}"
READY_TIMEOUT="${READY_TIMEOUT:-120}"
COMPACTION_TIMEOUT="${COMPACTION_TIMEOUT:-3600}"
PROM_TIMEOUT="${PROM_TIMEOUT:-1200}"
MEM_BUDGET_MIB="${MEM_BUDGET_MIB:-}"
COMPACTOR_HEAP_LIMIT_MIB="${COMPACTOR_HEAP_LIMIT_MIB:-}"
STOP_AFTER_COMPACTION="${STOP_AFTER_COMPACTION:-0}"
RESULTS_DIR="${RESULTS_DIR:-$REPO/.bench/compaction-$(date -u +%Y%m%dT%H%M%SZ)}"
PROMETHEUS_BIN="${PROMETHEUS_BIN:-/usr/bin/prometheus}"
PROMTOOL_BIN="${PROMTOOL_BIN:-/usr/bin/promtool}"
MC_EXTRA_ARGS="${MC_EXTRA_ARGS:-}"
REPLICAS=3

# Query, then how ours is compared with Prometheus: exact (same series, timestamps and values) or 1e-9 relative.
QUERIES=(
  'bench_metric{s="42"}'
  'sum(rate(bench_metric{kind="counter"}[5m]))'
  'count_over_time(bench_metric{g="3"}[1h])'
)
COMPARE=(exact tolerance exact)
# Compare from this many seconds after the first sample: 0, or a rate window's length. Where a rate window holds the
# series' first sample, Prometheus 2.42 clamps the extrapolation to the counter's zero point before its half-interval
# rule, and Prometheus 3.x (and our engine) after it, so the first steps of a rate differ by design.
COMPARE_SKIP=(0 300 0)

log() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: ERROR: %s\n' "$*" >&2; exit 1; }
for v in SERIES STEP REPS QUERY_STEP QUERY_TIMEOUT READY_TIMEOUT COMPACTION_TIMEOUT PROM_TIMEOUT; do
  [[ "${!v}" =~ ^[0-9]+$ ]] && (( ${!v} > 0 )) || die "$v must be a positive integer, got '${!v}'"
done
[[ -z "$MEM_BUDGET_MIB" || "$MEM_BUDGET_MIB" =~ ^[0-9]+$ ]] || die "MEM_BUDGET_MIB must be a whole number of MiB, got '$MEM_BUDGET_MIB'"
[[ -z "$COMPACTOR_HEAP_LIMIT_MIB" || "$COMPACTOR_HEAP_LIMIT_MIB" =~ ^[0-9]+$ ]] || die "COMPACTOR_HEAP_LIMIT_MIB must be a whole number of MiB, got '$COMPACTOR_HEAP_LIMIT_MIB'"
[[ "$STOP_AFTER_COMPACTION" =~ ^[01]$ ]] || die "STOP_AFTER_COMPACTION must be 0 or 1, got '$STOP_AFTER_COMPACTION'"
(( 7200 % STEP == 0 )) || die "STEP must divide 7200 (a 2h block holds a whole number of steps), got $STEP"
[[ "$TENANT" =~ ^[A-Za-z0-9_.-]+$ ]] || die "TENANT must be a plain tenant id, got '$TENANT'"
for tool in curl dotnet awk sort python3; do
  command -v "$tool" >/dev/null || die "'$tool' is required (bash scripts/install-deps.sh)"
done
[[ -x "$PROMETHEUS_BIN" ]] || die "$PROMETHEUS_BIN not found (bash scripts/install-deps.sh)"
[[ -x "$PROMTOOL_BIN" ]] || die "$PROMTOOL_BIN not found (Debian package prometheus; bash scripts/install-deps.sh)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/bench-compaction.XXXXXX")"
BENCH_FIRST_PORT=19500
# shellcheck source=scripts/bench-common.sh
source "$REPO/scripts/bench-common.sh"

# ---- Helpers (python: data, blocks, logs, answers) -------------------------------------------
cat >"$WORK/bc.py" <<'EOF'
import json, os, random, re, shutil, sys, time

HOUR_MS = 3_600_000

def gen(series, step, start, outdir):
    """Twelve OpenMetrics files, one per 2h window, series after series. Even series are counters (integer
    increments 0..19, kind="counter"), odd ones gauges (random walk, two decimals, kind="gauge"); labels g (s % 10),
    instance, job, kind, s."""
    rng = random.Random(42)
    vals = [0.0] * series
    per_win = 7200 // step
    for w in range(12):
        t0 = start + w * 7200
        with open(os.path.join(outdir, "w%02d.om" % w), "w") as f:
            f.write("# HELP bench_metric Compaction benchmark data.\n# TYPE bench_metric gauge\n")
            for s in range(series):
                lab = 'bench_metric{g="%d",instance="host-%05d:9100",job="bench",kind="%s",s="%d"} ' % (
                    s % 10, s // 10, "gauge" if s % 2 else "counter", s)
                v = vals[s]
                out = []
                if s % 2 == 0:
                    for i in range(per_win):
                        v += rng.randrange(0, 20)
                        out.append("%s%d %d\n" % (lab, v, t0 + i * step))
                else:
                    for i in range(per_win):
                        v = round(v + rng.uniform(-5, 5), 2)
                        out.append("%s%r %d\n" % (lab, v, t0 + i * step))
                vals[s] = v
                f.write("".join(out))
            f.write("# EOF\n")

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

def new_ulid():
    n = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(CROCKFORD[(n >> (5 * (25 - i))) & 31] for i in range(26))

def metas(root):
    """(dir name, meta) of every block under root. A meta.json caught half-written by a poll is skipped: the poll
    comes back, and the counts checked after each phase would show a block left out."""
    out = []
    for name in sorted(os.listdir(root)):
        p = os.path.join(root, name, "meta.json")
        try:
            out.append((name, json.load(open(p))))
        except (OSError, ValueError):
            continue
    return out

def replicas(src, tenant_dir, tenant, n):
    """n copies of every block under src into tenant_dir, each with a fresh ULID, its own sources and a thanos
    section (__org_id__, resolution 0, source ingester, files), staged then renamed so no half block is seen."""
    os.makedirs(tenant_dir, exist_ok=True)
    staging = os.path.join(os.path.dirname(tenant_dir.rstrip("/")), ".staging")
    os.makedirs(staging, exist_ok=True)
    for name, _ in metas(src):
        for _ in range(n):
            ulid = new_ulid()
            d = os.path.join(staging, ulid)
            shutil.copytree(os.path.join(src, name), d)
            meta = json.load(open(os.path.join(d, "meta.json")))
            meta["ulid"] = ulid
            meta["compaction"] = {"level": 1, "sources": [ulid]}
            files = [{"rel_path": "meta.json"}]
            for dirpath, _, fnames in os.walk(d):
                for fn in fnames:
                    rel = os.path.relpath(os.path.join(dirpath, fn), d).replace(os.sep, "/")
                    if rel != "meta.json":
                        files.append({"rel_path": rel, "size_bytes": os.path.getsize(os.path.join(dirpath, fn))})
            files.sort(key=lambda f: f["rel_path"])
            meta["thanos"] = {"version": 1, "labels": {"__org_id__": tenant}, "downsample": {"resolution": 0},
                              "source": "ingester", "files": files}
            json.dump(meta, open(os.path.join(d, "meta.json"), "w"), indent="\t")
            os.rename(d, os.path.join(tenant_dir, ulid))
            time.sleep(0.002)
    os.rmdir(staging)

def live(tenant_dir):
    """Blocks with a meta.json and no deletion mark (in the block dir or under markers/): 'ulid mint maxt samples level'."""
    marked = set()
    mdir = os.path.join(tenant_dir, "markers")
    if os.path.isdir(mdir):
        marked = {f.split("-")[0] for f in os.listdir(mdir) if f.endswith("-deletion-mark.json")}
    for name, m in metas(tenant_dir):
        if name in marked or os.path.exists(os.path.join(tenant_dir, name, "deletion-mark.json")):
            continue
        print(name, m["minTime"], m["maxTime"], m["stats"]["numSamples"], m["compaction"]["level"])

def tree_bytes(path):
    return sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(path) for f in fs)

def stats(root, *ulids):
    """'bytes samples blocks all_bytes' over the blocks under root (all of them, or the ulids given): bytes = index +
    chunks, all_bytes = every file of those blocks."""
    b = s = n = a = 0
    for name, m in metas(root):
        if ulids and name not in ulids:
            continue
        d = os.path.join(root, name)
        b += os.path.getsize(os.path.join(d, "index")) + tree_bytes(os.path.join(d, "chunks"))
        a += tree_bytes(d)
        s += m["stats"]["numSamples"]
        n += 1
    print(b, s, n, a)

def layout(root, day_start_ms):
    """One line per block: hours from the day's start, level, series, samples, bytes per sample."""
    for name, m in metas(root):
        d = os.path.join(root, name)
        b = os.path.getsize(os.path.join(d, "index")) + tree_bytes(os.path.join(d, "chunks"))
        print("%s [%gh, %gh) level %d, %d series, %d samples, %.3f bytes/sample" % (
            name, (m["minTime"] - day_start_ms) / HOUR_MS, (m["maxTime"] - day_start_ms) / HOUR_MS,
            m["compaction"]["level"], m["stats"]["numSeries"], m["stats"]["numSamples"], b / m["stats"]["numSamples"]))

def ours_log(path):
    """Our compactor's job lines: 'jobs samples_written seconds' for all jobs, then the vertical ones (replicas of one
    2h window), then the horizontal ones (seconds = sum of the jobs' merge + upload + marks)."""
    acc = {k: [0, 0, 0.0] for k in ("all", "Vertical", "Horizontal")}
    pat = re.compile(r"(Vertical|Horizontal) compaction of \d+ blocks .* (\d+) samples, in (\d+):(\d+):(\d+(?:\.\d+)?)")
    for line in open(path, errors="replace"):
        m = pat.search(line)
        if m:
            secs = int(m.group(3)) * 3600 + int(m.group(4)) * 60 + float(m.group(5))
            for k in ("all", m.group(1)):
                acc[k][0] += 1
                acc[k][1] += int(m.group(2))
                acc[k][2] += secs
    print(" ".join("%d %d %.3f" % tuple(acc[k]) for k in ("all", "Vertical", "Horizontal")))

GO_DUR = re.compile(r"(\d+(?:\.\d+)?)(h|ms|µs|us|ns|m|s)")
UNIT = {"h": 3600, "m": 60, "s": 1, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}

def prom_log(path, series, step_s):
    """Prometheus' 'compact blocks' lines: 'jobs samples_written seconds'. Prometheus logs no sample counts; every
    series of this data has a sample at every step, so a block [mint, maxt) holds series × (steps in it) samples."""
    jobs = samples = 0
    secs = 0.0
    step = step_s * 1000
    for line in open(path, errors="replace"):
        if 'msg="compact blocks"' not in line:
            continue
        mint = int(re.search(r"mint=(\d+)", line).group(1))
        maxt = int(re.search(r"maxt=(\d+)", line).group(1))
        dur = re.search(r"duration=(\S+)", line).group(1)
        jobs += 1
        samples += series * ((maxt - 1) // step - (mint + step - 1) // step + 1)
        secs += sum(float(v) * UNIT[u] for v, u in GO_DUR.findall(dur))
    print(jobs, samples, "%.3f" % secs)

def compare(a_path, b_path, mode, skip_before):
    """'same' when both answers hold the same series with the same points (mode exact: identical strings;
    tolerance: values within 1e-9 relative), else the first difference. Values at timestamps before skip_before are
    not compared (they must still be there)."""
    def load(p):
        r = json.load(open(p))["data"]["result"]
        return {json.dumps(s["metric"], sort_keys=True): s["values"] for s in r}
    a, b = load(a_path), load(b_path)
    if a.keys() != b.keys():
        print("series differ: %d vs %d, e.g. %s" % (len(a), len(b), sorted(a.keys() ^ b.keys())[:1]))
        return
    for k in sorted(a):
        va, vb = a[k], b[k]
        if len(va) != len(vb):
            print("%s: %d vs %d points" % (k, len(va), len(vb)))
            return
        for (ta, xa), (tb, xb) in zip(va, vb):
            if ta != tb:
                print("%s: timestamp %s vs %s" % (k, ta, tb))
                return
            if xa == xb or ta < skip_before:
                continue
            fa, fb = float(xa), float(xb)
            if mode == "exact" or abs(fa - fb) > 1e-9 * max(abs(fa), abs(fb)):
                print("%s @%s: %s vs %s" % (k, ta, xa, xb))
                return
    print("same")

cmd, args = sys.argv[1], sys.argv[2:]
if cmd == "gen": gen(int(args[0]), int(args[1]), int(args[2]), args[3])
elif cmd == "replicas": replicas(args[0], args[1], args[2], int(args[3]))
elif cmd == "live": live(args[0])
elif cmd == "stats": stats(args[0], *args[1:])
elif cmd == "tree-bytes": print(tree_bytes(args[0]))
elif cmd == "layout": layout(args[0], int(args[1]))
elif cmd == "ours-log": ours_log(args[0])
elif cmd == "prom-log": prom_log(args[0], int(args[1]), int(args[2]))
elif cmd == "compare": compare(args[0], args[1], args[2], float(args[3]))
else: sys.exit("unknown command " + cmd)
EOF
bc() { python3 "$WORK/bc.py" "$@"; }

start() { # name logfile cmd...
  local name=$1 logfile=$2; shift 2
  "$@" >"$logfile" 2>&1 &
  PID=$!
  STARTED_PIDS+=("$PID")
  log "[$name] started pid $PID: $*"
}

metric_value() { # url metric-name -> the sum of its samples, or empty
  curl -fsS --max-time 10 "$1" 2>/dev/null | awk -v m="$2" '$1 == m || index($1, m "{") == 1 { s += $NF; f = 1 } END { if (f) printf "%.0f\n", s }'
}

# ---- Builds ----------------------------------------------------------------------------------
log "building src/MetricsCluster (Release)"
dotnet_retry dotnet publish "$REPO/src/MetricsCluster/MetricsCluster.csproj" -c Release -o "$WORK/mc" --nologo || die "metrics-cluster build failed"
MC=("$WORK/mc/metrics-cluster")
[[ -x "${MC[0]}" ]] || MC=(dotnet "$WORK/mc/metrics-cluster.dll")

# ---- 1. Data: twelve 2h blocks, three replicas of each ----------------------------------------
DAY_START=$(( ($(date +%s) / 86400 - 2) * 86400 ))
POINTS=$(( 86400 / STEP ))
TOTAL=$(( SERIES * POINTS ))
{
  echo "date_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ) cpus=$(nproc) mem_total_kib=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)"
  echo "repo_commit=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown) dotnet=$(dotnet --version)"
  echo "data=series=$SERIES step=${STEP}s day=$(date -u -d "@$DAY_START" +%F) samples=$TOTAL replicas=$REPLICAS"
  echo "queries: 24h range, step ${QUERY_STEP}s, median of $REPS after 1 warm-up, ours and Prometheus interleaved"
  echo "prometheus_version=$("$PROMETHEUS_BIN" --version 2>&1 | head -n 1)"
} >"$RESULTS_DIR/environment.txt"

mkdir -p "$WORK/om" "$WORK/blocks"
log "generating $SERIES series × $POINTS samples ($TOTAL samples) for $(date -u -d "@$DAY_START" +%F) as OpenMetrics"
bc gen "$SERIES" "$STEP" "$DAY_START" "$WORK/om"
log "promtool tsdb create-blocks-from openmetrics, one 2h window at a time"
for f in "$WORK"/om/w*.om; do
  "$PROMTOOL_BIN" tsdb create-blocks-from openmetrics "$f" "$WORK/blocks" >"$WORK/promtool.out" 2>&1 \
    || { tail -n 20 "$WORK/promtool.out" >&2; die "promtool could not turn $f into a block"; }
  rm -f "$f"
done
read -r _ SRC_SAMPLES SRC_BLOCKS _ < <(bc stats "$WORK/blocks")
(( SRC_BLOCKS == 12 && SRC_SAMPLES == TOTAL )) || die "promtool wrote $SRC_BLOCKS blocks with $SRC_SAMPLES samples, want 12 with $TOTAL"

BUCKET="$WORK/bucket"
bc replicas "$WORK/blocks" "$BUCKET/$TENANT" "$TENANT" "$REPLICAS"
read -r _ BUCKET_SAMPLES BUCKET_BLOCKS BUCKET_BEFORE < <(bc stats "$BUCKET/$TENANT")
(( BUCKET_BLOCKS == 12 * REPLICAS )) || die "the bucket holds $BUCKET_BLOCKS blocks, want $((12 * REPLICAS))"
log "bucket: $BUCKET_BLOCKS blocks, $BUCKET_SAMPLES samples, $BUCKET_BEFORE bytes"

# ---- 2. Our compactor ------------------------------------------------------------------------
pick_port; C_PORT=$PORT
# shellcheck disable=SC2206 # MC_EXTRA_ARGS is a word list on purpose.
C_CMD=("${MC[@]}" --target=compactor "--data.dir=$WORK/compactor-data" --blocks-storage.backend=filesystem
  "--blocks-storage.filesystem.dir=$BUCKET" --server.http-listen-address=127.0.0.1 "--server.http-listen-port=$C_PORT"
  --compactor.first-level-compaction-wait-period=0s --compactor.compaction-interval=1h $MC_EXTRA_ARGS)
# The heap limit goes to the compactor only (not to the build or the query process).
[[ -z "$COMPACTOR_HEAP_LIMIT_MIB" ]] || C_CMD=(env "DOTNET_GCHeapHardLimit=$(printf '0x%x' $((COMPACTOR_HEAP_LIMIT_MIB * 1048576)))" "${C_CMD[@]}")
T0=$(date +%s.%N)
start compactor "$RESULTS_DIR/compactor.log" "${C_CMD[@]}"
C_PID=$PID
PEAK_ANON=0
PEAK_FILE=0
FINAL=""
deadline=$((SECONDS + COMPACTION_TIMEOUT))
while :; do
  kill -0 "$C_PID" 2>/dev/null || { tail -n 30 "$RESULTS_DIR/compactor.log" >&2; die "the compactor exited before the 24h block was up (log: $RESULTS_DIR/compactor.log)"; }
  anon=$(status_kib "$C_PID" RssAnon); (( ${anon:-0} > PEAK_ANON )) && PEAK_ANON=$anon
  file=$(status_kib "$C_PID" RssFile); (( ${file:-0} > PEAK_FILE )) && PEAK_FILE=$file
  mapfile -t LIVE < <(bc live "$BUCKET/$TENANT")
  if (( ${#LIVE[@]} == 1 )); then
    read -r ulid mint maxt samples level <<<"${LIVE[0]}"
    if (( mint == DAY_START * 1000 && maxt > (DAY_START + 86400 - 7200) * 1000 && samples == TOTAL )); then FINAL=$ulid; break; fi
  fi
  (( SECONDS < deadline )) || die "no single live 24h block after ${COMPACTION_TIMEOUT}s; live: ${LIVE[*]} (log: $RESULTS_DIR/compactor.log)"
  sleep 0.2
done
T1=$(date +%s.%N)
C_WALL=$(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.2f", b - a }')
sleep 1  # The last job's counters are updated right after its marks, which the poll above may have beaten.
C_HWM=$(status_kib "$C_PID" VmHWM)
C_WRITTEN_METRIC=$(metric_value "http://127.0.0.1:$C_PORT/metrics" metricscluster_compactor_samples_written_total)
C_JOBS_METRIC=$(metric_value "http://127.0.0.1:$C_PORT/metrics" metricscluster_compactor_compactions_total)
stop_pid "$C_PID"
read -r C_JOBS C_WRITTEN C_JOB_SECS CV_JOBS CV_WRITTEN CV_SECS CH_JOBS CH_WRITTEN CH_SECS < <(bc ours-log "$RESULTS_DIR/compactor.log")
[[ "$C_WRITTEN_METRIC" == "$C_WRITTEN" ]] || log "WARNING: samples written: metric ${C_WRITTEN_METRIC:-none}, log $C_WRITTEN"
read -r F_BYTES F_SAMPLES _ F_ALL < <(bc stats "$BUCKET/$TENANT" "$FINAL")
BUCKET_AFTER=$F_ALL
bc layout "$BUCKET/$TENANT" "$((DAY_START * 1000))" >"$RESULTS_DIR/ours-bucket-layout.txt"
log "[compactor] 24h block $FINAL after ${C_WALL}s: $C_JOBS jobs (metric: ${C_JOBS_METRIC:-none}), $C_WRITTEN samples written, peak RSS $((C_HWM / 1024)) MiB, largest RssAnon seen $((PEAK_ANON / 1024)) MiB, largest RssFile seen $((PEAK_FILE / 1024)) MiB"
if (( STOP_AFTER_COMPACTION == 1 )); then
  {
    echo "## Compaction only: $SERIES series × 24 h at ${STEP}s ($TOTAL samples), $REPLICAS replicas of twelve 2h blocks"
    echo
    echo "| our compactor (36 blocks → one 24h block) | |"
    echo "|---|---|"
    echo "| jobs; samples written | $C_JOBS; $C_WRITTEN |"
    echo "| wall time, start to the 24h block up | ${C_WALL} s |"
    echo "| vertical jobs: jobs, samples written, s | $CV_JOBS, $CV_WRITTEN, $CV_SECS |"
    echo "| horizontal jobs: jobs, samples written, s | $CH_JOBS, $CH_WRITTEN, $CH_SECS |"
    echo "| peak RSS (VmHWM, includes the mapped source blocks' pages) | $((C_HWM / 1024)) MiB |"
    echo "| largest RssAnon / RssFile seen (0.2 s polls) | $((PEAK_ANON / 1024)) / $((PEAK_FILE / 1024)) MiB |"
    echo "| GC heap hard limit (COMPACTOR_HEAP_LIMIT_MIB) | ${COMPACTOR_HEAP_LIMIT_MIB:-none} |"
    [[ -z "$MEM_BUDGET_MIB" ]] || echo "| memory budget (VmHWM) | $MEM_BUDGET_MIB MiB: $( (( C_HWM / 1024 <= MEM_BUDGET_MIB )) && echo within || echo OVER) |"
    echo
    echo "Bucket: $BUCKET_BEFORE bytes in 36 blocks before, $BUCKET_AFTER bytes in the live 24h block after."
  } | tee "$RESULTS_DIR/report.md"
  exit 0
fi

# ---- 3. Prometheus compacts the twelve 2h blocks itself ---------------------------------------
printf 'global:\n  scrape_interval: 15s\n# No scrape jobs: the only data is the copied blocks.\n' >"$WORK/prometheus.yml"
mkdir -p "$WORK/prom-data"
cp -r "$WORK"/blocks/*/ "$WORK/prom-data/"
pick_port; P_PORT=$PORT
start prometheus "$RESULTS_DIR/prometheus.log" "$PROMETHEUS_BIN" "--storage.tsdb.path=$WORK/prom-data" \
  "--config.file=$WORK/prometheus.yml" "--web.listen-address=127.0.0.1:$P_PORT" \
  --storage.tsdb.min-block-duration=2h --storage.tsdb.max-block-duration=24h --storage.tsdb.retention.time=3650d
P_PID=$PID
P_START=$SECONDS
wait_ready prometheus "$P_PID" "http://127.0.0.1:$P_PORT/-/ready" "$RESULTS_DIR/prometheus.log"
# Prometheus compacts on a one-minute timer; settled = its block list and prometheus_tsdb_compactions_total unchanged
# for 70 s (one more tick with nothing to do), at least one compaction done.
last=""; since=$SECONDS
while :; do
  kill -0 "$P_PID" 2>/dev/null || { tail -n 30 "$RESULTS_DIR/prometheus.log" >&2; die "Prometheus exited while compacting"; }
  n=$(metric_value "http://127.0.0.1:$P_PORT/metrics" prometheus_tsdb_compactions_total)
  state="$n $(bc live "$WORK/prom-data" | awk '{ print $1 }' | paste -sd,)"
  [[ "$state" == "$last" ]] || { last=$state; since=$SECONDS; }
  (( ${n:-0} > 0 && SECONDS - since >= 70 )) && break
  (( SECONDS - P_START < PROM_TIMEOUT )) || die "Prometheus' blocks did not settle within ${PROM_TIMEOUT}s (log: $RESULTS_DIR/prometheus.log)"
  sleep 2
done
P_HWM=$(status_kib "$P_PID" VmHWM)
read -r P_JOBS P_WRITTEN P_JOB_SECS < <(bc prom-log "$RESULTS_DIR/prometheus.log" "$SERIES" "$STEP")
read -r P_BYTES P_SAMPLES P_BLOCKS _ < <(bc stats "$WORK/prom-data")
(( P_SAMPLES == TOTAL )) || die "Prometheus' blocks hold $P_SAMPLES samples, want $TOTAL"
bc layout "$WORK/prom-data" "$((DAY_START * 1000))" >"$RESULTS_DIR/prometheus-layout.txt"
log "[prometheus] settled: $P_JOBS compactions in its log, $P_BLOCKS blocks:"
cat "$RESULTS_DIR/prometheus-layout.txt" >&2

# ---- 4. 24h range queries: our 24h block against Prometheus' compacted blocks -----------------
QBUCKET="$WORK/query-bucket"
mkdir -p "$QBUCKET/$TENANT"
cp -r "$BUCKET/$TENANT/$FINAL" "$QBUCKET/$TENANT/"
pick_port; Q_PORT=$PORT
# shellcheck disable=SC2206 # MC_EXTRA_ARGS is a word list on purpose.
start metrics-cluster "$RESULTS_DIR/mc-query.log" "${MC[@]}" --target=all "--data.dir=$WORK/mc-query-data" \
  --blocks-storage.backend=filesystem "--blocks-storage.filesystem.dir=$QBUCKET" --server.http-listen-address=127.0.0.1 \
  "--server.http-listen-port=$Q_PORT" --querier.query-store-after=0s --blocks-storage.bucket-store.sync-interval=5s \
  --compactor.first-level-compaction-wait-period=1000h $MC_EXTRA_ARGS
Q_PID=$PID
wait_ready metrics-cluster "$Q_PID" "http://127.0.0.1:$Q_PORT/ready" "$RESULTS_DIR/mc-query.log"

T_START=$(( DAY_START + 30 ))           # Half a step off the samples: no sample on a range window's edge, where
T_END=$(( DAY_START + 86400 - 30 ))     # Prometheus 2.x (closed) and our engine (open, as 3.x) differ.
run_query() { # base api query out -> Q_SECS
  local w code
  w=$(curl -sS -G "${QH[@]}" --data-urlencode "query=$3" --data-urlencode "start=$T_START" --data-urlencode "end=$T_END" \
    --data-urlencode "step=$QUERY_STEP" -o "$4" -w '%{http_code} %{time_total}' --max-time "$QUERY_TIMEOUT" "$1$2/query_range") \
    || die "curl failed for $3 at $1"
  read -r code Q_SECS <<<"$w"
  [[ "$code" == 200 ]] && grep -q '"status":"success"' "$4" || die "HTTP $code for $3 at $1: $(head -c 300 "$4")"
}
OURS=("http://127.0.0.1:$Q_PORT" /prometheus/api/v1)
PROM=("http://127.0.0.1:$P_PORT" /api/v1)
# The store-gateway serves the block once the compactor's start-up cleanup wrote the bucket index and a sync ran.
QH=(-H "X-Scope-OrgID: $TENANT")
deadline=$((SECONDS + READY_TIMEOUT))
until curl -fsS -G "${QH[@]}" --data-urlencode "query=${QUERIES[0]}" --data-urlencode "start=$T_START" --data-urlencode "end=$T_END" \
    --data-urlencode "step=$QUERY_STEP" -o "$WORK/probe.json" --max-time "$QUERY_TIMEOUT" "${OURS[0]}${OURS[1]}/query_range" 2>/dev/null \
    && grep -q '"metric":' "$WORK/probe.json"; do
  (( SECONDS < deadline )) || die "metrics-cluster did not serve the 24h block within ${READY_TIMEOUT}s (log: $RESULTS_DIR/mc-query.log)"
  sleep 1
done

declare -A MS_OURS MS_PROM SER SAME
for i in "${!QUERIES[@]}"; do
  : >"$WORK/ours.txt"; : >"$WORK/prom.txt"
  for rep in $(seq 0 "$REPS"); do
    # Alternate which system goes first, so a drift of the machine's speed hits both alike.
    for who in $( (( rep % 2 )) && echo "prom ours" || echo "ours prom"); do
      if [[ "$who" == ours ]]; then QH=(-H "X-Scope-OrgID: $TENANT"); run_query "${OURS[@]}" "${QUERIES[$i]}" "$WORK/ours.json"
      else QH=(); run_query "${PROM[@]}" "${QUERIES[$i]}" "$WORK/prom.json"; fi
      (( rep == 0 )) || awk -v s="$Q_SECS" 'BEGIN { printf "%.2f\n", s * 1000 }' >>"$WORK/$who.txt"
    done
  done
  MS_OURS[$i]=$(median <"$WORK/ours.txt"); MS_PROM[$i]=$(median <"$WORK/prom.txt")
  SER[$i]=$(grep -o '"metric":' "$WORK/ours.json" | wc -l || true)
  SAME[$i]=$(bc compare "$WORK/ours.json" "$WORK/prom.json" "${COMPARE[$i]}" "$((DAY_START + COMPARE_SKIP[i]))")
  cp "$WORK/ours.json" "$RESULTS_DIR/answer-$((i + 1))-ours.json"; cp "$WORK/prom.json" "$RESULTS_DIR/answer-$((i + 1))-prometheus.json"
  echo "query=${QUERIES[$i]} ours_ms=$(paste -sd, "$WORK/ours.txt") prometheus_ms=$(paste -sd, "$WORK/prom.txt") compare=${SAME[$i]}" >>"$RESULTS_DIR/queries.txt"
  log "#$((i + 1)) ${QUERIES[$i]}: ours ${MS_OURS[$i]} ms, Prometheus ${MS_PROM[$i]} ms, ${SER[$i]} series; answers: ${SAME[$i]}"
done
QB_LIVE=$(bc live "$QBUCKET/$TENANT" | awk '{ print $1 }' | paste -sd,)
[[ "$QB_LIVE" == "$FINAL" ]] || die "the query process' compactor changed its bucket: live blocks $QB_LIVE, want $FINAL"
stop_pid "$Q_PID"
stop_pid "$P_PID"

# ---- Report ----------------------------------------------------------------------------------
{
  echo "## Compaction: $SERIES series × 24 h at ${STEP}s ($TOTAL samples), $REPLICAS replicas of twelve 2h blocks"
  echo
  awk -v w="$C_WALL" -v wr="$C_WRITTEN" -v js="$C_JOB_SECS" -v jobs="$C_JOBS" -v src="$BUCKET_SAMPLES" -v hwm="$C_HWM" \
      -v anon="$PEAK_ANON" -v budget="$MEM_BUDGET_MIB" -v vj="$CV_JOBS" -v vw="$CV_WRITTEN" -v vs="$CV_SECS" \
      -v hj="$CH_JOBS" -v hw="$CH_WRITTEN" -v hs="$CH_SECS" -v pj="$P_JOBS" -v pw="$P_WRITTEN" -v ps="$P_JOB_SECS" -v phwm="$P_HWM" 'BEGIN {
    printf "| compaction | metrics-cluster (36 blocks → one 24h block) | Prometheus 2.42 (12 blocks, its own planner) |\n|---|---|---|\n"
    printf "| jobs | %d | %d |\n", jobs, pj
    printf "| samples written (all levels) | %d | %d (series × steps of each new block: its log has no counts) |\n", wr, pw
    printf "| wall time, start to the 24h block up | %.1f s | n/a (on a 1-minute timer) |\n", w
    printf "| time in jobs (ours: merge + upload + marks; Prometheus: its logged durations) | %.1f s | %.1f s |\n", js, ps
    printf "| samples written / s in jobs | %.0f | %.0f |\n", wr / js, pw / ps
    printf "| vertical jobs (3 replicas → one 2h block): jobs, samples written, s, samples written / s | %d, %d, %.1f s, %.0f | none |\n", vj, vw, vs, vw / vs
    printf "| horizontal jobs (adjacent blocks → a longer one): jobs, samples written, s, samples written / s | %d, %d, %.1f s, %.0f | %d, %d, %.1f s, %.0f |\n", hj, hw, hs, hw / hs, pj, pw, ps, pw / ps
    printf "| horizontal samples written / s, ours / Prometheus | %.2f | |\n", (hw / hs) / (pw / ps)
    printf "| source samples read / s, wall time | %.0f | |\n", src / w
    printf "| peak RSS (VmHWM) | %d MiB | %d MiB (start-up and its compaction, read before the queries) |\n", hwm / 1024, phwm / 1024
    printf "| largest RssAnon seen (0.2 s polls) | %d MiB | |\n", anon / 1024
    if (budget != "") printf "| memory budget | %d MiB: %s | |\n", budget, (hwm / 1024 <= budget ? "within" : "OVER")
    printf "\n" }'
  awk -v bb="$BUCKET_BEFORE" -v ba="$BUCKET_AFTER" -v fb="$F_BYTES" -v fs="$F_SAMPLES" -v pb="$P_BYTES" -v ps="$P_SAMPLES" -v pn="$P_BLOCKS" 'BEGIN {
    printf "Bucket: %d bytes in 36 blocks before, %d bytes in the live 24h block after (%.2fx smaller).\n\n", bb, ba, bb / ba
    printf "| bytes per sample (index + chunks) | ours: one 24h block | Prometheus: %d blocks | ours / Prometheus |\n|---|---|---|---|\n", pn
    printf "| | %.3f (%d samples) | %.3f (%d samples) | %.2f |\n\n", fb / fs, fs, pb / ps, ps, (fb / fs) / (pb / ps) }'
  echo "Prometheus' blocks after its compaction (hours from the day's start):"
  echo
  sed 's/^/    /' "$RESULTS_DIR/prometheus-layout.txt"
  echo
  echo "| 24 h range query, step ${QUERY_STEP}s | series | ours (24h block, store-gateway) ms | Prometheus ms | ours / Prometheus | same answer |"
  echo "|---|---|---|---|---|---|"
  for i in "${!QUERIES[@]}"; do
    c="${COMPARE[$i]}"; (( COMPARE_SKIP[i] == 0 )) || c="$c after the first ${COMPARE_SKIP[i]} s"
    awk -v q="${QUERIES[$i]}" -v s="${SER[$i]}" -v a="${MS_OURS[$i]}" -v b="${MS_PROM[$i]}" -v c="$c: ${SAME[$i]}" \
      'BEGIN { gsub(/\|/, "\\|", q); printf "| `%s` | %s | %s | %s | %.2f | %s |\n", q, s, a, b, a / b, c }'
  done
} | tee "$RESULTS_DIR/report.md"
bad=0
for i in "${!QUERIES[@]}"; do [[ "${SAME[$i]}" == same ]] || bad=$((bad + 1)); done
(( bad == 0 )) || die "$bad queries answered differently from Prometheus (answers in $RESULTS_DIR)"
log "raw outputs in $RESULTS_DIR"
