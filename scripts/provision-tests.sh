#!/usr/bin/env bash
# Everything `npm test` needs, installed from the registries (npm, PyPI, Debian) by the project's own
# scripts. npm runs this before the tests (the `pretest` script), so a fresh clone needs only the
# README's two commands, and .ci/run only sets CI flags and calls `npm test`.
# Every step is idempotent and cached outside the repository: seconds when warm, about 15 minutes on
# a cold machine. A step that cannot be done here (no root for apt, say) is reported in one line and
# the run goes on: the suites that need it then fail within seconds, naming it and this command.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${LATENT_LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/latent-lab}"
logs="$cache/provision-logs"
mkdir -p "$logs"
missing=()

# step NAME COMMAND…: runs one provisioning script with its output in a log, says how it went in a line.
step() {
  local name="$1" started=$SECONDS
  shift
  local log="$logs/$name.log"
  if "$@" >"$log" 2>&1; then
    echo "provision-tests: $name ready ($((SECONDS - started)) s)"
  else
    # The scripts end with their one-line reason.
    echo "provision-tests: $name NOT ready: $(grep -v '^\s*$' "$log" | tail -n 1) (log: $log)" >&2
    missing+=("$name")
  fi
}

cd "$root"
if [ ! -f node_modules/.package-lock.json ]; then step dependencies npm ci --no-audit --no-fund; fi
step native-backend bash scripts/provision-libtensorflow.sh
step chromium bash scripts/provision-chromium.sh
step python-reference bash scripts/provision-python.sh reference
step python-converter bash scripts/provision-python.sh converter
step python-arrow bash scripts/provision-python.sh arrow
step foreign-fixtures bash scripts/make-foreign-fixtures.sh
step code-server bash scripts/e2e/setup-code-server.sh

if [ "${#missing[@]}" -gt 0 ]; then
  echo "provision-tests: not provisioned: ${missing[*]}; the suites that need them will fail naming them (run 'bash scripts/provision-tests.sh' again once fixed)" >&2
fi
exit 0
