#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed at /usr/bin/chromium, for the web page tests (driven by
# playwright-core, which brings no browser of its own). Installs it when missing (needs root). Under
# CI=true any failure here is fatal; elsewhere the browser tests are skipped with a message instead.
set -uo pipefail
fail() {
  echo "ensure-chromium: $*" >&2
  if [ "${CI:-}" = "true" ]; then exit 1; fi
  echo "ensure-chromium: browser tests will be skipped" >&2
  exit 0
}
if [ ! -x /usr/bin/chromium ]; then
  [ "$(id -u)" = 0 ] || fail "/usr/bin/chromium missing and not root to install it: apt-get install chromium"
  echo "ensure-chromium: installing chromium from Debian" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || fail "apt-get update failed"
  apt-get install -y -qq chromium >/dev/null || fail "apt-get install chromium failed"
fi
/usr/bin/chromium --version >/dev/null 2>&1 || fail "/usr/bin/chromium does not run"
echo "ensure-chromium: $(/usr/bin/chromium --version 2>/dev/null)" >&2
