# Debian packages for the provisioning scripts (sourced; the caller defines `fail` and `say`).
# Root installs directly, a user with password-less sudo through sudo; anyone else is told the command.

# Prints the packages of "$@" that are not installed.
apt_missing() {
  local package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || echo "$package"
  done
}

# apt_install LOG PACKAGE…: installs the packages, keeping apt's output in LOG.
apt_install() {
  local log="$1"
  shift
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo=(sudo -n); else
      fail "missing Debian packages ($*) and not root: run 'apt-get install $*' as root, then this script again"
    fi
  fi
  command -v apt-get >/dev/null 2>&1 || fail "missing packages ($*) and no apt-get here: install them with this system's package manager"
  mkdir -p "$(dirname "$log")"
  say "apt-get install $* (log: $log)"
  if ! { "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$@"; } >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    fail "apt-get install $* failed (log: $log)"
  fi
}
