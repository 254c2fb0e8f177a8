import type { Config } from '../../config';
import { CliError } from '../exit-codes';

// Placeholder until the command is built.
export const reviewHelp = `refinery review (not built yet)`;

export function reviewCommand(_config: Config, _argv: string[]): Promise<number> {
  return Promise.reject(new CliError('refinery review is not built yet'));
}
