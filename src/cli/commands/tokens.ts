import { parseArgs } from 'node:util';
import type { Config } from '../../config';
import { getToken, listTokens, revokeToken, type TokenRecord } from '../../library/token-store';
import {
  DEFAULT_EXPIRY,
  issueToken,
  parseExpiry,
  ROLES,
  subjectProblem,
  tokenStatus,
  type Role,
} from '../../library/tokens';
import { CliError, EXIT } from '../exit-codes';
import { cliActor } from '../library-io';
import { withStore } from '../with-store';

export const tokensHelp = `refinery tokens create --subject <name> --role reader|writer|owner|admin [--expires 90d|12h|4w|never]
  Issues a bearer token (printed once on stdout; only its hash is stored). It expires after ${DEFAULT_EXPIRY} unless --expires says otherwise.
refinery tokens list [--json]
  Every token: id, subject, role, status, created, last used, expiry. Never the token.
refinery tokens revoke <id>
  Every API instance refuses the token within a second.`;

const USAGE = 'usage: refinery tokens create|list|revoke (see `refinery help`)';
const when = (iso: string | null, none: string) => (iso ? iso.slice(0, 16).replace('T', ' ') : none);

function table(tokens: TokenRecord[]): string {
  const rows = [
    ['ID', 'SUBJECT', 'ROLE', 'STATUS', 'CREATED', 'LAST USED', 'EXPIRES'],
    ...tokens.map((t) => [
      t.id,
      t.subject,
      t.role,
      tokenStatus(t),
      when(t.createdAt, '-'),
      when(t.lastUsedAt, 'never'),
      when(t.expiresAt, 'never'),
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Token lifecycle from the command line, straight on the store (an admin's machine). */
export async function tokensCommand(config: Config, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      subject: { type: 'string' },
      role: { type: 'string' },
      expires: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const [sub, id] = positionals;
  switch (sub) {
    case 'create': {
      if (!values.subject) throw new CliError('--subject is required: who the token acts as');
      const subjectIssue = subjectProblem(values.subject);
      if (subjectIssue) throw new CliError(`--subject: ${subjectIssue}`);
      if (!ROLES.includes(values.role as Role)) throw new CliError(`--role must be one of ${ROLES.join(', ')}`);
      const expires = values.expires ?? DEFAULT_EXPIRY;
      const expiry = parseExpiry(expires);
      if ('problem' in expiry) throw new CliError(`--expires: ${expiry.problem}`);
      return withStore(config, async (db) => {
        const { token, record } = await issueToken(db, {
          subject: values.subject!,
          role: values.role as Role,
          expires,
          createdBy: cliActor(config).subject,
        });
        // stdout carries the token alone, so scripts can capture it; the rest goes to stderr.
        console.log(token);
        console.error(
          `token ${record.id} for ${record.subject} (${record.role}), ${
            record.expiresAt ? `expires ${when(record.expiresAt, '')} UTC` : 'never expires'
          }: it is shown this once`,
        );
        return EXIT.ok;
      });
    }
    case 'list':
      return withStore(config, async (db) => {
        const tokens = await listTokens(db);
        if (values.json)
          console.log(
            JSON.stringify(
              tokens.map((t) => ({ ...t, status: tokenStatus(t) })),
              null,
              2,
            ),
          );
        else if (tokens.length === 0) console.log('no tokens: create one with `refinery tokens create`');
        else console.log(table(tokens));
        return EXIT.ok;
      });
    case 'revoke':
      if (!id) throw new CliError('usage: refinery tokens revoke <id>; `refinery tokens list` shows the ids');
      return withStore(config, async (db) => {
        if (!(await getToken(db, id))) throw new CliError(`no token "${id}": \`refinery tokens list\` shows the ids`);
        const done = await revokeToken(db, id, new Date().toISOString());
        if (!done) throw new CliError(`no token "${id}"`);
        console.log(
          done.alreadyRevoked
            ? `token ${id} (${done.token.subject}) was already revoked at ${when(done.token.revokedAt, '')} UTC`
            : `revoked token ${id} (${done.token.subject}, ${done.token.role}): API instances refuse it within a second`,
        );
        return EXIT.ok;
      });
    default:
      throw new CliError(USAGE);
  }
}
