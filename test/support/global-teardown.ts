import fs from 'node:fs';
import type { DevServer } from '../../src/temporal/dev-server';
import { SHARED_ENV_VAR, type SharedTestEnv } from './shared-env';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as { __refineryServer?: DevServer }).__refineryServer;
  await server?.stop();
  const raw = process.env[SHARED_ENV_VAR];
  if (raw) fs.rmSync((JSON.parse(raw) as SharedTestEnv).tmpDir, { recursive: true, force: true });
}
