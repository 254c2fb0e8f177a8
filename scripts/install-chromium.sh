#!/usr/bin/env bash
# Makes a Chromium available for the dashboard test (test/e2e/dashboard.test.ts drives it through
# playwright-core, which downloads no browser of its own). Idempotent and quiet: does nothing when
# $REFINERY_CHROMIUM (default /usr/bin/chromium) is already there; otherwise installs Debian's chromium
# package, with fonts so the screenshot has readable text, as root or through passwordless sudo.
#   bash scripts/install-chromium.sh
# Recommended packages are skipped: they bring a desktop's worth of services a headless test never uses.
set -euo pipefail

browser=${REFINERY_CHROMIUM:-/usr/bin/chromium}

log() { printf 'install-chromium.sh: %s\n' "$*" >&2; }
die() {
  log "$*"
  exit 1
}

[ -x "$browser" ] && exit 0
if [ -n "${REFINERY_CHROMIUM:-}" ]; then
  die "REFINERY_CHROMIUM=$REFINERY_CHROMIUM is not an executable file: point it at a Chromium binary, or unset it to use Debian's package"
fi

command -v apt-get >/dev/null 2>&1 ||
  die "no $browser and no apt-get: install Chromium and set REFINERY_CHROMIUM to its path"
sudo=()
if [ "$(id -u)" != 0 ]; then
  sudo -n true 2>/dev/null ||
    die "no $browser: install it (apt-get install chromium) or run this as root; or set REFINERY_CHROMIUM to a Chromium binary"
  sudo=(sudo -n)
fi

log "installing Debian's chromium with apt (first run on this machine only)"
# apt's progress goes to a log that is shown only when something fails.
apt_log=$(mktemp)
trap 'rm -f "$apt_log"' EXIT
if ! { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    chromium fonts-liberation fonts-dejavu-core; } >"$apt_log" 2>&1; then
  tail -n 30 "$apt_log" >&2
  die "apt-get could not install chromium (its output is above): check the Debian package mirror, or set REFINERY_CHROMIUM to a Chromium binary"
fi
[ -x "$browser" ] || die "installed the chromium package but $browser is still missing; set REFINERY_CHROMIUM to the binary's path"
log "chromium installed at $browser"
