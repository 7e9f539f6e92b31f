import type { OpeningHours } from '../contract/shops.js';
import { fromParisWallTime, parisWallTime } from './paris-time.js';

/**
 * When a shop takes orders: its weekly hours (Paris wall-clock times), its exceptional closures
 * and its last-order margin, turned into instants. The hub decides with these functions and the
 * customer site offers its times with them, so both always agree.
 */

/** A closure covers whole Paris days, `startsOn` to `endsOn` inclusive (YYYY-MM-DD). */
export type Closure = { startsOn: string; endsOn: string; reason?: string };

export type Schedule = {
  openingHours: OpeningHours;
  closures: readonly Closure[];
  /** No order "as soon as possible" in the last this many minutes before closing. */
  lastOrderMinutes: number;
};

export type Interval = { from: Date; to: Date };

/** Hours of a shop that never closes (test and benchmark databases: orders at any hour). */
export const AROUND_THE_CLOCK: OpeningHours = Object.fromEntries(
  ['1', '2', '3', '4', '5', '6', '7'].map((day) => [day, ['00:00-24:00']]),
);

const DAY_MS = 24 * 3600_000;
const MINUTE_MS = 60_000;
/** How far decisions look: a week of orders ahead plus a day of margin. */
export const HORIZON_MS = 8 * DAY_MS;

/** "18:30-01:00" as minutes of the opening day: [1110, 1500]. An end not after the start is the next day. */
export function parseRange(range: string): [number, number] | null {
  let parsed = parsedRanges.get(range);
  if (parsed === undefined) {
    parsed = readRange(range);
    // Hours are a handful of distinct strings; anything else (a test's random ranges) is bounded.
    if (parsedRanges.size > 10_000) parsedRanges.clear();
    parsedRanges.set(range, parsed);
  }
  return parsed;
}

const parsedRanges = new Map<string, [number, number] | null>();

function readRange(range: string): [number, number] | null {
  const match = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(range);
  if (!match) return null;
  const [fromH, fromM, toH, toM] = match.slice(1).map(Number) as [number, number, number, number];
  if (fromH > 23 || fromM > 59 || toM > 59 || toH > 24 || (toH === 24 && toM > 0)) return null;
  const start = fromH * 60 + fromM;
  let end = toH * 60 + toM;
  if (end <= start) end += 24 * 60;
  return [start, end];
}

type Day = { year: number; month: number; day: number; weekday: number };

/** The Paris calendar days from the one holding `from` to the one holding `to`. */
function parisDays(from: Date, to: Date): Day[] {
  const days: Day[] = [];
  const first = parisWallTime(from);
  // Noon UTC of each civil date: never ambiguous, and its weekday is the date's.
  for (let t = Date.UTC(first.year, first.month - 1, first.day, 12); ; t += DAY_MS) {
    const d = new Date(t);
    const day = {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      weekday: ((d.getUTCDay() + 6) % 7) + 1,
    };
    if (fromParisWallTime(day.year, day.month, day.day, 0, 0).getTime() > to.getTime()) break;
    days.push(day);
  }
  return days;
}

