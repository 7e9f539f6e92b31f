import { describe, expect, it } from 'vitest';
import type { OpeningHours } from '@ocp/hub/contract';
import { openState, timeSlots } from './time-slots.js';

// Wednesday 25 November 2026 (winter: Paris = UTC+1).
const hours: OpeningHours = { '3': ['11:30-14:30', '18:30-22:30'], '4': ['18:30-01:00'] };
const paris = (iso: string) =>
  new Date(iso).toLocaleTimeString('fr-FR', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' });

describe('timeSlots', () => {
  it('offers every quarter hour from 30 minutes after now to closing', () => {
    const slots = timeSlots(hours, new Date('2026-11-25T20:52:00Z')); // 21:52 in Paris
    expect(slots.map((s) => paris(s.toISOString()))).toEqual(['22:30']);
    const earlier = timeSlots(hours, new Date('2026-11-25T20:00:00Z')); // 21:00
    expect(earlier.map((s) => paris(s.toISOString()))).toEqual(['21:30', '21:45', '22:00', '22:15', '22:30']);
  });

  it('offers the evening service when asked in the afternoon break', () => {
    const slots = timeSlots(hours, new Date('2026-11-25T15:00:00Z')); // 16:00
    expect(paris(slots[0]!.toISOString())).toBe('18:30');
    expect(paris(slots.at(-1)!.toISOString())).toBe('22:30');
    expect(slots).toHaveLength(17);
  });

  it('offers nothing once closed for the day, or on a closed day', () => {
    expect(timeSlots(hours, new Date('2026-11-25T21:45:00Z'))).toEqual([]);
    expect(timeSlots(hours, new Date('2026-11-27T12:00:00Z'))).toEqual([]); // Friday: no hours
  });

  it('follows a service that ends after midnight', () => {
    const slots = timeSlots(hours, new Date('2026-11-26T22:40:00Z')); // Thursday 23:40
    expect(slots.map((s) => paris(s.toISOString()))).toEqual(['00:15', '00:30', '00:45', '01:00']);
    // Friday 00:10: Thursday's service is still running.
    const late = timeSlots(hours, new Date('2026-11-26T23:10:00Z'));
    expect(late.map((s) => paris(s.toISOString()))).toEqual(['00:45', '01:00']);
    expect(openState(hours, new Date('2026-11-26T23:10:00Z'))).toEqual({
      open: true,
      closesAt: new Date('2026-11-27T00:00:00Z'),
    });
  });
});

describe('openState', () => {
  it('says until when a shop is open, or when it opens later today', () => {
    expect(openState(hours, new Date('2026-11-25T12:00:00Z'))).toEqual({
      open: true,
      closesAt: new Date('2026-11-25T13:30:00Z'),
    });
    expect(openState(hours, new Date('2026-11-25T15:00:00Z'))).toEqual({
      open: false,
      opensAt: new Date('2026-11-25T17:30:00Z'),
    });
    expect(openState(hours, new Date('2026-11-25T22:00:00Z'))).toEqual({ open: false, opensAt: null });
  });
});
