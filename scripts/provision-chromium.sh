#!/usr/bin/env bash
# Debian's Chromium for the browser suites (webview harness, e2e workbench): the browser at
# CHROMIUM_PATH if that is set, else /usr/bin/chromium, installed with apt when missing.
# Idempotent; prints the browser's path on stdout. Non-zero with one "provision-chromium: …" line.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${LATENT_LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/latent-lab}"
say() { echo "provision-chromium: $*" >&2; }
fail() { say "$*"; exit 1; }
# shellcheck source=lib/apt.sh
source "$root/scripts/lib/apt.sh"

if [ -n "${CHROMIUM_PATH:-}" ]; then
  # A path the user chose is theirs: it is checked, never replaced.
  [ -x "$CHROMIUM_PATH" ] || fail "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable: point it at a Chromium, or unset it to use Debian's chromium"
  echo "$CHROMIUM_PATH"
  exit 0
fi
chromium=/usr/bin/chromium
if [ ! -x "$chromium" ]; then
  apt_install "$cache/apt-chromium.log" chromium
  [ -x "$chromium" ] || fail "apt installed chromium but $chromium is missing"
fi
echo "$chromium"
