import { describe, expect, it } from 'vitest';
import { explainStartupFailure, StartupError } from './startup-failure.js';

const facts = { databaseUrl: 'postgres://hub:pw@db.internal:5433/ocpizza', port: 3001, host: '127.0.0.1' };
const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('explainStartupFailure', () => {
  it('names the port, the server or the user, and what to change', () => {
    expect(
      explainStartupFailure(withCode('listen EADDRINUSE: address already in use', 'EADDRINUSE'), facts),
    ).toEqual({
      code: 'startup/port_taken',
      sentence: expect.stringContaining('Port 3001 on 127.0.0.1 is taken') as string,
    });
    const refused = explainStartupFailure(
      withCode('connect ECONNREFUSED 10.0.0.5:5433', 'ECONNREFUSED'),
      facts,
    );
    expect(refused.code).toBe('startup/database_unreachable');
    expect(refused.sentence).toContain('PostgreSQL at db.internal:5433');
    const login = explainStartupFailure(
      withCode('password authentication failed for user "hub"', '28P01'),
      facts,
    );
    expect(login.code).toBe('startup/database_login');
    expect(login.sentence).toContain('refused hub');
    expect(explainStartupFailure(withCode('database "ocpizza" does not exist', '3D000'), facts).code).toBe(
      'startup/database_missing',
    );
  });

  it('names a unix-socket server by its directory', () => {
    const socket = { ...facts, databaseUrl: 'postgres://ocpizza@%2Fvar%2Frun%2Fpostgresql/ocpizza' };
    expect(explainStartupFailure(withCode('connect ENOENT', 'ENOENT'), socket).sentence).toContain(
      'PostgreSQL at /var/run/postgresql:5432',
    );
  });

  it('keeps a StartupError as it is, and never prints "undefined" for what is not an Error', () => {
    expect(explainStartupFailure(new StartupError('startup/x', 'Do this.'), facts)).toEqual({
      code: 'startup/x',
      sentence: 'Do this.',
    });
    const unknown = explainStartupFailure(undefined, facts);
    expect(unknown.code).toBe('startup/failed');
    expect(unknown.sentence).not.toContain('undefined');
  });
});
