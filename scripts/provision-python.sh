#!/usr/bin/env bash
# A cached Python venv with the reference frameworks (python/requirements.txt). Prints the venv's
# python path on stdout. Idempotent: reinstalls only when the requirements file changed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${LATENT_LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/latent-lab}"
venv="$cache/py311"
req="$root/python/requirements.txt"
stamp="$venv/.requirements.sha256"

log() { echo "provision-python: $*" >&2; }

want="$(sha256sum "$req" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "$venv/bin/python"
  exit 0
fi

log "creating $venv (reference frameworks, a few minutes on a cold cache)"
python3 -m venv "$venv"
py="$venv/bin/python"
"$py" -m pip install --quiet --upgrade pip >&2
# The tensorflow-cpu wheel may already sit in the cache from provision-libtensorflow.sh.
"$py" -m pip install --quiet --find-links "$cache/wheels" -r "$req" >&2
echo "$want" >"$stamp"
echo "$py"
