import fs from 'node:fs';
import path from 'node:path';

/** Repository root (dist/temporal or src/temporal → two levels up). */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

const INSTALL_HINT = 'run `npm run tools` (scripts/install-temporal.sh)';

/** The Temporal CLI: TEMPORAL_CLI_PATH, then `temporal` on PATH, then the project's .tools cache. */
export function temporalCliPath(explicit = process.env.TEMPORAL_CLI_PATH): string {
  if (explicit) {
    if (!fs.existsSync(explicit)) throw new Error(`TEMPORAL_CLI_PATH=${explicit} does not exist; fix or unset it`);
    return explicit;
  }
  const found = onPath('temporal');
  if (found) return found;
  const cached = path.join(PROJECT_ROOT, '.tools', 'temporal-cli', 'bin', 'temporal');
  if (fs.existsSync(cached)) return cached;
  throw new Error(`the Temporal CLI is not installed: ${INSTALL_HINT} or set TEMPORAL_CLI_PATH`);
}

/** The time-skipping test server: TEMPORAL_TEST_SERVER_PATH, then the project's .tools cache. */
export function temporalTestServerPath(explicit = process.env.TEMPORAL_TEST_SERVER_PATH): string {
  if (explicit) {
    if (!fs.existsSync(explicit))
      throw new Error(`TEMPORAL_TEST_SERVER_PATH=${explicit} does not exist; fix or unset it`);
    return explicit;
  }
  const cached = path.join(PROJECT_ROOT, '.tools', 'temporal-test-server', 'bin', 'temporal-test-server');
  if (fs.existsSync(cached)) return cached;
  throw new Error(`the Temporal time-skipping test server is not installed: ${INSTALL_HINT}`);
}
