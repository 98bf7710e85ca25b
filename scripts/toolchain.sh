# Sourced by the other scripts: puts the pinned Node (.node-version) and pnpm (package.json
# "packageManager") on PATH. Both come from the npm registry into .tools/ when the machine lacks
# those exact versions, so a machine with only npm needs nothing else.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node_version="$(cat "$root/.node-version")"
pnpm_version="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$root/package.json")"
tools="$root/.tools"
export PATH="$tools/node_modules/.bin:$PATH"

has_version() { command -v "$1" >/dev/null && [ "$("$1" --version 2>/dev/null)" = "$2" ]; }

missing=()
has_version node "v$node_version" || missing+=("node@$node_version")
has_version pnpm "$pnpm_version" || missing+=("pnpm@$pnpm_version")
if [ ${#missing[@]} -gt 0 ]; then
  echo "toolchain: installing ${missing[*]} into .tools/" >&2
  mkdir -p "$tools"
  [ -f "$tools/package.json" ] || echo '{"private":true}' >"$tools/package.json"
  npm install --prefix "$tools" --no-audit --no-fund --loglevel=error "${missing[@]}" >&2
  hash -r
  has_version node "v$node_version" || { echo "toolchain: node $node_version not usable" >&2; exit 1; }
fi
