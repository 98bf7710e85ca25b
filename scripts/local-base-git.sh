#!/usr/bin/env bash
# Makes toolkit/node-git-base:local: toolkit/node-base:local (scripts/local-base.sh) plus what
# repo-updater runs besides node, taken from this machine: git with its helpers (/usr/lib/git-core:
# git-remote-http(s), git-upload-pack, …) and templates, the ssh client, /bin/sh (dash), cat (its
# credential helper and the user's --validate/--notify commands) and sleep (the tests' commands), each
# with its shared libraries.
# images/repo-updater/Dockerfile asks for it with `# toolkit-local-base: git` (scripts/images/dockerfiles.ts); on it
# the Dockerfile's apt-get step is skipped. Usage: bash scripts/local-base-git.sh (prints the reference).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for tool in git ssh sh cat sleep; do
  command -v "$tool" >/dev/null || { echo "local-base-git: no $tool on this machine (apt-get install git openssh-client)" >&2; exit 1; }
done
git_core="$(git --exec-path)"
extra="$(command -v git) $git_core $(command -v ssh) /bin/sh $(command -v cat) $(command -v sleep)"
[ -d /usr/share/git-core/templates ] && extra="$extra /usr/share/git-core/templates"
TOOLKIT_LOCAL_BASE_IMAGE=toolkit/node-git-base:local TOOLKIT_LOCAL_BASE_EXTRA="$extra" exec bash "$here/local-base.sh"
