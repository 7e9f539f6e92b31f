import { describe, expect, it } from 'vitest';
import { backupFileNames, backupStamp, newestDump, parseBackupFileName } from './naming.js';
import { planRetention } from './retention.js';

const DAY = 24 * 3600 * 1000;
const now = new Date('2026-11-25T03:00:07Z');

/** The three files of a backup taken `ageMs` before now. */
function backupAged(
  ageMs: number,
  kinds: ('dump' | 'globals' | 'manifest')[] = ['dump', 'globals', 'manifest'],
) {
  const names = backupFileNames(backupStamp(new Date(now.getTime() - ageMs)));
  return kinds.map((k) => names[k]);
}

describe('backup file names', () => {
  it('are OCPDB_ + the UTC time to the second + what the file is', () => {
    const stamp = backupStamp(new Date('2026-11-25T03:00:00.987Z'));
    expect(stamp).toBe('20261125T030000Z');
    expect(backupFileNames(stamp)).toEqual({
      dump: 'OCPDB_20261125T030000Z.dump',
      globals: 'OCPDB_20261125T030000Z_globals.sql',
      manifest: 'OCPDB_20261125T030000Z.manifest.json',
    });
  });

  it('parse back to their time and kind; anything else is not a backup file', () => {
    expect(parseBackupFileName('OCPDB_20261125T030000Z_globals.sql')).toEqual({
      name: 'OCPDB_20261125T030000Z_globals.sql',
      stamp: '20261125T030000Z',
      takenAt: new Date('2026-11-25T03:00:00Z'),
      kind: 'globals',
      partial: false,
    });
    expect(parseBackupFileName('OCPDB_20261125T030000Z.dump.part')?.partial).toBe(true);
    for (const other of [
      'notes.txt',
      'OCPDB_20261125T030000Z.dump.gz',
      'OCPDB_20261125T0300Z.dump',
      'OCPDB_20261332T030000Z.dump', // no such date
      'ocpdb_20261125T030000Z.dump',
      'OCPDB_20261125T030000Z.dump~',
    ]) {
      expect(parseBackupFileName(other), other).toBeUndefined();
    }
  });

  it('the newest dump is chosen by the time in its name, ignoring files being written', () => {
    expect(
      newestDump([
        'OCPDB_20261124T030000Z.dump',
        'OCPDB_20261125T030000Z.dump',
        'OCPDB_20261126T030000Z.dump.part',
        'OCPDB_20261127T030000Z.manifest.json',
      ])?.name,
    ).toBe('OCPDB_20261125T030000Z.dump');
    expect(newestDump(['notes.txt'])).toBeUndefined();
  });
});

describe('retention', () => {
  it('prunes every file of the backups older than 14 days and keeps the others', () => {
    const daily = Array.from({ length: 20 }, (_, i) => backupAged(i * DAY + 5000)); // today … 19 days ago
    const plan = planRetention(daily.flat(), now, 14);
    expect(plan.keep).toHaveLength(14 * 3);
    expect(plan.prune).toEqual(
      daily
        .slice(14)
        .reverse()
        .flatMap((set) => [...set].sort()),
    );
    expect(plan.prune[0]).toBe('OCPDB_20261106T030002Z.dump'); // 19 days ago, oldest first
  });

  it('keeps a backup exactly 14 days old and prunes one a second older', () => {
    const edge = backupAged(14 * DAY);
    const older = backupAged(14 * DAY + 1000);
    const plan = planRetention([...backupAged(0), ...edge, ...older], now, 14);
    expect(plan.keep).toEqual(expect.arrayContaining(edge));
    expect(plan.prune).toEqual(older.sort());
  });

  it('honours another number of days', () => {
    const plan = planRetention([...backupAged(0), ...backupAged(3 * DAY + 1), ...backupAged(DAY)], now, 3);
    expect(plan.prune).toEqual(backupAged(3 * DAY + 1).sort());
  });

  it('never touches files that are not backups', () => {
    const names = [
      'README',
      'OCPDB_19990101T000000Z.tar',
      'lost+found',
      ...backupAged(40 * DAY),
      ...backupAged(0),
    ];
    const plan = planRetention(names, now, 14);
    expect(plan.prune).toEqual(backupAged(40 * DAY).sort());
    expect([...plan.prune, ...plan.keep]).not.toContain('README');
  });

  it('always keeps the newest complete backup, even when every backup is too old', () => {
    const newest = backupAged(30 * DAY);
    const unfinished = backupAged(20 * DAY, ['dump']); // no manifest: the run died
    const plan = planRetention([...backupAged(60 * DAY), ...newest, ...unfinished], now, 14);
    expect(plan.keep).toEqual(newest.sort());
    expect(plan.prune).toEqual([...backupAged(60 * DAY).sort(), ...unfinished]);
  });

  it('prunes a .part file left by a run that died, not one being written now', () => {
    const dead = `${backupAged(2 * DAY, ['dump'])[0]}.part`;
    const writing = `${backupAged(60_000, ['dump'])[0]}.part`;
    const plan = planRetention([...backupAged(DAY), dead, writing], now, 14);
    expect(plan.prune).toEqual([dead]);
    expect(plan.keep).toContain(writing);
  });

  it('refuses a retention under one day', () => {
    expect(() => planRetention([], now, 0)).toThrow(RangeError);
  });
});
