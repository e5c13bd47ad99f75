#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs the real servers the end-to-end tests
# start (Prometheus, promtool, VictoriaMetrics, ...), builds everything, runs every test project,
# and prints one closing line "N passed, M failed, K skipped".
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build MetricsCluster.sln -c Release -nologo -v quiet

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test MetricsCluster.sln -c Release --no-build -nologo 2>&1 | tee "$log" || status=$?

# Sum the per-assembly summaries ("Passed!  - Failed: 0, Passed: 12, Skipped: 0, Total: 12").
read -r passed failed skipped < <(grep -E '(Passed|Failed)!? +- +Failed:' "$log" | sed -E 's/.*Failed: *([0-9]+), Passed: *([0-9]+), Skipped: *([0-9]+).*/\2 \1 \3/' \
  | awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
# The Helm chart and the image's publish step (docs/kubernetes.md, "Chart checks"), counted with the tests.
helm_log=$(mktemp)
bash deploy/helm/test.sh 2>&1 | tee "$helm_log" || status=1
if read -r hp hf hs < <(sed -nE 's/^Helm chart checks: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3/p' "$helm_log"); then
  passed=$((passed + hp)); failed=$((failed + hf)); skipped=$((skipped + hs))
else
  status=1
fi
# The Go renderer the chart checks use (tools/helm-render), its own tests.
bash tools/helm-render/test.sh 2>&1 | tee "$helm_log" || status=1
if read -r rp rf < <(sed -nE 's/^helm-render: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' "$helm_log"); then
  passed=$((passed + rp)); failed=$((failed + rf))
else
  status=1
fi
rm -f "$helm_log"
summary=tests/PromQL.Tests/bin/Release/net10.0/promql-script-summary.txt
if [ -f "$summary" ]; then
  sed -n '1,12p' "$summary"   # PromQL script evals: passed / skipped with reasons (every skip is listed in the file)
fi
echo "Tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
assemblies=$(grep -cE '(Passed|Failed)!? +- +Failed:' "$log" || true)
projects=$(grep -c 'Tests.csproj' MetricsCluster.sln || true)
if [ "$assemblies" -ne "$projects" ]; then
  echo "expected results from $projects test projects, found $assemblies" >&2
  status=1
fi
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  echo "test run failed (exit $status)" >&2
  exit 1
fi
