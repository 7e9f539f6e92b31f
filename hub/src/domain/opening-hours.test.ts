import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OpeningHours } from '../contract/shops.js';
import {
  decideOrderTime,
  isOpenAt,
  isOpenAtSoon,
  nextOpening,
  openIntervals,
  openState,
  parseRange,
  timeSlots,
  type Schedule,
} from './opening-hours.js';
import { fromParisWallTime, parisWallTime } from './paris-time.js';

const paris = (d: Date) =>
  d.toLocaleString('fr-FR', {
    timeZone: 'Europe/Paris',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
const hhmm = (d: Date) =>
  d.toLocaleTimeString('fr-FR', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' });

// Wednesday 25 November 2026 (winter: Paris = UTC+1).
const weekHours: OpeningHours = {
  '1': ['11:30-14:30', '18:30-22:30'],
  '2': ['11:30-14:30', '18:30-22:30'],
  '3': ['11:30-14:30', '18:30-22:30'],
  '4': ['18:30-01:00'],
  '6': ['12:00-15:00', '18:30-23:30'],
  '7': ['18:30-22:30'],
};
const shop = (over: Partial<Schedule> = {}): Schedule => ({
  openingHours: weekHours,
  closures: [],
  lastOrderMinutes: 15,
  ...over,
});
const EVERY_DAY = ['1', '2', '3', '4', '5', '6', '7'] as const;
const everyDay = (ranges: string[]): OpeningHours =>
  Object.fromEntries(EVERY_DAY.map((d) => [d, ranges])) as OpeningHours;

describe('parseRange', () => {
  it('reads ranges as minutes of the opening day, an end past midnight the next day', () => {
    expect(parseRange('11:30-14:30')).toEqual([690, 870]);
    expect(parseRange('18:30-01:00')).toEqual([1110, 1500]);
    expect(parseRange('00:00-24:00')).toEqual([0, 1440]);
    expect(parseRange('25:00-26:00')).toBeNull();
    expect(parseRange('10:60-11:00')).toBeNull();
    expect(parseRange('noon')).toBeNull();
  });
});

describe('orders "as soon as possible"', () => {
  it('are taken while open, refused at 04:00 with the next opening', () => {
    const at4 = new Date('2026-11-25T03:00:00Z'); // Wednesday 04:00 in Paris
    const refused = decideOrderTime(shop(), at4, null);
    expect(refused).toEqual({
      ok: false,
      reason: 'closed_now',
      nextOpening: new Date('2026-11-25T10:30:00Z'),
    });
    expect(decideOrderTime(shop(), new Date('2026-11-25T12:00:00Z'), null)).toEqual({ ok: true });
  });

  it('stop at the last-order time, before closing', () => {
    // 22:30 closing, 15 minutes margin: 22:14 is taken, 22:15 is not; next is Thursday 18:30.
    expect(decideOrderTime(shop(), new Date('2026-11-25T21:14:00Z'), null).ok).toBe(true);
    const late = decideOrderTime(shop(), new Date('2026-11-25T21:15:00Z'), null);
    expect(late).toMatchObject({ ok: false, nextOpening: new Date('2026-11-26T17:30:00Z') });
    expect(openState(shop(), new Date('2026-11-25T21:00:00Z'))).toEqual({
      open: true,
      closesAt: new Date('2026-11-25T21:30:00Z'),
      lastOrderAt: new Date('2026-11-25T21:15:00Z'),
    });
    // A zero margin takes orders until closing.
    expect(decideOrderTime(shop({ lastOrderMinutes: 0 }), new Date('2026-11-25T21:29:00Z'), null).ok).toBe(
      true,
    );
  });

  it('follow a service that ends after midnight', () => {
    // Thursday 18:30 to Friday 01:00: Friday 00:30 is open, 00:50 past the last order.
    expect(decideOrderTime(shop(), new Date('2026-11-26T23:30:00Z'), null).ok).toBe(true);
    const closed = decideOrderTime(shop(), new Date('2026-11-26T23:50:00Z'), null);
    // Friday has no hours: next is Saturday noon.
    expect(closed).toMatchObject({ ok: false, nextOpening: new Date('2026-11-28T11:00:00Z') });
  });

  it('treat "…-24:00" and "00:00-…" of the next day as one service: no last order at midnight', () => {
    const hours: OpeningHours = { '4': ['18:30-24:00'], '5': ['00:00-01:00'] };
    const s = shop({ openingHours: hours });
    expect(decideOrderTime(s, new Date('2026-11-26T22:50:00Z'), null).ok).toBe(true); // Thu 23:50
    expect(openState(s, new Date('2026-11-26T22:50:00Z'))).toMatchObject({
      open: true,
      closesAt: new Date('2026-11-27T00:00:00Z'),
    });
  });

  it('are always taken by a shop open around the clock (closing: none within the week)', () => {
    const s = shop({ openingHours: everyDay(['00:00-24:00']) });
    expect(openState(s, new Date('2026-11-25T03:00:00Z'))).toEqual({
      open: true,
      closesAt: null,
      lastOrderAt: null,
    });
  });
});

describe('promised times', () => {
  const now = new Date('2026-11-25T03:00:00Z'); // Wednesday 04:00, closed

  it('are taken into open slots, closing time included, even while the shop is closed now', () => {
    expect(decideOrderTime(shop(), now, new Date('2026-11-25T12:00:00Z')).ok).toBe(true); // 13:00
    expect(decideOrderTime(shop(), now, new Date('2026-11-25T21:30:00Z')).ok).toBe(true); // 22:30
    expect(decideOrderTime(shop(), now, new Date('2026-11-27T00:00:00Z')).ok).toBe(true); // Fri 01:00
  });

  it('are refused outside them, with the next opening', () => {
    expect(decideOrderTime(shop(), now, new Date('2026-11-25T15:00:00Z'))).toEqual({
      ok: false,
      reason: 'closed_at_time',
      nextOpening: new Date('2026-11-25T10:30:00Z'),
    });
    expect(decideOrderTime(shop(), now, new Date('2026-11-25T21:31:00Z')).ok).toBe(false);
    expect(decideOrderTime(shop(), now, new Date('2026-11-27T12:00:00Z')).ok).toBe(false); // Friday
  });
});

describe('exceptional closures', () => {
  const closures = [{ startsOn: '2026-11-25', endsOn: '2026-11-26' }];

  it('close whole Paris days, and the next opening is after them', () => {
    const s = shop({ closures });
    const noon = new Date('2026-11-25T11:00:00Z');
    expect(openState(s, noon)).toEqual({
      open: false,
      // Thursday's service is closed too, but its part after midnight (Friday 00:00-01:00) is not.
      opensAt: new Date('2026-11-26T23:00:00Z'),
      closure: closures[0],
    });
    expect(decideOrderTime(s, noon, new Date('2026-11-26T19:00:00Z')).ok).toBe(false);
    expect(isOpenAt(s, new Date('2026-11-28T11:30:00Z'))).toBe(true);
  });

  it('a closure that ended yesterday changes nothing', () => {
    const s = shop({ closures: [{ startsOn: '2026-11-20', endsOn: '2026-11-24' }] });
    expect(decideOrderTime(s, new Date('2026-11-25T12:00:00Z'), null).ok).toBe(true);
  });
});

describe('daylight-saving change days in Paris', () => {
  it('spring (last Sunday of March): a range across 02:00 is an hour shorter', () => {
    // 29 March 2026: 02:00 CET jumps to 03:00 CEST.
    const s = shop({ openingHours: { '7': ['00:30-04:00'] }, lastOrderMinutes: 0 });
    const [i] = openIntervals(s, new Date('2026-03-29T00:00:00Z'), new Date('2026-03-29T03:00:00Z'));
    expect(i).toEqual({ from: new Date('2026-03-28T23:30:00Z'), to: new Date('2026-03-29T02:00:00Z') });
    expect((i!.to.getTime() - i!.from.getTime()) / 3600_000).toBe(2.5);
    // Slots are wall-clock quarter hours, and none falls in the hour that does not exist.
    const slots = timeSlots(s, new Date('2026-03-28T23:00:00Z'), { leadMinutes: 0 }).map(hhmm);
    expect(slots.slice(0, 8)).toEqual([
      '00:30',
      '00:45',
      '01:00',
      '01:15',
      '01:30',
      '01:45',
      '03:00',
      '03:15',
    ]);
  });

  it('spring: the evening service keeps its wall-clock times (summer offset)', () => {
    const s = shop();
    const sunday = openIntervals(s, new Date('2026-03-29T10:00:00Z'), new Date('2026-03-29T21:00:00Z'));
    expect(sunday).toEqual([
      { from: new Date('2026-03-29T16:30:00Z'), to: new Date('2026-03-29T20:30:00Z') },
    ]);
    expect(decideOrderTime(s, new Date('2026-03-29T16:29:00Z'), null).ok).toBe(false); // 18:29 CEST
    expect(decideOrderTime(s, new Date('2026-03-29T16:30:00Z'), null).ok).toBe(true); // 18:30 CEST
  });

  it('autumn (last Sunday of October): a range across 03:00 is an hour longer, and ends right', () => {
    // 25 October 2026: 03:00 CEST falls back to 02:00 CET.
    const s = shop({ openingHours: { '6': ['18:30-04:00'] }, lastOrderMinutes: 15 });
    const [i] = openIntervals(s, new Date('2026-10-24T17:00:00Z'), new Date('2026-10-25T04:00:00Z'));
    expect(i).toEqual({ from: new Date('2026-10-24T16:30:00Z'), to: new Date('2026-10-25T03:00:00Z') });
    expect((i!.to.getTime() - i!.from.getTime()) / 3600_000).toBe(10.5);
    // 03:44 CET is still before the last order; 03:45 is not.
    expect(decideOrderTime(s, new Date('2026-10-25T02:44:00Z'), null).ok).toBe(true);
    expect(decideOrderTime(s, new Date('2026-10-25T02:45:00Z'), null).ok).toBe(false);
    // The hour between 02:00 and 03:00 happens twice: slots go on through both.
    const slots = timeSlots(s, new Date('2026-10-24T23:50:00Z'), { leadMinutes: 0 });
    expect(slots.slice(0, 9).map((d) => d.toISOString().slice(11, 16))).toEqual([
      '00:00',
      '00:15',
      '00:30',
      '00:45',
      '01:00',
      '01:15',
      '01:30',
      '01:45',
      '02:00',
    ]);
    expect(slots.slice(0, 9).map(hhmm)).toEqual([
      '02:00',
      '02:15',
      '02:30',
      '02:45',
      '02:00',
      '02:15',
      '02:30',
      '02:45',
      '03:00',
    ]);
  });

  it('an ambiguous autumn time is read as its first occurrence (summer time)', () => {
    expect(fromParisWallTime(2026, 10, 25, 2, 30).toISOString()).toBe('2026-10-25T00:30:00.000Z');
  });
});

describe('time slots', () => {
  it('offer every quarter hour from 30 minutes after now, the next service when closed', () => {
    const slots = timeSlots(shop(), new Date('2026-11-25T20:52:00Z')); // Wed 21:52
    expect(slots.slice(0, 2).map(paris)).toEqual(['mer. 22:30', 'jeu. 18:30']);
    const atFour = timeSlots(shop(), new Date('2026-11-25T03:00:00Z'));
    expect(hhmm(atFour[0]!)).toBe('11:30');
  });

  it('skip closures and stay within a week', () => {
    const now = new Date('2026-11-25T03:00:00Z');
    const slots = timeSlots(shop({ closures: [{ startsOn: '2026-11-25', endsOn: '2026-11-25' }] }), now);
    expect(paris(slots[0]!)).toBe('jeu. 18:30');
    expect(slots.every((s) => s.getTime() <= now.getTime() + 7 * 24 * 3600_000)).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties: any weekly hours, closures and margin, any instant of 2026 (DST days included).

const time = fc.record({ h: fc.integer({ min: 0, max: 23 }), m: fc.constantFrom(0, 15, 30, 45) });
const pad = (n: number) => String(n).padStart(2, '0');
const rangeArb = fc
  .tuple(time, time)
  .filter(([a, b]) => a.h !== b.h || a.m !== b.m)
  .map(([a, b]) => `${pad(a.h)}:${pad(a.m)}-${pad(b.h)}:${pad(b.m)}`);
const hoursArb = fc.dictionary(
  fc.constantFrom(...EVERY_DAY),
  fc.array(rangeArb, { maxLength: 2 }),
) as fc.Arbitrary<OpeningHours>;
const dateIn2026 = fc
  .integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2026, 11, 20) })
  .map((t) => new Date(t));
const closureArb = fc.tuple(dateIn2026, fc.integer({ min: 0, max: 3 })).map(([d, n]) => {
  const w = parisWallTime(d);
  const end = new Date(Date.UTC(w.year, w.month - 1, w.day + n, 12));
  return {
    startsOn: `${w.year}-${pad(w.month)}-${pad(w.day)}`,
    endsOn: `${end.getUTCFullYear()}-${pad(end.getUTCMonth() + 1)}-${pad(end.getUTCDate())}`,
  };
});
const scheduleArb = fc.record({
  openingHours: hoursArb,
  closures: fc.array(closureArb, { maxLength: 2 }),
  lastOrderMinutes: fc.constantFrom(0, 10, 15, 30),
});
// Instants on the 2026 change days are drawn often: that is where mistakes hide.
const nowArb = fc.oneof(
  dateIn2026,
  fc.integer({ min: Date.UTC(2026, 2, 28), max: Date.UTC(2026, 2, 30) }).map((t) => new Date(t)),
  fc.integer({ min: Date.UTC(2026, 9, 24), max: Date.UTC(2026, 9, 26) }).map((t) => new Date(t)),
);

describe('properties', () => {
  it('every slot offered is a time the hub accepts, and none is in a closure', () => {
    fc.assert(
      fc.property(scheduleArb, nowArb, (s, now) => {
        for (const slot of timeSlots(s, now).slice(0, 24)) {
          expect(decideOrderTime(s, now, slot)).toEqual({ ok: true });
          // Strictly inside a closure: its first instant may still close the service before it.
          const inside = s.closures.some((c) => {
            const [y1, m1, d1] = c.startsOn.split('-').map(Number) as [number, number, number];
            const [y2, m2, d2] = c.endsOn.split('-').map(Number) as [number, number, number];
            const from = fromParisWallTime(y1, m1, d1, 0, 0).getTime();
            const to = fromParisWallTime(y2, m2, d2, 24, 0).getTime();
            return from < slot.getTime() && slot.getTime() < to;
          });
          expect(inside).toBe(false);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('a refused order names a next opening that is later and where the order would be taken', () => {
    fc.assert(
      fc.property(scheduleArb, nowArb, (s, now) => {
        const decision = decideOrderTime(s, now, null);
        if (decision.ok) return;
        if (decision.nextOpening === null) return;
        expect(decision.nextOpening.getTime()).toBeGreaterThan(now.getTime());
        expect(decideOrderTime(s, decision.nextOpening, null)).toEqual({ ok: true });
        // Nothing in between would have been taken (checked on the minute before).
        const before = new Date(decision.nextOpening.getTime() - 60_000);
        if (before.getTime() > now.getTime()) expect(decideOrderTime(s, before, null).ok).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('the week ahead computed once an hour answers as isOpenAt, for the same shop object asked again', () => {
    fc.assert(
      fc.property(
        scheduleArb,
        nowArb,
        fc.array(fc.integer({ min: -2 * 3600_000, max: 9 * 24 * 3600_000 }), { minLength: 1, maxLength: 8 }),
        (s, now, offsets) => {
          for (const offset of offsets) {
            const at = new Date(now.getTime() + offset);
            expect(isOpenAtSoon(s, now, at)).toBe(isOpenAt(s, at));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('open intervals are sorted, disjoint and of positive length', () => {
    fc.assert(
      fc.property(scheduleArb, nowArb, (s, now) => {
        const intervals = openIntervals(s, now, new Date(now.getTime() + 3 * 24 * 3600_000));
        intervals.forEach((i, k) => {
          expect(i.to.getTime()).toBeGreaterThan(i.from.getTime());
          const next = intervals[k + 1];
          if (next) expect(next.from.getTime()).toBeGreaterThan(i.to.getTime());
        });
      }),
      { numRuns: 200 },
    );
  });

  it('a longer last-order margin never takes an order a shorter one refuses', () => {
    fc.assert(
      fc.property(scheduleArb, nowArb, (s, now) => {
        if (!decideOrderTime(s, now, null).ok) {
          expect(decideOrderTime({ ...s, lastOrderMinutes: s.lastOrderMinutes + 15 }, now, null).ok).toBe(
            false,
          );
        }
      }),
      { numRuns: 200 },
    );
  });

  it('nextOpening(now) is now exactly when an order is taken now', () => {
    fc.assert(
      fc.property(scheduleArb, nowArb, (s, now) => {
        const taken = decideOrderTime(s, now, null).ok;
        expect(nextOpening(s, now)?.getTime() === now.getTime()).toBe(taken);
      }),
      { numRuns: 200 },
    );
  });
});
