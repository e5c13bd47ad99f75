# Shared by the scripts/bench-*.sh scripts (sourced, not run): process cleanup, ports, readiness, stopping, /proc
# readings, waiting for a quiet machine, median. Expects WORK, RESULTS_DIR, READY_TIMEOUT, BENCH_FIRST_PORT and log/die
# (and IDLE_WAIT, IDLE_BUSY_PCT for wait_quiet).
# shellcheck shell=bash
STARTED_PIDS=()

cleanup() {
  local rc=$?
  local pid
  for pid in "${STARTED_PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  if [[ "${KEEP_WORK:-0}" == 1 ]]; then log "KEEP_WORK=1: work dir kept in $WORK"; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$RESULTS_DIR"
log "results: $RESULTS_DIR"

# Retries a dotnet command a few times: other builds in this repo can hold file locks briefly.
dotnet_retry() {
  local attempt
  for attempt in 1 2 3; do
    if "$@" >"$WORK/dotnet.log" 2>&1; then return 0; fi
    log "'$*' failed (attempt $attempt of 3); last lines:"
    tail -n 15 "$WORK/dotnet.log" >&2
    sleep 3
  done
  return 1
}

# Port p is free when nothing accepts a connection on it.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

NEXT_PORT=${BENCH_FIRST_PORT}
pick_port() {
  while ! port_free "$NEXT_PORT"; do
    NEXT_PORT=$((NEXT_PORT + 1))
    (( NEXT_PORT < 19900 )) || die "no free port in ${BENCH_FIRST_PORT}..19900"
  done
  PORT=$NEXT_PORT
  NEXT_PORT=$((NEXT_PORT + 1))
}

wait_ready() { # name pid url logfile
  local name=$1 pid=$2 url=$3 logfile=$4
  local deadline=$((SECONDS + READY_TIMEOUT))
  while (( SECONDS < deadline )); do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$logfile" >&2 || true
      die "$name exited before it became ready (log: $logfile)"
    fi
    if curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  tail -n 30 "$logfile" >&2 || true
  die "$name not ready at $url within ${READY_TIMEOUT}s (log: $logfile)"
}

stop_pid() { # pid
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    log "pid $pid did not stop within 30s of SIGTERM; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

status_kib() { # pid field -> value in KiB from /proc/<pid>/status
  awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null || true
}

# Machine-wide busy and total jiffies ("busy total"), from the first line of /proc/stat.
cpu_jiffies() {
  awk '$1 == "cpu" { t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t; exit }' /proc/stat
}

# Median of the numbers on stdin, one a line.
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) exit; if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# Waits (up to IDLE_WAIT seconds) until the machine is quiet for 3 s: other builds or tests running on the same
# cores would make the figures noisy. Sets QUIET_BUSY to the busy percentage measured last.
wait_quiet() { # name
  local deadline=$((SECONDS + IDLE_WAIT)) b0 t0 b1 t1 busy
  while :; do
    read -r b0 t0 < <(cpu_jiffies)
    sleep 3
    read -r b1 t1 < <(cpu_jiffies)
    busy=$(( (b1 - b0) * 100 / (t1 - t0 > 0 ? t1 - t0 : 1) ))
    (( busy <= IDLE_BUSY_PCT )) && { QUIET_BUSY=$busy; return 0; }
    if (( SECONDS >= deadline )); then
      log "[$1] WARNING: the machine is still ${busy}% busy with other work after ${IDLE_WAIT}s; measuring anyway, figures will be noisy"
      QUIET_BUSY=$busy
      return 0
    fi
    log "[$1] machine ${busy}% busy with other work; waiting for it to go quiet (up to ${IDLE_WAIT}s)"
    sleep 2
  done
}
