#!/usr/bin/env bash
# Makes sure a Docker engine and docker-compose are installed and running.
# Installs Debian's docker.io and docker-compose when missing (needs root) and starts dockerd in the
# background when nothing answers. Under CI=true any failure here is fatal; elsewhere the Docker tests
# are skipped with a message instead.
set -uo pipefail
fail() {
  echo "docker-engine: $*" >&2
  if [ "${CI:-}" = "true" ]; then exit 1; fi
  echo "docker-engine: Docker end-to-end tests will be skipped" >&2
  exit 0
}
if ! command -v dockerd >/dev/null || ! command -v docker-compose >/dev/null; then
  [ "$(id -u)" = 0 ] || fail "Docker engine or docker-compose missing and not root to install them: apt-get install docker.io docker-compose"
  echo "docker-engine: installing docker.io and docker-compose from Debian" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || fail "apt-get update failed"
  apt-get install -y -qq docker.io docker-compose >/dev/null || fail "apt-get install docker.io docker-compose failed"
fi
# The local base images' PID 1 (scripts/local-base.sh): Debian's tini-static, a dependency of docker.io.
if [ ! -x /usr/bin/tini-static ]; then
  [ "$(id -u)" = 0 ] || fail "/usr/bin/tini-static missing and not root to install it: apt-get install tini"
  echo "docker-engine: installing tini from Debian" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || fail "apt-get update failed"
  apt-get install -y -qq tini >/dev/null || fail "apt-get install tini failed"
fi
if ! docker info >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || fail "dockerd is not running and this user cannot start it"
  echo "docker-engine: starting dockerd" >&2
  nohup dockerd >/tmp/toolkit-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || fail "dockerd did not start; see /tmp/toolkit-dockerd.log"
fi
echo "docker-engine: $(docker version --format 'engine {{.Server.Version}}')" >&2
