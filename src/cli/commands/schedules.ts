import type { Config } from '../../config';
import { CliError } from '../exit-codes';

// Placeholder until the command is built.
export const schedulesHelp = `refinery schedules (not built yet)`;

export function schedulesCommand(_config: Config, _argv: string[]): Promise<number> {
  return Promise.reject(new CliError('refinery schedules is not built yet'));
}
