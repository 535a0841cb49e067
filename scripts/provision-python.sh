#!/usr/bin/env bash
# Cached Python venvs with the reference frameworks. Usage: provision-python.sh [reference|converter|arrow]
#   reference  python/requirements.txt (tensorflow-cpu, tf-keras, umap-learn, torch, onnx, …)
#   converter  python/requirements-converter.txt (tensorflowjs with the TensorFlow it pins)
#   arrow      python/requirements-arrow.txt (pyarrow, for the Parquet and Arrow IPC fixtures)
# Prints the venv's python path on stdout. Idempotent: reinstalls only when the requirements changed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${LATENT_LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/latent-lab}"
which="${1:-reference}"
case "$which" in
  reference) venv="$cache/py311"; req="$root/python/requirements.txt" ;;
  converter) venv="$cache/tfjs-converter"; req="$root/python/requirements-converter.txt" ;;
  arrow) venv="$cache/py-arrow"; req="$root/python/requirements-arrow.txt" ;;
  *) echo "provision-python: error: unknown venv '$which' (reference, converter or arrow)" >&2; exit 2 ;;
esac
stamp="$venv/.requirements.sha256"

log() { echo "provision-python: $*" >&2; }

want="$(sha256sum "$req" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "$venv/bin/python"
  exit 0
fi

log "installing $req into $venv (about a minute with a fast PyPI mirror; several GB)"
python3 -m venv "$venv"
py="$venv/bin/python"
"$py" -m pip install --quiet --upgrade pip >&2
# The tensorflow-cpu wheel may already sit in the cache from provision-libtensorflow.sh.
"$py" -m pip install --quiet --find-links "$cache/wheels" -r "$req" >&2
echo "$want" >"$stamp"
echo "$py"
