import { backupSummary, runBackup } from '../backup/backup.js';
import { runCommand } from '../backup/cli-support.js';

/**
 * `npm run db:backup`: pg_dump (custom format) + globals + manifest into BACKUP_DIR, named
 * OCPDB_<UTC time>, then prunes backups older than BACKUP_KEEP_DAYS. Run daily at 03:00 UTC by
 * deploy/systemd/ocp-backup.timer (or deploy/cron/ocp-backup). Progress on stderr.
 */
await runCommand(
  'db:backup',
  'npm run db:backup [-- --pg-bin DIR]',
  { 'pg-bin': { type: 'string' } },
  async ({ config, values, positionals, say, out, target, usage }) => {
    if (positionals.length) usage(`unexpected argument ${positionals[0]}`);
    const db = await target();
    const result = await runBackup({
      databaseUrl: db.url,
      dir: config.backup.dir,
      keepDays: config.backup.keepDays,
      now: config.backup.now ?? new Date(),
      binDir: values['pg-bin'],
      say,
    });
    out(backupSummary(result));
    return 0;
  },
);
