import { runCommand } from '../backup/cli-support.js';
import { formatComparison } from '../backup/manifest.js';
import { restoreSummary, runRestore } from '../backup/restore.js';

/**
 * `npm run db:restore -- FILE [--database NAME] [--force]`: restores a backup into a database
 * (DATABASE_URL's by default; created if missing; one holding tables only replaced with --force),
 * then moves the relay's cursor so screens reload instead of skipping or replaying events.
 */
await runCommand(
  'db:restore',
  'npm run db:restore -- FILE [--database NAME] [--force] [--pg-bin DIR]',
  { database: { type: 'string' }, force: { type: 'boolean' }, 'pg-bin': { type: 'string' } },
  async ({ values, positionals, say, out, target, usage }) => {
    if (positionals.length !== 1) usage('give exactly one backup file (OCPDB_….dump)');
    const db = await target();
    const result = await runRestore({
      databaseUrl: db.url,
      file: positionals[0]!,
      database: values.database,
      force: values.force === true,
      binDir: values['pg-bin'],
      say,
    });
    if (result.comparison) {
      out(formatComparison(result.comparison, ['manifest', 'restored']));
      const differing = result.comparison.filter((r) => !r.ok);
      if (differing.length) {
        say(
          `db:restore FAILED: database ${result.database} was restored but differs from the backup's manifest ` +
            `(${differing.map((r) => r.check).join(', ')}): check it before starting the hub.`,
        );
        return 1;
      }
    } else if (result.manifestProblem) {
      say(`warning: nothing to compare the restore with: ${result.manifestProblem}`);
    }
    out(restoreSummary(result));
    return 0;
  },
);
