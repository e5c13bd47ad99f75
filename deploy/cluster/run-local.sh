#!/usr/bin/env bash
# A 3-ingester cluster on one machine (docs/operations.md): PostgreSQL for the rings, 1 distributor, 3 ingesters
# (replication factor 3), 1 querier, 1 store-gateway and 1 compactor on 127.0.0.1, sharing a filesystem bucket.
#
#   bash deploy/cluster/run-local.sh            # start everything, print the endpoints, wait for Ctrl-C
#   RING_PG="Host=db;Port=5432;Username=mc;Database=mc" bash deploy/cluster/run-local.sh   # an existing PostgreSQL
#
# Environment (defaults in brackets):
#   CLUSTER_DIR   data, bucket, logs and the PostgreSQL data dir [./.cluster]
#   RING_PG       Npgsql connection string of an existing PostgreSQL; empty = start one in CLUSTER_DIR/postgres []
#   PG_PORT       port of the PostgreSQL started here [55432]
#   MC_BIN        a published metrics-cluster binary; empty = dotnet publish src/MetricsCluster first []
#   BASE_PORT     HTTP ports BASE_PORT.. (distributor, ingester-0..2, querier, store-gateway, compactor) [8080]
#   RPC_BASE_PORT RPC ports of ingester-0..2 and the store-gateway [9091]
#   MC_EXTRA_ARGS extra flags for every process, e.g. "--distributor.ingestion-rate-limit=1000000" []
#
# Ctrl-C (or SIGTERM) stops every process with SIGTERM: each ingester leaves the ring, flushes its head to
# blocks and ships them before it exits; then PostgreSQL stops.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CLUSTER_DIR="$(mkdir -p "${CLUSTER_DIR:-./.cluster}" && cd "${CLUSTER_DIR:-./.cluster}" && pwd)"
RING_PG="${RING_PG:-}"
PG_PORT="${PG_PORT:-55432}"
MC_BIN="${MC_BIN:-}"
BASE_PORT="${BASE_PORT:-8080}"
RPC_BASE_PORT="${RPC_BASE_PORT:-9091}"
MC_EXTRA_ARGS="${MC_EXTRA_ARGS:-}"
CONFIG="$REPO/deploy/cluster/cluster.yaml"
LOGS="$CLUSTER_DIR/logs"
PIDS=()
PG_STARTED=""

log() { printf 'run-local: %s\n' "$*" >&2; }
die() { printf 'run-local: ERROR: %s\n' "$*" >&2; exit 1; }

mkdir -p "$LOGS" "$CLUSTER_DIR/bucket"

# ---- PostgreSQL --------------------------------------------------------------------------------
pg_tool() { # tool args...: runs a PostgreSQL server tool, as the postgres user when we are root (it refuses root)
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [[ -x "$bin/$1" ]] || die "PostgreSQL server tools not found under /usr/lib/postgresql (Debian package postgresql: bash scripts/install-deps.sh)"
  if (( EUID == 0 )); then runuser -u postgres -- "$bin/$1" "${@:2}"; else "$bin/$1" "${@:2}"; fi
}

if [[ -z "$RING_PG" ]]; then
  PG_DIR="$CLUSTER_DIR/postgres"
  # As root the server runs as the postgres user, which must reach its directory; a private CLUSTER_DIR (mktemp)
  # is not traversable by it, so the server then lives in a directory of its own under /tmp.
  if (( EUID == 0 )) && ! runuser -u postgres -- test -x "$CLUSTER_DIR"; then
    PG_DIR="/tmp/metrics-cluster-pg-$PG_PORT"
  fi
  PGDATA="$PG_DIR/data"
  mkdir -p "$PG_DIR"
  (( EUID == 0 )) && chown postgres "$PG_DIR"
  if [[ ! -f "$PGDATA/PG_VERSION" ]]; then
    log "initdb in $PGDATA"
    pg_tool initdb -D "$PGDATA" -U postgres --auth=trust >"$LOGS/initdb.log" 2>&1 || die "initdb failed (see $LOGS/initdb.log)"
  fi
  log "starting PostgreSQL on 127.0.0.1:$PG_PORT (log $PG_DIR/postgres.log)"
  pg_tool pg_ctl start -D "$PGDATA" -l "$PG_DIR/postgres.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k /tmp" >/dev/null || die "PostgreSQL did not start (see $PG_DIR/postgres.log)"
  PG_STARTED="$PGDATA"
  RING_PG="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres"
