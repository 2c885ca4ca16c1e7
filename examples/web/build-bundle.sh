#!/bin/sh
# Rebuilds nats.ws.js, the classic-script (IIFE) bundle of npm nats.ws that index.html loads
# with a plain <script src>, so that the page works opened from file:// with no build step at
# run time. The bundle defines one global, `nats` (window.nats: connect, StringCodec, ...).
#
# nats.ws and the bundler (esbuild) are the versions pinned in tests/js/package.json and its
# lock file; install them first with `cd tests/js && npm ci` (scripts/install-deps.sh does it).
# The output is deterministic for given versions; the bundle's first line names them. Commit
# the regenerated nats.ws.js whenever either pin changes.
#
# Usage: examples/web/build-bundle.sh        (from any directory)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
js="$here/../../tests/js"
esbuild="$js/node_modules/.bin/esbuild"
entry="$js/node_modules/nats.ws/esm/nats.js"
if [ ! -x "$esbuild" ] || [ ! -f "$entry" ]; then
  echo "build-bundle: run 'npm ci' in tests/js first (esbuild or nats.ws missing)" >&2
  exit 1
fi
version() { node -p "require('$js/node_modules/$1/package.json').version"; }
nats_ws=$(version nats.ws)
esb=$(version esbuild)
banner="// nats.ws $nats_ws as one IIFE defining the global \`nats\`, made by examples/web/build-bundle.sh with esbuild $esb (--bundle --format=iife --global-name=nats --minify --target=es2020 --external:crypto). Do not edit."
# --external:crypto: tweetnacl's fallback require('crypto') for Node, never reached in a browser
# (it takes globalThis.crypto first).
"$esbuild" "$entry" --bundle --format=iife --global-name=nats --minify --target=es2020 \
  --external:crypto --legal-comments=none --banner:js="$banner" --outfile="$here/nats.ws.js" --log-level=warning
echo "build-bundle: wrote $here/nats.ws.js (nats.ws $nats_ws, esbuild $esb)"
