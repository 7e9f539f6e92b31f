import type { Shop } from '@ocp/hub/contract';
import {
  openState as shopOpenState,
  parisDate,
  timeSlots as shopTimeSlots,
  type OpenState,
} from '@ocp/hub/domain/opening-hours';

export type { OpenState };

/**
 * The site's view of a shop's hours. The rules are the hub's own (hub/src/domain/opening-hours.ts):
 * every time offered here is one the hub accepts, and "closed" here is closed there.
 */

/** Whether the shop takes an order "as soon as possible" now, and until or from when. */
export function openState(shop: Shop, now: Date): OpenState {
  return shopOpenState(shop, now);
}

/** Which day a time falls on, seen from now, in Paris. */
export type SlotDay = 'today' | 'tomorrow' | 'later';

export function slotDay(at: Date, now: Date): SlotDay {
  const day = parisDate(at);
  if (day === parisDate(now)) return 'today';
  // Noon avoids the 23- and 25-hour days of the clock changes.
  const noon = new Date(`${parisDate(now)}T12:00:00Z`);
  const tomorrow = parisDate(new Date(noon.getTime() + 24 * 3600_000));
  return day === tomorrow ? 'tomorrow' : 'later';
}

/**
 * The times the checkout offers: the hub's quarter-hour slots, on the first two days that have
 * any (the rest of today and tomorrow, or the next two days the shop opens), so a customer of a
 * shop closed tonight can order for tomorrow's lunch without scrolling through a week.
 */
export function timeSlots(shop: Shop, now: Date): Date[] {
  const slots = shopTimeSlots(shop, now);
  const days = [...new Set(slots.map(parisDate))].slice(0, 2);
  return slots.filter((s) => days.includes(parisDate(s)));
}
