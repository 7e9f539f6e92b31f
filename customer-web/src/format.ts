const dayFormat = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'UTC' });
const dateTimeFormat = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' });

/**
 * "2026-03-14" -> "14 mars 2026". A calendar date (YYYY-MM-DD) is formatted as that day, whatever the
 * browser's time zone; a full timestamp is formatted as the day it is in Paris. Unparseable input is
 * returned unchanged rather than shown as "Invalid Date".
 */
export function formatFrenchDate(value: string): string {
  const calendarDay = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (calendarDay) {
    const [, year, month, day] = calendarDay;
    return dayFormat.format(new Date(Date.UTC(Number(year), Number(month) - 1, Number(day))));
  }
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : dateTimeFormat.format(date);
}
