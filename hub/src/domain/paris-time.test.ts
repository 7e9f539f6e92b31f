import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromParisWallTime, parisWallTime } from './paris-time.js';

// The wall clock is computed from an offset cached per UTC hour: it must read what Intl reads.
const intl = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Paris',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
  hourCycle: 'h23',
});
const instant = fc
  .integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 11, 31) })
  .map((t) => new Date(t));

describe('Paris wall time (cached offsets)', () => {
  it('reads what Intl reads, at any instant, change days included', () => {
    fc.assert(
      fc.property(instant, (at) => {
        const parts = Object.fromEntries(intl.formatToParts(at).map((p) => [p.type, Number(p.value)]));
        const wall = parisWallTime(at);
        expect([wall.year, wall.month, wall.day, wall.hour, wall.minute, wall.second]).toEqual([
          parts.year,
          parts.month,
          parts.day,
          parts.hour,
          parts.minute,
          parts.second,
        ]);
      }),
      { numRuns: 2000 },
    );
  });

  it('turns a wall time back into an instant that reads as that wall time (outside the spring gap)', () => {
    fc.assert(
      fc.property(instant, (at) => {
        const w = parisWallTime(at);
        const back = fromParisWallTime(w.year, w.month, w.day, w.hour, w.minute);
        expect(parisWallTime(back)).toMatchObject({
          year: w.year,
          month: w.month,
          day: w.day,
          hour: w.hour,
          minute: w.minute,
        });
      }),
      { numRuns: 2000 },
    );
  });
});
