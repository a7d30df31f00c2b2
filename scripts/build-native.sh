#!/usr/bin/env bash
# Builds the TUN addon (native/tun/tun.c → native/tun/build/tun.node): the few ioctls Node cannot
# issue (TUNSETIFF, TUNSETVNETHDRSZ, TUNSETVNETLE, TUNSETOFFLOAD) and a readiness watcher. Plain
# N-API, so one build serves every Node version of the same platform; no node-gyp, no Python.
set -euo pipefail
cd "$(dirname "$0")/.."
src=native/tun/tun.c
out=native/tun/build/tun.node
# Node's own headers: beside the running binary (nvm, tarballs), else the distribution path.
inc="$(node -p "require('node:path').join(process.execPath, '..', '..', 'include', 'node')")"
[ -f "$inc/node_api.h" ] || inc=/usr/include/node
if [ ! -f "$inc/node_api.h" ] || [ ! -f "$inc/uv.h" ]; then
  echo "build-native: node_api.h and uv.h not found (looked beside $(command -v node) and in /usr/include/node)" >&2
  exit 1
fi
if [ "$(uname -s)" != Linux ]; then
  echo "build-native: the TUN addon is Linux-only; skipped" >&2
  exit 0
fi
CC="${CC:-cc}"
mkdir -p "$(dirname "$out")"
# Rebuild only when the source or this script changed, so `npm run build` stays quick.
if [ "$out" -nt "$src" ] && [ "$out" -nt "$0" ]; then exit 0; fi
"$CC" -shared -fPIC -O2 -Wall -Wextra -Werror -std=gnu11 -I"$inc" -o "$out.tmp" "$src"
mv "$out.tmp" "$out"
echo "build-native: $out"
