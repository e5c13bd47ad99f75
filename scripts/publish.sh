#!/usr/bin/env bash
# Publishes the metrics-cluster binary exactly as the container image carries it. The Dockerfile's build stage
# runs this script, and deploy/helm/test.sh runs it too and starts what it published, so what CI tests and what
# the image ships cannot drift apart.
#
#   bash scripts/publish.sh OUT_DIR        # framework-dependent linux-x64 Release build into OUT_DIR
#
# Environment:
#   PUBLISH_RID          runtime identifier [linux-x64] (linux-arm64 for arm64 images)
#   PUBLISH_READY_TO_RUN true|false: precompile the assemblies (ReadyToRun) [false; see below]
#
# Framework-dependent: the image's base (mcr.microsoft.com/dotnet/aspnet) carries the .NET and ASP.NET Core
# runtimes, so the published directory holds only our assemblies and their packages.
# ReadyToRun is off by default: measured with this script (docs/kubernetes.md, "The image"), it shortened the
# start to /ready, but the project turns tiered compilation off for ingest throughput (src/MetricsCluster/
# MetricsCluster.csproj), and with tiering off precompiled code is never re-jitted, so hot paths would stay in
# the less optimised ReadyToRun code for the life of the process.
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:?usage: scripts/publish.sh OUT_DIR}"
rid="${PUBLISH_RID:-linux-x64}"
r2r="${PUBLISH_READY_TO_RUN:-false}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet publish src/MetricsCluster/MetricsCluster.csproj -c Release -r "$rid" --self-contained false \
  -p:PublishReadyToRun="$r2r" -o "$out" -nologo -v minimal -tl:off
test -x "$out/metrics-cluster" || { echo "publish: $out/metrics-cluster was not produced" >&2; exit 1; }
