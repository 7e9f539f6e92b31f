/**
 * The shops' clock. Opening hours are Paris wall-clock times and the hub wants a promised time as
 * an ISO string with its offset; the browser may sit in any time zone, so conversions go through
 * Intl with an explicit zone instead of the browser's local time.
 */
const TIME_ZONE = 'Europe/Paris';

/**
 * The zone every staff-visible time is written in: a tablet or a laptop set to another zone must
 * still show the shop's clock (due times, the board clock), or a cook works to the wrong minute.
 */
export const SHOP_TIME_ZONE = TIME_ZONE;

/** Intl options pinned to the shop's clock; the screens' i18n date formats are all built with it. */
export function onShopClock<T extends Intl.DateTimeFormatOptions>(options: T): T & { timeZone: string } {
  return { ...options, timeZone: SHOP_TIME_ZONE };
}

const partsFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  weekday: 'short',
  hourCycle: 'h23',
});

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

export type WallTime = {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** ISO weekday, 1 = Monday, as in a shop's opening hours. */
  weekday: number;
};

/** Intl's reading of the Paris wall clock: the truth, but a few microseconds a call. */
function intlWallTime(date: Date): WallTime {
  const parts: Record<string, string> = {};
  for (const part of partsFormat.formatToParts(date)) parts[part.type] = part.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS[parts.weekday ?? ''] ?? 1,
  };
}

const HOUR_MS = 3600_000;
// Paris changes its offset only on whole UTC hours (01:00 UTC), so one Intl reading per UTC hour
// holds for the whole hour. Every order decision reads the clock a few hundred times: without
// this cache it cost about a millisecond of CPU per order.
const offsetByHour = new Map<number, number>();

function offsetAt(ms: number): number {
  const hour = Math.floor(ms / HOUR_MS);
  let offset = offsetByHour.get(hour);
  if (offset === undefined) {
    const at = new Date(hour * HOUR_MS);
    const wall = intlWallTime(at);
    const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
    offset = Math.round((asUtc - at.getTime()) / 60_000);
    if (offsetByHour.size > 50_000) offsetByHour.clear();
    offsetByHour.set(hour, offset);
  }
  return offset;
}

/** Minutes Paris is ahead of UTC at that instant (60 in winter, 120 in summer). */
export function parisOffsetMinutes(date: Date): number {
  return offsetAt(date.getTime());
}

export function parisWallTime(date: Date): WallTime {
  const wall = new Date(Math.floor(date.getTime() / 1000) * 1000 + parisOffsetMinutes(date) * 60_000);
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
    weekday: ((wall.getUTCDay() + 6) % 7) + 1,
  };
}

/**
 * The instant a Paris wall-clock time names. Hours past 23 roll over to the next day (a range
 * closing at 01:00 is 25:00 of its opening day). In the autumn hour that happens twice the
 * first one (summer time) is taken; a spring time that does not exist (02:30 on the last Sunday
 * of March) moves an hour forward.
 */
export function fromParisWallTime(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
): Date {
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  // The offsets in force around that time: one, or the two of a daylight-saving change.
  const before = offsetAt(guess - 12 * HOUR_MS);
  const after = offsetAt(guess + 12 * HOUR_MS);
  const earlier = guess - Math.max(before, after) * 60_000;
  if (offsetAt(earlier) * 60_000 === guess - earlier) return new Date(earlier);
  // The later reading: the only one, or in the spring gap the time an hour forward.
  return new Date(guess - Math.min(before, after) * 60_000);
}

/** "2026-11-25T19:45:00+01:00": what `promisedAt` expects (ISO with offset). */
export function isoWithParisOffset(date: Date): string {
  const wall = parisWallTime(date);
  const offset = parisOffsetMinutes(date);
  const pad = (n: number, size = 2) => String(Math.abs(n)).padStart(size, '0');
  const sign = offset >= 0 ? '+' : '-';
  return (
    `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}T${pad(wall.hour)}:${pad(wall.minute)}:` +
    `${pad(wall.second)}${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`
  );
}
