import path from 'node:path';
import { McpTokenError, resolveAccess, writeRefusal } from '../../src/mcp/access';
import { issueToken } from '../../src/library/tokens';
import type { Db } from '../../src/store/db';
import { openStore } from '../../src/store/open';
import { tempDir } from '../support/temporal';

describe('MCP access: who the server acts as, and what a write tool refuses', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openStore(`sqlite:${path.join(tempDir('mcp-access'), 'r.db')}`);
  });
  afterAll(() => db.close());

  test('writer, owner and admin may write; reader and no token are refused, naming the role and the fix', () => {
    for (const role of ['writer', 'owner', 'admin'] as const)
      expect(writeRefusal({ subject: 's', role }, 'propose_version')).toBeUndefined();
    expect(writeRefusal({ subject: 'rita', role: 'reader' }, 'start_eval')).toBe(
      "start_eval needs the writer role (or above); this server's token (rita) has the reader role. Restart " +
        '`refinery mcp` with REFINERY_MCP_TOKEN (or --token) set to a token of role writer, owner, admin ' +
        '(`refinery tokens create --subject <name> --role writer`).',
    );
    expect(writeRefusal({ subject: undefined, role: undefined }, 'decide_tune')).toContain(
      'this server was started without a token and is read-only',
    );
    expect(writeRefusal({ subject: 'o', role: 'writer' }, 'x', 'owner')).toContain('a token of role owner, admin');
  });

  test('tokens are checked against the store; the bootstrap token is an admin; expired ones stop the start', async () => {
    expect(await resolveAccess(db, undefined)).toEqual({ subject: undefined, role: undefined });
    const { token } = await issueToken(db, { subject: 'wes', role: 'writer' });
    expect(await resolveAccess(db, token)).toEqual({ subject: 'wes', role: 'writer' });
    expect(await resolveAccess(db, 'bootstrap-secret-token', 'bootstrap-secret-token')).toEqual({
      subject: 'admin',
      role: 'admin',
    });
    const old = await issueToken(db, { subject: 'old', role: 'admin', expires: '1h', now: Date.now() - 7_200_000 });
    await expect(resolveAccess(db, old.token)).rejects.toThrow(McpTokenError);
    await expect(resolveAccess(db, old.token)).rejects.toThrow(`the MCP token (${old.record.id}) is expired`);
    await expect(resolveAccess(db, 'rfy_x_y')).rejects.toThrow('the MCP token is not known in this store');
  });
});
