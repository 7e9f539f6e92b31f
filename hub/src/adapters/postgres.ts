import {
  createPool,
  sql,
  SchemaValidationError,
  type DatabasePool,
  type DatabaseTransactionConnection,
  type Interceptor,
  type QueryResultRow,
} from 'slonik';

export { sql };
export type { DatabasePool, DatabaseTransactionConnection };
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
  options: { maximumPoolSize?: number } = {},
): Promise<DatabasePool> {
  return createPool(connectionUri, {
    interceptors: [resultParserInterceptor],
    maximumPoolSize: options.maximumPoolSize ?? 10,
    // slonik runs DISCARD ALL after every use of a pooled connection: one more round trip per
    // request (the benchmark counted two per order change). The hub leaves no session state
    // behind — settings are SET TRANSACTION / SET LOCAL, no prepared statements, no temp
    // tables — so there is nothing to discard.
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
