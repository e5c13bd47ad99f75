#!/usr/bin/env bash
# Installs the Debian packages the tests and benchmarks need. Idempotent: when everything is
# present it changes nothing and does not touch apt. Safe in CI (CI=true, no stdin, root).
#
#   bash scripts/install-deps.sh            # install what is missing
#   bash scripts/install-deps.sh --check    # only report; exit 1 if something is missing
#
#   prometheus                Prometheus 2.x server and promtool (block checks, peer benchmark)
#   prometheus-node-exporter  a real scrape target for the agent tests
#   prometheus-alertmanager   the ruler's notification target
#   victoria-metrics          peer benchmark
#   postgresql                ring membership store (--ring.store=postgres) tests
#   chromium                  the web UI's browser tests (Microsoft.Playwright drives /usr/bin/chromium)
#   memcached                 the query-frontend's memcached results cache tests
#
# Also installed, from npm rather than Debian: azurite at exactly AZURITE_VERSION (npm install -g), the Azure
# Storage emulator that the --ring.store=azure tests run as a child process. It needs node and npm on PATH
# (this script does not install Node.js); it is reinstalled only when `azurite --version` differs.
#
# Also checked, not installed: moto_server (pip package moto[server]), the S3 endpoint of
# tests/ObjectStore.Tests. It is preinstalled on the project's machines and is no Debian package; without
# it those tests fail loudly (they never skip), and --check exits 1.
#
# Package services are NOT started by the install (a policy-rc.d denies it while apt runs), so
# nothing ends up listening on 9090/9093/9100/5432; tests start their own instances.
set -euo pipefail

CHECK_ONLY=0
case "${1:-}" in
  "") ;;
  --check) CHECK_ONLY=1 ;;
  -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
  *) echo "install-deps: unknown argument '$1' (use --check or nothing)" >&2; exit 2 ;;
esac

log() { printf 'install-deps: %s\n' "$*" >&2; }
die() { printf 'install-deps: ERROR: %s\n' "$*" >&2; exit 1; }

# Pinned exactly: a test fixture passes Azurite's flags and the engine pins the Azure clients' service versions
# to what this release accepts (tests/Shared/AzuriteServer.cs, src/Cluster/Engine/Azure/AzureEngine.cs).
AZURITE_VERSION=3.37.0

PACKAGES=(prometheus prometheus-node-exporter prometheus-alertmanager victoria-metrics postgresql chromium memcached)

# What must exist once a package is installed: commands on PATH, or (for postgresql, whose server
# binaries live outside PATH) a glob that must match.
declare -A PROVIDES=(
  [prometheus]="cmd:prometheus cmd:promtool"
  [prometheus-node-exporter]="cmd:prometheus-node-exporter"
  [prometheus-alertmanager]="cmd:prometheus-alertmanager cmd:amtool"
  [victoria-metrics]="cmd:victoria-metrics"
  [postgresql]="cmd:pg_ctlcluster glob:/usr/lib/postgresql/*/bin/initdb glob:/usr/lib/postgresql/*/bin/postgres"
  [chromium]="cmd:chromium"
  [memcached]="cmd:memcached"
)

dpkg_installed() { # package
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" == "installed" ]]
}

provides_ok() { # package
  local item pattern
  for item in ${PROVIDES[$1]}; do
    case "$item" in
      cmd:*) command -v "${item#cmd:}" >/dev/null 2>&1 || return 1 ;;
      glob:*)
        pattern="${item#glob:}"
        # shellcheck disable=SC2086 # The glob must expand.
        compgen -G "$pattern" >/dev/null || return 1 ;;
    esac
  done
}

missing_packages() {
  local p
  for p in "${PACKAGES[@]}"; do
    if ! dpkg_installed "$p" || ! provides_ok "$p"; then
      echo "$p"
    fi
  done
}

azurite_ok() {
  command -v azurite >/dev/null 2>&1 && [[ "$(azurite --version 2>/dev/null || true)" == "$AZURITE_VERSION" ]]
}

# Installs azurite@AZURITE_VERSION globally when it is missing or another version; --check only reports.
ensure_azurite() {
  if azurite_ok; then
    log "azurite $AZURITE_VERSION present"
    return 0
  fi
  log "missing: azurite $AZURITE_VERSION (npm; found: $(azurite --version 2>/dev/null || echo none))"
  (( CHECK_ONLY == 0 )) || return 1
  command -v npm >/dev/null 2>&1 || die "npm not found: azurite $AZURITE_VERSION is an npm package (install Node.js with npm first)"
  local sudo=()
  if (( EUID != 0 )); then
    sudo -n true 2>/dev/null || die "not root and no password-less sudo: run as root to install azurite"
    sudo=(sudo -n)
  fi
  log "npm install -g azurite@$AZURITE_VERSION"
  "${sudo[@]}" npm install -g --no-audit --no-fund "azurite@$AZURITE_VERSION" </dev/null \
    || die "npm install -g azurite@$AZURITE_VERSION failed (see the npm output above)"
  azurite_ok || die "azurite --version is '$(azurite --version 2>/dev/null || echo none)' after the install, expected $AZURITE_VERSION"
  log "installed: azurite $AZURITE_VERSION"
}

command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: this script needs a Debian-based system"

MOTO_OK=1
if ! command -v moto_server >/dev/null 2>&1; then
  MOTO_OK=0
  log "WARNING: moto_server is not on PATH: the S3 tests in tests/ObjectStore.Tests will fail (install the pip package 'moto[server]')"
fi

mapfile -t MISSING < <(missing_packages)
if (( ${#MISSING[@]} == 0 )); then
  log "all present: ${PACKAGES[*]}"
  ensure_azurite || exit 1
  (( MOTO_OK || ! CHECK_ONLY )) || exit 1
  exit 0
fi
log "missing: ${MISSING[*]}"
if (( CHECK_ONLY )); then
  ensure_azurite || true
  exit 1
fi

SUDO=()
if (( EUID != 0 )); then
  command -v sudo >/dev/null 2>&1 || die "not root and no sudo: run as root to install ${MISSING[*]}"
  sudo -n true 2>/dev/null || die "not root and sudo needs a password: run as root to install ${MISSING[*]}"
  SUDO=(sudo -n)
fi

# Keep apt from starting the packages' daemons (exit 101 = "action forbidden" for invoke-rc.d).
POLICY=/usr/sbin/policy-rc.d
CREATED_POLICY=0
if [[ ! -e "$POLICY" ]]; then
  printf '#!/bin/sh\n# Written by metrics-cluster scripts/install-deps.sh for the duration of an install.\nexit 101\n' \
    | "${SUDO[@]}" tee "$POLICY" >/dev/null
  "${SUDO[@]}" chmod 755 "$POLICY"
  CREATED_POLICY=1
fi
cleanup() { if (( CREATED_POLICY )); then "${SUDO[@]}" rm -f "$POLICY"; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
APT_OPTS=(-y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)

log "apt-get update"
"${SUDO[@]}" apt-get update -q </dev/null || die "apt-get update failed"

log "apt-get install ${MISSING[*]}"
"${SUDO[@]}" apt-get install "${APT_OPTS[@]}" --no-install-recommends "${MISSING[@]}" </dev/null \
  || die "apt-get install ${MISSING[*]} failed (see the apt output above)"

mapfile -t STILL < <(missing_packages)
if (( ${#STILL[@]} > 0 )); then
  for p in "${STILL[@]}"; do
    log "$p: dpkg status '$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || echo absent)', expected: ${PROVIDES[$p]}"
  done
  die "still missing after install: ${STILL[*]}"
fi
log "installed: ${MISSING[*]}"
ensure_azurite
