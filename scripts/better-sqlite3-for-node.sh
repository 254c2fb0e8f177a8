#!/bin/sh
# better-sqlite3 per Node version. The lockfile pins 12.x, the last line that runs on Node 20. On Node 24.19 a 12.x
# build aborts the process (SIGABRT, "Assertion failed: (env) != nullptr" in RemoveEnvironmentCleanupHook) when the
# garbage collector frees a Statement (nodejs/node#65446). 13.x is Node-API, with prebuilt binaries inside the package,
# needs Node >= 22, and does not abort. So on Node >= 22 this swaps 13.x in, without saving it; on Node 20 it does
# nothing. Run it in the project folder right after `npm ci` (extra arguments go to npm, e.g. --omit=dev).
set -eu
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 22 ] || exit 0
npm install --no-save --no-audit --no-fund --ignore-scripts "$@" better-sqlite3@13.2.0 >&2
node -e "const D = require('better-sqlite3'); new D(':memory:').close(); console.log('better-sqlite3 ' + require('better-sqlite3/package.json').version + ' on Node ' + process.version)"
