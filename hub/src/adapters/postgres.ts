import { createHash } from 'node:crypto';
import {
  createPool,
  sql,
  SchemaValidationError,
  type DatabasePool,
  type DatabaseTransactionConnection,
  type FragmentSqlToken,
  type Interceptor,
  type QueryResultRow,
  type QuerySqlToken,
} from 'slonik';

export { sql };
export type { DatabasePool, DatabaseTransactionConnection, FragmentSqlToken };
/** Anything queries can run on: the pool or a transaction. */
export type Queryable = Pick<
  DatabasePool,
  'query' | 'one' | 'maybeOne' | 'maybeOneFirst' | 'any' | 'anyFirst' | 'many' | 'oneFirst' | 'exists'
>;

/**
 * slonik's `sql.type(schema)` validates nothing unless a result-parser interceptor runs the schema
 * (STACK.md): this is that interceptor, so every typed query's rows are checked at run time.
 */
const resultParserInterceptor: Interceptor = {
  name: 'result-parser',
  transformRowAsync: async (queryContext, query, row) => {
    const parser = queryContext.resultParser;
    if (!parser) return row;
    const result = await parser['~standard'].validate(row);
    if (result.issues) throw new SchemaValidationError(query, row, result.issues);
    return result.value as QueryResultRow;
  },
};

const toNumber = (value: string): number => {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${value} does not fit a JS number`);
  return n;
};

export async function createDatabasePool(
  connectionUri: string,
  options: { maximumPoolSize?: number; validateRows?: boolean } = {},
): Promise<DatabasePool> {
  return createPool(connectionUri, {
    // Without the interceptor `sql.type` rows are trusted as typed (config.validateRows).
    interceptors: options.validateRows === false ? [] : [resultParserInterceptor],
    maximumPoolSize: options.maximumPoolSize ?? 10,
    // slonik runs DISCARD ALL after every use of a pooled connection: one more round trip per
    // request (the benchmark counted two per order change), and it would drop the prepared
    // statements (`prepared` below) that each connection is meant to keep. The hub leaves no
    // other session state behind — settings are SET TRANSACTION / SET LOCAL, no temp tables.
    resetConnection: async () => {},
    // Timestamps travel as ISO strings and int8 as numbers: the JSON the screens get, unchanged.
    typeParsers: [
      { name: 'int8', parse: toNumber },
      { name: 'numeric', parse: (v: string) => Number(v) },
      { name: 'timestamptz', parse: (v: string) => new Date(v).toISOString() },
      { name: 'date', parse: (v: string) => v },
    ],
  });
}

const statementNames = new Map<string, string>();

/**
 * The query as a named prepared statement: each connection parses and plans it once, then only
 * binds and executes it (issue 11 measured parse + plan at 45-56 % of PostgreSQL's CPU on the
 * write path). The name comes from the text, so a query whose text varies with its input
 * (`updateOrder`'s SET list) is one statement per variant, never two texts under one name.
 */
export function prepared<T extends QuerySqlToken>(query: T): T {
  let name = statementNames.get(query.sql);
  if (!name) {
    name = `q_${createHash('sha1').update(query.sql).digest('hex').slice(0, 20)}`;
    // Bounded by the hub's own query texts; a cap guards against a text that embeds data.
    if (statementNames.size < 10_000) statementNames.set(query.sql, name);
  }
  return Object.freeze({ ...query, name });
}

/** The PostgreSQL error code of an error thrown by a query, if any (e.g. '23514' check violation). */
export function pgErrorCode(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Network failures of the connection itself (the server, or the path to it, is gone). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
/** SQLSTATEs of a server that cannot serve now: connection exceptions (08), shutting down or starting, full. */
const UNAVAILABLE_SQLSTATES = /^(08...|57P01|57P02|57P03|53300)$/;
const UNAVAILABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connection error|Connection is closed/i;
const UNAVAILABLE_NAMES = new Set([
  'ConnectionError',
  'BackendTerminatedError',
  'BackendTerminatedUnexpectedlyError',
]);

/**
 * Whether a query failed because PostgreSQL cannot be reached or cannot serve right now (not
 * because of the query): the request then answers 503 with Retry-After, and the outage is
 * reported once, not as one bug per request.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && e && typeof e === 'object'; depth++) {
    const { code, name, message, syscall } = e as {
      code?: unknown;
      name?: unknown;
      message?: unknown;
      syscall?: unknown;
    };
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.test(code)))
      return true;
    // A unix socket that is not there; any other ENOENT (a missing file) is no database outage.
    if (code === 'ENOENT' && syscall === 'connect') return true;
    if (typeof name === 'string' && UNAVAILABLE_NAMES.has(name)) return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
