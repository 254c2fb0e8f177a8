import type { Config } from '../../config';
import { CliError } from '../exit-codes';

// Placeholder until the command is built.
export const alertsHelp = `refinery alerts (not built yet)`;

export function alertsCommand(_config: Config, _argv: string[]): Promise<number> {
  return Promise.reject(new CliError('refinery alerts is not built yet'));
}
