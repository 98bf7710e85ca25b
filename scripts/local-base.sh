#!/usr/bin/env bash
# Makes toolkit/node-base:local, a distroless-like stand-in for the official Node base image on a machine
# that cannot pull one: the pinned Node binary and the shared libraries it loads, /etc/passwd and
# /etc/group (root, node 1000, nonroot 65532, nobody), a 1777 /tmp, the host's CA bundle; no shell, no
# package manager. `docker import` of a root filesystem packed here; needs only Docker and GNU tar, not root.
#
# Usage: bash scripts/local-base.sh  (prints the image reference on stdout; everything else on stderr)
# Idempotent: when the image exists with the same Node version and the same recipe (this file), it is kept.
# A variant with more of the host in it (scripts/local-base-git.sh): TOOLKIT_LOCAL_BASE_EXTRA, host paths
# copied to the same paths (files dereferenced, directories as they are) with the libraries of every ELF
# file among them, and TOOLKIT_LOCAL_BASE_IMAGE, its tag (…:local; …:<node version>-local is added).
# Another architecture (scripts/local-base-arm64.sh): TOOLKIT_LOCAL_BASE_NODE, its node binary;
# TOOLKIT_LOCAL_BASE_LDD, what lists its libraries; TOOLKIT_LOCAL_BASE_PLATFORM, the image platform.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/toolchain.sh" >&2

image="${TOOLKIT_LOCAL_BASE_IMAGE:-toolkit/node-base:local}"
extra="${TOOLKIT_LOCAL_BASE_EXTRA:-}"
node_bin="$(readlink -f "${TOOLKIT_LOCAL_BASE_NODE:-$(command -v node)}")"
node_version="$("$node_bin" --version)"
case "$node_version" in
  v24.*) ;;
  *) echo "local-base: $node_bin is $node_version, expected Node 24" >&2; exit 1 ;;
esac
ca_bundle="${TOOLKIT_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
[ -f "$ca_bundle" ] || { echo "local-base: no CA bundle at $ca_bundle (set TOOLKIT_CA_BUNDLE)" >&2; exit 1; }
recipe="$( (cat "${BASH_SOURCE[0]}"; [ -z "$extra" ] || echo "$extra") | sha256sum | cut -c1-12)"

current="$(docker image inspect "$image" \
  --format '{{index .Config.Labels "toolkit.base.node-version"}} {{index .Config.Labels "toolkit.base.recipe"}}' \
  2>/dev/null || true)"
if [ "$current" = "$node_version $recipe" ]; then
  echo "local-base: $image is up to date (node $node_version, recipe $recipe)" >&2
  echo "$image"
  exit 0
fi

root="$(mktemp -d "${TMPDIR:-/tmp}/toolkit-node-base.XXXXXX")"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{usr/local/bin,etc/ssl/certs,tmp,root,home/node,home/nonroot}
chmod 1777 "$root/tmp"
chmod 0700 "$root/root"
cp "$node_bin" "$root/usr/local/bin/node"

# Every library the dynamic loader resolves, and the loader itself, each at the path ldd names
# (dereferenced: /lib64/ld-linux-x86-64.so.2 is the interpreter path written into the binary).
elf_files=("$node_bin")
for path in $extra; do
  [ -e "$path" ] || { echo "local-base: $path (TOOLKIT_LOCAL_BASE_EXTRA) is not on this machine" >&2; exit 1; }
  mkdir -p "$root$(dirname "$path")"
  if [ -d "$path" ]; then cp -a "$path" "$root$(dirname "$path")/"; else cp -L "$path" "$root$path"; fi
  while IFS= read -r -d '' file; do
    [ "$(head -c4 "$file" | od -An -c | tr -d ' ')" = '177ELF' ] && elf_files+=("$file")
  done < <(find -L "$path" -type f -print0)
done
for file in "${elf_files[@]}"; do ${TOOLKIT_LOCAL_BASE_LDD:-ldd} "$file" 2>/dev/null || true; done |
  awk '/=> \// { print $3 } /^\t\// { print $1 }' | sort -u | while read -r lib; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done

cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
node:x:1000:1000:node:/home/node:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:
node:x:1000:
nonroot:x:65532:
nogroup:x:65534:
EOF
# glibc 2.34+ has the files and dns NSS modules built in; this only fixes their order.
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
cp -L "$ca_bundle" "$root/etc/ssl/certs/ca-certificates.crt"

# tini, the images' PID 1 (reaps orphaned grandchildren, forwards signals to node): Debian's static
# build, needing no library, at the path the Dockerfiles' ENTRYPOINT names (issue 12 §1).
tini_static="${TOOLKIT_TINI_STATIC:-/usr/bin/tini-static}"
[ -x "$tini_static" ] || { echo "local-base: no $tini_static on this machine (apt-get install tini)" >&2; exit 1; }
mkdir -p "$root/usr/bin"
cp -L "$tini_static" "$root/usr/bin/tini"
chmod -R a+rX,go-w "$root/usr" "$root/etc"

# One tar, owners set per part: root for everything, then each user's home appended with its owner.
archive="$root.tar"
trap 'rm -rf "$root" "$archive"' EXIT
pack() { tar "$1" --file "$archive" --directory "$root" --sort=name --mtime=@0 --numeric-owner "${@:2}"; }
pack --create --owner=0 --group=0 --exclude=./home/node --exclude=./home/nonroot .
pack --append --owner=1000 --group=1000 ./home/node
pack --append --owner=65532 --group=65532 ./home/nonroot

if [ -n "${TOOLKIT_LOCAL_BASE_PLATFORM:-}" ]; then
  # Another platform: Docker 20.10's import ignores --platform (experimental only), so the same root
  # filesystem is ADDed to scratch by a build for that platform, with the same settings as the import
  # below (keep the two in step).
  context="$root.context"
  trap 'rm -rf "$root" "$archive" "$context"' EXIT
  mkdir "$context" && mv "$archive" "$context/rootfs.tar"
  cat >"$context/Dockerfile" <<DOCKERFILE
FROM scratch
ADD rootfs.tar /
ENV PATH=/usr/local/bin:/usr/bin:/bin
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
CMD ["node"]
LABEL toolkit.base.node-version=$node_version toolkit.base.recipe=$recipe
LABEL org.opencontainers.image.title=toolkit-node-base-local
DOCKERFILE
  docker build --quiet --platform "$TOOLKIT_LOCAL_BASE_PLATFORM" --tag "$image" "$context" >&2
else
docker import \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
  --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
  --change 'CMD ["node"]' \
  --change "LABEL toolkit.base.node-version=$node_version toolkit.base.recipe=$recipe" \
  --change 'LABEL org.opencontainers.image.title=toolkit-node-base-local' \
  --message "local stand-in for the Node $node_version base image" \
  "$archive" "$image" >&2
fi
docker tag "$image" "${image%:*}:${node_version#v}-${image##*:}"
echo "local-base: made $image (node $node_version, recipe $recipe)" >&2
echo "$image"
