#!/usr/bin/env bash
# Makes sure the proxies tls-proxy is tested and measured against are installed from Debian: nginx
# (with the stream module: the PROXY protocol test reads its log, the bench runs its HTTP proxy and
# its `stream` TLS terminator), hitch (the bench's TCP anchor), wrk (the bench's load) and curl.
# Installs what is missing (needs root); any failure is fatal, as the tests need them.
set -euo pipefail
need=()
command -v nginx >/dev/null || need+=(nginx)
[ -e /usr/lib/nginx/modules/ngx_stream_module.so ] || need+=(libnginx-mod-stream)
command -v hitch >/dev/null || need+=(hitch)
command -v wrk >/dev/null || need+=(wrk)
command -v curl >/dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "ensure-proxy-tools: missing ${need[*]} and not root: apt-get install ${need[*]}" >&2; exit 1; }
  echo "ensure-proxy-tools: installing ${need[*]} from Debian" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq "${need[@]}" >/dev/null
  # Debian starts the packaged nginx and hitch services where it can; the tests run their own.
  (systemctl disable --now nginx hitch || service nginx stop || true) >/dev/null 2>&1
fi
echo "ensure-proxy-tools: $(nginx -v 2>&1), $(hitch --version 2>&1 | head -1)" >&2