const isoDate = (d: Day) =>
  `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;

/** The instant a Paris day (YYYY-MM-DD) starts, plus `addDays` days. */
function startOfParisDay(date: string, addDays = 0): number {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const noon = new Date(Date.UTC(year, month - 1, day + addDays, 12));
  return fromParisWallTime(noon.getUTCFullYear(), noon.getUTCMonth() + 1, noon.getUTCDate(), 0, 0).getTime();
}

/** The Paris date (YYYY-MM-DD) of an instant. */
export function parisDate(at: Date): string {
  return isoDate(parisWallTime(at));
}

/** Removes the closures' days from sorted, disjoint intervals. */
function subtractClosures(intervals: Interval[], closures: readonly Closure[]): Interval[] {
  let result = intervals;
  for (const c of closures) {
    const cFrom = startOfParisDay(c.startsOn);
    const cTo = startOfParisDay(c.endsOn, 1);
    if (!(cTo > cFrom)) continue;
    result = result.flatMap((i) => {
      const from = i.from.getTime();
      const to = i.to.getTime();
      if (to <= cFrom || from >= cTo) return [i];
      const parts: Interval[] = [];
      if (from < cFrom) parts.push({ from: i.from, to: new Date(cFrom) });
      if (to > cTo) parts.push({ from: new Date(cTo), to: i.to });
      return parts;
    });
  }
  return result;
}

/**
 * The shop's open intervals that reach into [from, to], as instants: sorted, merged where they
 * touch (a service written "18:30-24:00" then "00:00-01:00" the next day is one service), closures
 * removed. Daylight-saving days are Paris wall time: a range across the spring change is an hour
 * shorter, one across the autumn change an hour longer.
 */
export function openIntervals(schedule: Schedule, from: Date, to: Date): Interval[] {
  const raw: Interval[] = [];
  // The day before: its late service may still run after midnight.
  for (const day of parisDays(new Date(from.getTime() - DAY_MS), to)) {
    const key = String(day.weekday) as keyof OpeningHours;
    for (const range of schedule.openingHours[key] ?? []) {
      const minutes = parseRange(range);
      if (!minutes) continue;
      const [start, end] = minutes;
      const at = (m: number) => fromParisWallTime(day.year, day.month, day.day, Math.floor(m / 60), m % 60);
      const interval = { from: at(start), to: at(end) };
      if (interval.to.getTime() > interval.from.getTime()) raw.push(interval);
    }
  }
  raw.sort((a, b) => a.from.getTime() - b.from.getTime());
  const merged: Interval[] = [];
  for (const i of raw) {
    const last = merged.at(-1);
    if (last && i.from.getTime() <= last.to.getTime()) {
      if (i.to.getTime() > last.to.getTime()) last.to = i.to;
    } else merged.push({ ...i });
  }
  return subtractClosures(merged, schedule.closures).filter(
    (i) => i.to.getTime() >= from.getTime() && i.from.getTime() <= to.getTime(),
  );
}

/** The last instant an order "as soon as possible" is taken in an interval (excluded). */
const lastOrderOf = (i: Interval, schedule: Schedule) =>
  i.to.getTime() - schedule.lastOrderMinutes * MINUTE_MS;

/** When an order "as soon as possible" is next taken, from `now` on (now itself if it is taken now). */
export function nextOpening(schedule: Schedule, now: Date): Date | null {
  const t = now.getTime();
  for (const i of openIntervals(schedule, now, new Date(t + HORIZON_MS))) {
    const start = Math.max(i.from.getTime(), t);
    if (start < lastOrderOf(i, schedule)) return new Date(start);
  }
  return null;
}

export type OpenState =
  | {
      open: true;
      /** Null when the shop does not close within a week (open around the clock). */
      closesAt: Date | null;
      lastOrderAt: Date | null;
    }
  | {
      open: false;
      /** When orders "as soon as possible" are taken again; null: not within a week. */
      opensAt: Date | null;
      /** The closure of today, when that is why. */
      closure: Closure | null;
    };

/** Whether the shop takes an order "as soon as possible" right now, and until when (or from when). */
export function openState(schedule: Schedule, now: Date): OpenState {
  const t = now.getTime();
  const end = t + HORIZON_MS;
  const current = openIntervals(schedule, now, new Date(end)).find(
    (i) => i.from.getTime() <= t && t < lastOrderOf(i, schedule),
  );
  if (current) {
    const closes = current.to.getTime() >= end ? null : current.to;
    return {
      open: true,
      closesAt: closes,
      lastOrderAt: closes && new Date(lastOrderOf(current, schedule)),
    };
  }
  const today = parisDate(now);
  return {
    open: false,
    opensAt: nextOpening(schedule, now),
    closure: schedule.closures.find((c) => c.startsOn <= today && today <= c.endsOn) ?? null,
  };
}

/** Whether a promised time falls while the shop is open (closing time included). */
export function isOpenAt(schedule: Schedule, at: Date): boolean {
  const t = at.getTime();
  return openIntervals(schedule, at, at).some((i) => i.from.getTime() <= t && t <= i.to.getTime());
}

export type SlotOptions = {
  /** The earliest slot is this long after now: the kitchen needs that long anyway. */
  leadMinutes?: number;
  stepMinutes?: number;
  /** How far ahead (default: a week, as far as an order may be placed). */
  horizonMs?: number;
};

/**
 * The times a customer may ask for: every quarter hour within the shop's open intervals, from
 * `leadMinutes` after now, over the next week. Each one passes `isOpenAt`.
 */
export function timeSlots(schedule: Schedule, now: Date, options: SlotOptions = {}): Date[] {
  const lead = (options.leadMinutes ?? 30) * MINUTE_MS;
  const step = (options.stepMinutes ?? 15) * MINUTE_MS;
  const earliest = now.getTime() + lead;
  const latest = now.getTime() + (options.horizonMs ?? 7 * DAY_MS);
  const slots: Date[] = [];
  for (const { from, to } of openIntervals(schedule, new Date(earliest), new Date(latest))) {
    // Quarter hours of the wall clock: Paris is a whole number of hours from UTC.
    let at = Math.ceil(Math.max(from.getTime(), earliest) / step) * step;
    for (; at <= Math.min(to.getTime(), latest); at += step) slots.push(new Date(at));
  }
  return slots;
}

const HOUR_MS = 3600_000;
// Every order asks about the same shop object (the hub's shop cache) within the same hour: its
// intervals over the next day are computed once per hour instead of once per order. A schedule
// is never changed in place (a changed shop is a new object), so identity is a safe key.
const nearCache = new WeakMap<Schedule, { hour: number; intervals: Interval[] }>();

/** The open intervals reaching into [t, t + 24 h] (a window of 25 whole hours around it). */
function intervalsNear(schedule: Schedule, t: number): Interval[] {
  const hour = Math.floor(t / HOUR_MS);
  const hit = nearCache.get(schedule);
  if (hit && hit.hour === hour) return hit.intervals;
  const intervals = openIntervals(schedule, new Date(hour * HOUR_MS), new Date((hour + 25) * HOUR_MS));
  nearCache.set(schedule, { hour, intervals });
  return intervals;
}

// A customer's new time is checked against every shop (orders-service.ts): the week ahead's
// intervals are computed once per hour and shop, as `intervalsNear` does for the next day.
const weekCache = new WeakMap<Schedule, { hour: number; intervals: Interval[] }>();
const WEEK_AHEAD_MS = 8 * DAY_MS;

/**
 * Whether the shop is open at `at`, as `isOpenAt` says, for an `at` within a week of `now`
 * answered from intervals computed once an hour (further times are computed as they come).
 */
export function isOpenAtSoon(schedule: Schedule, now: Date, at: Date): boolean {
  const hour = Math.floor(now.getTime() / HOUR_MS);
  const t = at.getTime();
  const from = (hour - 1) * HOUR_MS;
  if (t < from || t > from + WEEK_AHEAD_MS) return isOpenAt(schedule, at);
  let hit = weekCache.get(schedule);
  if (!hit || hit.hour !== hour) {
    hit = { hour, intervals: openIntervals(schedule, new Date(from), new Date(from + WEEK_AHEAD_MS)) };
    weekCache.set(schedule, hit);
  }
  return hit.intervals.some((i) => i.from.getTime() <= t && t <= i.to.getTime());
}

export type OrderTimeDecision = { ok: true } | { ok: false; nextOpening: Date | null; reason: string };

/**
 * Whether the shop takes an order for `promisedAt` (null: as soon as possible) at `now`:
 * as soon as possible only while open and before the last-order time; a promised time only while
 * open. A promised time in the past or too far ahead is promised-time.ts's business.
 */
export function decideOrderTime(schedule: Schedule, now: Date, promisedAt: Date | null): OrderTimeDecision {
  if (promisedAt) {
    if (isOpenAtSoon(schedule, now, promisedAt)) return { ok: true };
    return { ok: false, nextOpening: nextOpening(schedule, now), reason: 'closed_at_time' };
  }
  // The usual case, an open shop, looks a day ahead only (a day is more than any last-order margin).
  const t = now.getTime();
  if (intervalsNear(schedule, t).some((i) => i.from.getTime() <= t && t < lastOrderOf(i, schedule))) {
    return { ok: true };
  }
  const state = openState(schedule, now);
  if (state.open) return { ok: true };
  return { ok: false, nextOpening: state.opensAt, reason: state.closure ? 'closure' : 'closed_now' };
}
