import type { OpeningHours } from '@ocp/hub/contract';
import { fromParisWallTime, parisWallTime } from '../time/paris-time';

/** Opening ranges of one Paris day, as instants; a range past midnight ends the next day. */
export function rangesOn(openingHours: OpeningHours, day: Date): Array<{ from: Date; to: Date }> {
  const wall = parisWallTime(day);
  const key = String(wall.weekday) as keyof OpeningHours;
  const ranges: Array<{ from: Date; to: Date }> = [];
  for (const range of openingHours[key] ?? []) {
    const match = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(range);
    if (!match) continue;
    const [fromH, fromM, toH, toM] = match.slice(1).map(Number) as [number, number, number, number];
    const start = fromH * 60 + fromM;
    let end = toH * 60 + toM;
    if (end <= start) end += 24 * 60;
    ranges.push({
      from: fromParisWallTime(wall.year, wall.month, wall.day, Math.floor(start / 60), start % 60),
      to: fromParisWallTime(wall.year, wall.month, wall.day, Math.floor(end / 60), end % 60),
    });
  }
  return ranges.sort((a, b) => a.from.getTime() - b.from.getTime());
}

/**
 * The ranges that matter now: today's, and yesterday's late service still running after midnight.
 */
function currentRanges(openingHours: OpeningHours, now: Date): Array<{ from: Date; to: Date }> {
  const yesterday = rangesOn(openingHours, new Date(now.getTime() - 24 * 3600_000));
  return [...yesterday, ...rangesOn(openingHours, now)].filter((r) => r.to.getTime() > now.getTime());
}

/**
 * The times a customer may ask for today: every quarter hour within the shop's opening ranges,
 * from `leadMinutes` after now (the kitchen needs that long anyway) to closing time.
 */
export function timeSlots(
  openingHours: OpeningHours,
  now: Date,
  options: { leadMinutes?: number; stepMinutes?: number } = {},
): Date[] {
  const lead = options.leadMinutes ?? 30;
  const step = (options.stepMinutes ?? 15) * 60_000;
  const earliest = now.getTime() + lead * 60_000;
  const slots = new Set<number>();
  for (const { from, to } of currentRanges(openingHours, now)) {
    // Quarter hours of the wall clock: Paris is a whole number of hours from UTC.
    let at = Math.ceil(Math.max(from.getTime(), earliest) / step) * step;
    for (; at <= to.getTime(); at += step) slots.add(at);
  }
  return [...slots].sort((a, b) => a - b).map((ms) => new Date(ms));
}

export type OpenState =
  { open: true; closesAt: Date } | { open: false; opensAt: Date | null /* later today, else null */ };

/** Whether the shop is open right now, and until when (or from when, later today). */
export function openState(openingHours: OpeningHours, now: Date): OpenState {
  const ranges = currentRanges(openingHours, now);
  const t = now.getTime();
  const current = ranges.find((r) => r.from.getTime() <= t && t < r.to.getTime());
  if (current) return { open: true, closesAt: current.to };
  const next = ranges.find((r) => r.from.getTime() > t);
  return { open: false, opensAt: next ? next.from : null };
}
