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

# A small 2-D VAE on the bundled digits, so the explorer opens on something real.
run="latent-lab-runs/sample-vae"
if [ ! -f "$run/latent-lab.json" ]; then
  node dist/cli.js train --model vae --data sample --latent 2 --epochs 5 --out "$run"
fi

if command -v code >/dev/null 2>&1; then
  # Opening a checkpoint's latent-lab.json shows it in the Latent Lab explorer (custom editor).
  code --extensionDevelopmentPath="$PWD" "$PWD" "$PWD/$run/latent-lab.json"
  echo "quickstart: VS Code opened with Latent Lab exploring $run; F1 → 'Latent Lab: New Experiment' trains another."
else
  echo "quickstart: 'code' is not on PATH. Open this folder in VS Code and press F5 (Run Extension), or install the" \
    "'code' command (Command Palette: 'Shell Command: Install code command in PATH') and run this script again."
fi
