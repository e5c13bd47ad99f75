#!/usr/bin/env bash
# Runs MetricsCluster on its embedded default (every module in one process, data under ./data, HTTP on
# port 9009): publishes the binary once with visible progress, then starts it. Arguments go to the binary:
#
#   bash scripts/run.sh                                  # the embedded default
#   bash scripts/run.sh --auth.tenant-from-basic-auth    # any flag of the configuration reference
#
# The first build takes a few minutes on a fresh clone; later runs rebuild only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

out=artifacts/run
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
echo "run: building metrics-cluster into $out (the first build takes a few minutes; each project is listed as it finishes)" >&2
start=$SECONDS
if ! dotnet publish src/MetricsCluster/MetricsCluster.csproj -c Release -o "$out" -nologo -v minimal -tl:off >&2; then
  echo "run: the build failed (see above)" >&2
  exit 1
fi
echo "run: built in $((SECONDS - start))s; starting $out/metrics-cluster $*" >&2
exec "$out/metrics-cluster" "$@"
