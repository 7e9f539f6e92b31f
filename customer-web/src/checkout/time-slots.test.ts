import { describe, expect, it } from 'vitest';
import { testShop } from '../testing/fixtures.js';
import { openState, slotDay, timeSlots } from './time-slots.js';

// Wednesday 25 November 2026 (winter: Paris = UTC+1).
const shop = {
  ...testShop,
  openingHours: { '3': ['11:30-14:30', '18:30-22:30'], '4': ['18:30-01:00'] },
  closures: [],
  lastOrderMinutes: 15,
};
const paris = (d: Date) =>
  d.toLocaleTimeString('fr-FR', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' });

describe('timeSlots (the hub rule, two days of it)', () => {
  it('offers every quarter hour from 30 minutes after now to closing, then the next day', () => {
    const slots = timeSlots(shop, new Date('2026-11-25T20:52:00Z')); // 21:52 in Paris
    expect(slots.slice(0, 2).map(paris)).toEqual(['22:30', '18:30']);
    expect(slotDay(slots[1]!, new Date('2026-11-25T20:52:00Z'))).toBe('tomorrow');
  });

  it('offers the next days the shop opens when it is closed until then', () => {
    // Friday noon: no hours on Friday to Tuesday; next are Wednesday and Thursday.
    const now = new Date('2026-11-27T11:00:00Z');
    const slots = timeSlots(shop, now);
    expect(paris(slots[0]!)).toBe('11:30');
    expect(slotDay(slots[0]!, now)).toBe('later');
    expect(new Set(slots.map((s) => s.toISOString().slice(0, 10))).size).toBeLessThanOrEqual(3);
  });

  it('leaves out a closure', () => {
    const closed = {
      ...shop,
      closures: [{ id: 1, startsOn: '2026-11-25', endsOn: '2026-11-25', reason: '' }],
    };
    const slots = timeSlots(closed, new Date('2026-11-25T08:00:00Z'));
    expect(paris(slots[0]!)).toBe('18:30');
    expect(slotDay(slots[0]!, new Date('2026-11-25T08:00:00Z'))).toBe('tomorrow');
  });
});

describe('openState', () => {
  it('says until when a shop is open, or when it opens again', () => {
    expect(openState(shop, new Date('2026-11-25T12:00:00Z'))).toEqual({
      open: true,
      closesAt: new Date('2026-11-25T13:30:00Z'),
      lastOrderAt: new Date('2026-11-25T13:15:00Z'),
    });
    expect(openState(shop, new Date('2026-11-25T15:00:00Z'))).toMatchObject({
      open: false,
      opensAt: new Date('2026-11-25T17:30:00Z'),
    });
  });
});
