#!/usr/bin/env bash
# The one entry point from a bare machine: `bash scripts/run.sh <root script> [args]`.
# Brings the pinned Node and pnpm, installs dependencies, and for the scripts that need containers
# (test, images) makes sure a Docker engine runs (and Chromium, for the web page tests, and Prometheus,
# for the alert rule tests); then runs
# `pnpm <script>`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/toolchain.sh"
cd "$here/.."
pnpm install --frozen-lockfile --reporter=append-only >&2
case "${1:-}" in
  test)
    bash "$here/docker-engine.sh"
    bash "$here/ensure-chromium.sh"
    bash "$here/ensure-proxy-tools.sh"
    bash "$here/ensure-prometheus.sh"
    ;;
  bench) bash "$here/ensure-proxy-tools.sh" ;;
  images) bash "$here/docker-engine.sh" ;;
  demo)
    # The Compose form runs the images: an engine, and the images built (on the local base where
    # nothing can be pulled: TOOLKIT_LOCAL_BASE=1).
    if [[ " $* " == *" --compose "* ]]; then
      bash "$here/docker-engine.sh"
      pnpm images >&2
    fi
    ;;
esac
exec pnpm "$@"
