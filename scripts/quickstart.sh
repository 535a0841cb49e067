#!/usr/bin/env bash
# Quick start, step 1: install, give the engine its native backend, build, and open VS Code with
# Latent Lab loaded on the bundled sample.
set -euo pipefail
cd "$(dirname "$0")/.."

npm ci --no-audit --no-fund
# Without the native binding the engine still works on the slower fallback backend, so a failure
# here is reported but does not stop the quick start.
bash scripts/provision-libtensorflow.sh || echo "quickstart: native backend unavailable; Latent Lab will use the fallback backend (see README, Backends)" >&2
npm run build
node dist/cli.js info

if command -v code >/dev/null 2>&1; then
  code --extensionDevelopmentPath="$PWD" "$PWD/media/sample"
  echo "quickstart: VS Code opened with Latent Lab loaded; run 'Latent Lab: Show Engine Info' from the Command Palette (F1)."
else
  echo "quickstart: 'code' is not on PATH. Open this folder in VS Code and press F5 (Run Extension), or install the" \
    "'code' command (Command Palette: 'Shell Command: Install code command in PATH') and run this script again."
fi