fi

# ---- The binary --------------------------------------------------------------------------------
if [[ -z "$MC_BIN" ]]; then
  log "publishing src/MetricsCluster (Release) to $CLUSTER_DIR/bin"
  dotnet publish "$REPO/src/MetricsCluster/MetricsCluster.csproj" -c Release -o "$CLUSTER_DIR/bin" --nologo >"$LOGS/publish.log" 2>&1 \
    || die "dotnet publish failed (see $LOGS/publish.log)"
  MC_BIN="$CLUSTER_DIR/bin/metrics-cluster"
fi
[[ -x "$MC_BIN" ]] || die "$MC_BIN is not an executable"

stop_all() {
  local pid
  log "stopping (SIGTERM; ingesters flush and ship their heads first)"
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ -n "$PG_STARTED" ]]; then pg_tool pg_ctl stop -D "$PG_STARTED" -m fast -w >/dev/null || true; fi
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- The processes -----------------------------------------------------------------------------
# shellcheck disable=SC2086 # MC_EXTRA_ARGS is a word list on purpose.
start() { # name http-port rpc-port target more-flags...
  local name=$1 port=$2 rpc=$3 target=$4
  mkdir -p "$CLUSTER_DIR/$name"
  "$MC_BIN" --config.file="$CONFIG" --target="$target" --ring.instance-id="$name" \
    --ring.postgres.connection-string="$RING_PG" \
    --server.http-listen-address=127.0.0.1 --server.http-listen-port="$port" --server.rpc-listen-port="$rpc" \
    --data.dir="$CLUSTER_DIR/$name" --blocks-storage.filesystem.dir="$CLUSTER_DIR/bucket" "${@:5}" $MC_EXTRA_ARGS \
    >"$LOGS/$name.log" 2>&1 &
  PIDS+=("$!")
  local deadline=$((SECONDS + 120))
  until curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/ready" 2>/dev/null; do
    kill -0 "$!" 2>/dev/null || { tail -n 20 "$LOGS/$name.log" >&2; die "$name exited (log: $LOGS/$name.log)"; }
    (( SECONDS < deadline )) || die "$name not ready within 120s (log: $LOGS/$name.log)"
    sleep 0.5
  done
  log "$name ready: http://127.0.0.1:$port (rpc $rpc, log $LOGS/$name.log)"
}

for i in 0 1 2; do
  start "ingester-$i" $((BASE_PORT + 1 + i)) $((RPC_BASE_PORT + i)) ingester
done
start store-gateway $((BASE_PORT + 5)) $((RPC_BASE_PORT + 4)) store-gateway
start compactor $((BASE_PORT + 6)) $((RPC_BASE_PORT + 5)) compactor
start distributor "$BASE_PORT" $((RPC_BASE_PORT + 6)) distributor
start querier $((BASE_PORT + 4)) $((RPC_BASE_PORT + 7)) querier

cat >&2 <<MSG
run-local: the cluster is up.
  remote write:  http://127.0.0.1:$BASE_PORT/api/v1/push
  queries:       http://127.0.0.1:$((BASE_PORT + 4))/prometheus   (Grafana data source URL)
  ingester ring: http://127.0.0.1:$BASE_PORT/ingester/ring
  store-gateway ring: http://127.0.0.1:$((BASE_PORT + 5))/store-gateway/ring
  logs:          $LOGS
Ctrl-C stops everything.
MSG
wait -n "${PIDS[@]}" || true
log "a process exited; see $LOGS"
