#!/usr/bin/env bash
# Gives @tensorflow/tfjs-node its native binding without the libtensorflow download its install
# script attempts (Google storage is unreachable on offline machines). The C and eager C API that
# the binding uses ship inside the PyPI wheel `tensorflow-cpu`: its libtensorflow_cc.so.2 and
# libtensorflow_framework.so.2 export TF_* / TFE_*, and its include/ tree has the headers.
# Idempotent: exits early when the binding already loads.
set -euo pipefail

TF_WHEEL_VERSION="${LATENT_LAB_TF_WHEEL_VERSION:-2.21.0}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pkg="$root/node_modules/@tensorflow/tfjs-node"
cache="${LATENT_LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/latent-lab}"
stage="$cache/tensorflow-cpu-$TF_WHEEL_VERSION"

log() { echo "provision-libtensorflow: $*" >&2; }

binding_loads() {
  (cd "$root" && node -e "require('@tensorflow/tfjs-node')" >/dev/null 2>&1)
}

if [ ! -d "$pkg" ]; then
  log "error: $pkg is missing; run 'npm ci' first (tfjs-node is an optional dependency)"
  exit 1
fi
if binding_loads; then
  log "tfjs-node binding already loads; nothing to do"
  exit 0
fi

[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || {
  log "error: only linux x86_64 is provisioned from the tensorflow-cpu wheel; the fallback backend will be used"
  exit 1
}

if [ ! -f "$stage/.complete" ]; then
  log "fetching tensorflow-cpu==$TF_WHEEL_VERSION wheel from PyPI (about 275 MB, cached in $cache)"
  mkdir -p "$cache/wheels"
  pip_cmd=(python3 -m pip)
  "${pip_cmd[@]}" download --quiet --no-deps --only-binary=:all: \
    --platform manylinux_2_27_x86_64 --python-version 3.11 \
    -d "$cache/wheels" "tensorflow-cpu==$TF_WHEEL_VERSION"
  wheel="$(ls "$cache"/wheels/tensorflow_cpu-"$TF_WHEEL_VERSION"-*.whl | head -n 1)"
  rm -rf "$stage.partial"
  mkdir -p "$stage.partial"
  python3 - "$wheel" "$stage.partial" <<'PY'
import sys, zipfile
wheel, dest = sys.argv[1], sys.argv[2]
wanted = ("tensorflow/libtensorflow_cc.so.2", "tensorflow/libtensorflow_framework.so.2")
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name in wanted or name.startswith("tensorflow/include/"):
            z.extract(name, dest)
PY
  rm -rf "$stage"
  mv "$stage.partial" "$stage"
  touch "$stage/.complete"
fi

log "placing libtensorflow into $pkg/deps"
rm -rf "$pkg/deps"
mkdir -p "$pkg/deps/lib"
# Hard links keep 850 MB from being copied when cache and project share a filesystem.
for lib in libtensorflow_cc.so.2 libtensorflow_framework.so.2; do
  ln -f "$stage/tensorflow/$lib" "$pkg/deps/lib/$lib" 2>/dev/null || cp "$stage/tensorflow/$lib" "$pkg/deps/lib/$lib"
done
# binding.gyp links -ltensorflow -ltensorflow_framework; the runtime names come from the SONAMEs.
ln -sf libtensorflow_cc.so.2 "$pkg/deps/lib/libtensorflow.so"
ln -sf libtensorflow_cc.so.2 "$pkg/deps/lib/libtensorflow.so.2"
ln -sf libtensorflow_framework.so.2 "$pkg/deps/lib/libtensorflow_framework.so"
ln -sfn "$stage/tensorflow/include" "$pkg/deps/include"

log "building the tfjs-node binding with node-gyp"
node_gyp="$(dirname "$(command -v npm)")/../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"
[ -f "$node_gyp" ] || node_gyp="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"
# node-gyp would download Node's headers; use the installed ones (npm's nodedir, else node's prefix).
nodedir="${npm_config_nodedir:-$(npm config get nodedir 2>/dev/null || true)}"
if [ -z "$nodedir" ] || [ "$nodedir" = "undefined" ] || [ "$nodedir" = "null" ]; then
  nodedir="$(dirname "$(dirname "$(command -v node)")")"
fi
[ -f "$nodedir/include/node/node_api.h" ] || {
  log "error: Node's headers are not under $nodedir/include/node; install them (Debian: libnode-dev / nodejs headers) or set npm_config_nodedir"
  exit 1
}
(cd "$pkg" && npm_config_nodedir="$nodedir" npm_config_node_gyp="$node_gyp" "$root/node_modules/.bin/node-pre-gyp" rebuild --build-from-source >"$cache/node-gyp.log" 2>&1) || {
  log "error: building the binding failed; see $cache/node-gyp.log"
  tail -n 20 "$cache/node-gyp.log" >&2
  exit 1
}

if binding_loads; then
  log "tfjs-node binding built against tensorflow-cpu $TF_WHEEL_VERSION"
else
  log "error: the binding was built but does not load:"
  (cd "$root" && node -e "require('@tensorflow/tfjs-node')") 2>&1 | tail -n 5 >&2
  exit 1
fi
