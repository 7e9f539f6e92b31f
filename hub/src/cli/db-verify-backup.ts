import path from 'node:path';
import { runCommand } from '../backup/cli-support.js';
import { formatComparison } from '../backup/manifest.js';
import { runVerify } from '../backup/verify.js';

/**
 * `npm run db:verify-backup [-- FILE]`: restores the newest backup of BACKUP_DIR (or FILE) into a
 * scratch database, compares it with its manifest, drops the scratch database. Exit 1, with
 * every reason, when the backup cannot be trusted.
 */
await runCommand(
  'db:verify-backup',
  'npm run db:verify-backup [-- FILE] [--pg-bin DIR]',
  { 'pg-bin': { type: 'string' } },
  async ({ config, values, positionals, say, out, target, usage }) => {
    if (positionals.length > 1) usage('give at most one backup file');
    const db = await target();
    const result = await runVerify({
      databaseUrl: db.url,
      dir: config.backup.dir,
      file: positionals[0],
      now: new Date(),
      binDir: values['pg-bin'],
      say,
    });
    if (result.rows.length) out(formatComparison(result.rows, ['backup', 'restored']));
    const name = path.basename(result.file);
    if (result.problems.length) {
      say(
        `db:verify-backup FAILED: the backup ${result.file} cannot be trusted: ${result.problems.join('; ')}.`,
      );
      return 1;
    }
    out(`backup ${name} verified: it restores, and matches what was backed up`);
    return 0;
  },
);
