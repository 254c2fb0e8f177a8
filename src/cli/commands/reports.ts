import type { Config } from '../../config';
import { CliError } from '../exit-codes';

// Placeholder until the command is built.
export const reportsHelp = `refinery reports (not built yet)`;

export function reportsCommand(_config: Config, _argv: string[]): Promise<number> {
  return Promise.reject(new CliError('refinery reports is not built yet'));
}
