import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { openDatabaseTarget, type DatabaseTarget } from './target.js';

/** Exit codes (sysexits.h): a bad command line, a bad configuration. */
const EX_USAGE = 64;
const EX_CONFIG = 78;

class UsageError extends Error {}

export type CommandContext<V> = {
  config: Config;
  values: V;
  positionals: string[];
  /** Progress and warnings (stderr), one line each. */
  say: (line: string) => void;
  /** Results (stdout). */
  out: (text: string) => void;
  /** The database server to work on (DATABASE_URL, else the embedded one), released on exit. */
  target: () => Promise<DatabaseTarget>;
  usage: (message: string) => never;
};

/**
 * Runs one backup command: parses its arguments, loads the configuration, and turns every
 * failure into a sentence on stderr and a non-zero exit code. `main` returns the exit code.
 */
export async function runCommand<O extends NonNullable<ParseArgsConfig['options']>>(
  name: string,
  usageText: string,
  options: O,
  main: (
    ctx: CommandContext<ReturnType<typeof parseArgs<{ options: O; allowPositionals: true }>>['values']>,
  ) => Promise<number>,
): Promise<never> {
  const say = (line: string) => void process.stderr.write(`${line}\n`);
  const out = (text: string) => void process.stdout.write(`${text}\n`);
  let target: DatabaseTarget | undefined;
  let code: number;
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: process.argv.slice(2), options, allowPositionals: true, strict: true });
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const config = loadConfig(process.env);
    code = await main({
      config,
      values: parsed.values,
      positionals: parsed.positionals,
      say,
      out,
      target: async () => (target ??= await openDatabaseTarget(config, say)),
      usage: (message) => {
        throw new UsageError(message);
      },
    });
  } catch (error) {
    if (error instanceof UsageError) {
      say(`${name}: ${error.message}\nusage: ${usageText}`);
      code = EX_USAGE;
    } else if (error instanceof ConfigError) {
      say(`${error.message}\nSee .env.example for what each variable means.`);
      code = EX_CONFIG;
    } else {
      say(`${name} FAILED: ${error instanceof Error ? error.message : String(error)}`);
      code = 1;
    }
  }
  await target
    ?.close()
    .catch((error: unknown) => say(`warning: could not stop the embedded PostgreSQL: ${String(error)}`));
  process.exit(code);
}
