/**
 * Formatting shared by every page. Times are shown on the shops' clock (Europe/Paris) whatever the
 * browser's time zone: a customer abroad ordering for family in Paris reads the pizzeria's time.
 */
export type Locale = 'fr' | 'en';

const TIME_ZONE = 'Europe/Paris';
const intlLocale: Record<Locale, string> = { fr: 'fr-FR', en: 'en-GB' };

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, make: () => T): T {
  let format = cache.get(key);
  if (!format) {
    format = make();
    cache.set(key, format);
  }
  return format as T;
}

/** Integer cents -> "12,50 €" (fr) or "€12.50" (en). */
export function formatPrice(cents: number, locale: Locale = 'fr'): string {
  return cached(
    `price:${locale}`,
    () => new Intl.NumberFormat(intlLocale[locale], { style: 'currency', currency: 'EUR' }),
  ).format(cents / 100);
}

/** "19:42" on the shops' clock. */
export function formatTime(value: Date | string, locale: Locale = 'fr'): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return String(value);
  return cached(
    `time:${locale}`,
    () =>
      new Intl.DateTimeFormat(intlLocale[locale], {
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
        timeZone: TIME_ZONE,
      }),
  ).format(date);
}

/** "19:42:05", for "stale since". */
export function formatClock(value: Date | string, locale: Locale = 'fr'): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return String(value);
  return cached(
    `clock:${locale}`,
    () =>
      new Intl.DateTimeFormat(intlLocale[locale], {
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hourCycle: 'h23',
        timeZone: TIME_ZONE,
      }),
  ).format(date);
}

/**
 * "2026-03-14" -> "14 mars 2026". A calendar date (YYYY-MM-DD) is formatted as that day, whatever
 * the browser's time zone; a full timestamp as the day it is in Paris. Unparseable input is
 * returned unchanged rather than shown as "Invalid Date".
 */
export function formatDate(value: string, locale: Locale = 'fr'): string {
  const calendarDay = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (calendarDay) {
    const [, year, month, day] = calendarDay;
    return cached(
      `day:${locale}`,
      () => new Intl.DateTimeFormat(intlLocale[locale], { dateStyle: 'long', timeZone: 'UTC' }),
    ).format(new Date(Date.UTC(Number(year), Number(month) - 1, Number(day))));
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return cached(
    `date:${locale}`,
    () => new Intl.DateTimeFormat(intlLocale[locale], { dateStyle: 'long', timeZone: TIME_ZONE }),
  ).format(date);
}

/** "14 mars 2026 à 19:42" for an order history. */
export function formatDateTime(value: string, locale: Locale = 'fr'): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return cached(
    `datetime:${locale}`,
    () =>
      new Intl.DateTimeFormat(intlLocale[locale], {
        dateStyle: 'medium',
        timeStyle: 'short',
        timeZone: TIME_ZONE,
      }),
  ).format(date);
}

/** 1234 m -> "1,2 km", 640 m -> "640 m". */
export function formatDistance(meters: number, locale: Locale = 'fr'): string {
  if (meters < 1000) return `${Math.round(meters)} m`;
  const km = cached(
    `km:${locale}`,
    () => new Intl.NumberFormat(intlLocale[locale], { maximumFractionDigits: 1 }),
  ).format(meters / 1000);
  return `${km} km`;
}

/** "samedi 5 décembre" (fr) or "Saturday 5 December" (en), on the shops' clock. */
export function formatDay(value: Date, locale: Locale = 'fr'): string {
  return cached(
    `day:${locale}`,
    () =>
      new Intl.DateTimeFormat(intlLocale[locale], {
        weekday: 'long',
        day: 'numeric',
        month: 'long',
        timeZone: TIME_ZONE,
      }),
  ).format(value);
}
