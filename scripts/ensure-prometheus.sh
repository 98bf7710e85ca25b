#!/usr/bin/env bash
# Makes sure Debian's Prometheus is installed: promtool checks and unit-tests the alert rules in alerts/,
# and prometheus itself scrapes the local demo with them loaded (test/alerts*.test.ts). Installs the
# package when either is missing (needs root); its service is never started here, the tests run their
# own. Under CI=true any failure here is fatal; elsewhere those tests are skipped with a message instead.
set -uo pipefail
fail() {
  echo "ensure-prometheus: $*" >&2
  if [ "${CI:-}" = "true" ]; then exit 1; fi
  echo "ensure-prometheus: alert rule tests will be skipped" >&2
  exit 0
}
if ! command -v promtool >/dev/null || ! command -v prometheus >/dev/null; then
  [ "$(id -u)" = 0 ] || fail "promtool or prometheus missing and not root to install them: apt-get install prometheus"
  echo "ensure-prometheus: installing prometheus (and promtool) from Debian" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || fail "apt-get update failed"
  # A package's service is not started in a container without an init; stop it where it was.
  apt-get install -y -qq --no-install-recommends prometheus >/dev/null || fail "apt-get install prometheus failed"
  if command -v systemctl >/dev/null && systemctl is-active --quiet prometheus 2>/dev/null; then
    systemctl stop prometheus >/dev/null 2>&1 || true
  fi
fi
promtool --version >/dev/null 2>&1 || fail "promtool does not run"
echo "ensure-prometheus: $(promtool --version 2>&1 | head -1)" >&2
