import { describe, expect, it } from 'vitest';
import { fromParisWallTime, isoWithParisOffset, parisOffsetMinutes, parisWallTime } from './paris-time.js';

describe('Paris time', () => {
  it('reads the wall clock and weekday of Paris whatever the machine zone', () => {
    // 2026-11-25 is a Wednesday; 18:05 UTC is 19:05 in Paris (winter time).
    expect(parisWallTime(new Date('2026-11-25T18:05:00Z'))).toEqual({
      year: 2026,
      month: 11,
      day: 25,
      hour: 19,
      minute: 5,
      second: 0,
      weekday: 3,
    });
    // Late Sunday evening UTC is already Monday in Paris.
    expect(parisWallTime(new Date('2026-11-29T23:30:00Z')).weekday).toBe(1);
  });

  it('knows winter and summer offsets', () => {
    expect(parisOffsetMinutes(new Date('2026-01-10T12:00:00Z'))).toBe(60);
    expect(parisOffsetMinutes(new Date('2026-07-10T12:00:00Z'))).toBe(120);
  });

  it('turns a Paris wall time into the instant, across daylight-saving changes', () => {
    expect(fromParisWallTime(2026, 11, 25, 19, 45).toISOString()).toBe('2026-11-25T18:45:00.000Z');
    expect(fromParisWallTime(2026, 7, 14, 20, 0).toISOString()).toBe('2026-07-14T18:00:00.000Z');
    // 29 March 2026: 02:00 jumps to 03:00; 01:30 is still winter time, 03:30 already summer.
    expect(fromParisWallTime(2026, 3, 29, 1, 30).toISOString()).toBe('2026-03-29T00:30:00.000Z');
    expect(fromParisWallTime(2026, 3, 29, 3, 30).toISOString()).toBe('2026-03-29T01:30:00.000Z');
    // A range closing at 01:00 ends at "25:00" of its opening day.
    expect(fromParisWallTime(2026, 11, 25, 25, 0).toISOString()).toBe('2026-11-26T00:00:00.000Z');
  });

  it('writes ISO times with the Paris offset, as promisedAt expects', () => {
    expect(isoWithParisOffset(new Date('2026-11-25T18:45:00Z'))).toBe('2026-11-25T19:45:00+01:00');
    expect(isoWithParisOffset(new Date('2026-07-14T18:00:00Z'))).toBe('2026-07-14T20:00:00+02:00');
  });
});
