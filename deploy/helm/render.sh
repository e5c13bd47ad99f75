#!/usr/bin/env bash
# Renders the metrics-cluster chart the way `helm template` would, with no Helm binary:
#   bash deploy/helm/render.sh [-f values.yaml ...] [--set k=v ...] [other helm-render flags]
# prints the manifests on stdout. Builds tools/helm-render once (cached, rebuilt when its
# sources change; installs Go and its libraries from Debian when missing).
# -f paths are relative to the caller's directory; a bare name that is not there (small.yaml,
# large.yaml) is taken from the chart directory. HELM_RENDER_CHART overrides the chart.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
chart=${HELM_RENDER_CHART:-$here/metrics-cluster}
if [ ! -d "$chart" ]; then
  echo "render.sh: chart directory $chart not found" >&2
  exit 1
fi

resolve_values() {
  local f=$1
  if [ "$f" != "-" ] && [ ! -e "$f" ] && [[ "$f" != */* ]] && [ -e "$chart/$f" ]; then
    f="$chart/$f"
  fi
  printf '%s' "$f"
}

args=()
while [ $# -gt 0 ]; do
  case "$1" in
    -f|--values)
      [ $# -ge 2 ] || { echo "render.sh: $1 needs a file" >&2; exit 1; }
      args+=("$1" "$(resolve_values "$2")"); shift 2 ;;
    -f=*|--values=*)
      args+=("${1%%=*}" "$(resolve_values "${1#*=}")"); shift ;;
    *)
      args+=("$1"); shift ;;
  esac
done

bin=$(bash "$repo/tools/helm-render/build.sh")
exec "$bin" "${args[@]}" "$chart"
