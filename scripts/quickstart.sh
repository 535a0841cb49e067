#!/usr/bin/env bash
# Quick start, step 1: install, give the engine its native backend, build, and open VS Code with
# Latent Lab exploring a small VAE trained on the bundled sample.
set -euo pipefail
cd "$(dirname "$0")/.."

npm ci --no-audit --no-fund
# Without the native binding the engine still works on the slower fallback backend, so a failure
# here is reported but does not stop the quick start.
bash scripts/provision-libtensorflow.sh || echo "quickstart: native backend unavailable; Latent Lab will use the fallback backend (see README, Backends)" >&2
npm run build
node dist/cli.js info

# A 2-D VAE on the bundled digits, trained until its map separates the digits and its decodes are
# recognisable, so the explorer opens on what the tool is for. The dense encoder: with a 2-D latent it
# reaches a lower loss than the conv encoder images get by default, in several times fewer seconds.
# The folder is named after the settings, so a model from an older quick start is never taken for
# this one, and a run stopped before its last epoch is trained again.
epochs=60
run="latent-lab-runs/sample-vae-dense-$epochs"
if [ "$(node -p "require('./$run/latent-lab.json').epoch" 2>/dev/null)" != "$epochs" ]; then
  node dist/cli.js train --model vae --data sample --latent 2 --epochs "$epochs" --config '{"encoder":"dense"}' --out "$run"
fi

if command -v code >/dev/null 2>&1; then
  # Opening a checkpoint's latent-lab.json shows it in the Latent Lab explorer (custom editor).
  code --extensionDevelopmentPath="$PWD" "$PWD" "$PWD/$run/latent-lab.json"
  echo "quickstart: VS Code opened with Latent Lab exploring $run; F1 → 'Latent Lab: New Experiment' trains another."
else
  echo "quickstart: 'code' is not on PATH. Open this folder in VS Code and press F5 (Run Extension), or install the" \
    "'code' command (Command Palette: 'Shell Command: Install code command in PATH') and run this script again."
fi
