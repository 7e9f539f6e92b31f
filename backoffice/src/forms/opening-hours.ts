import type { OpeningHours } from '@ocp/hub/contract';

/** ISO weekdays, Monday first, as the hub keys opening hours. */
export const WEEKDAYS = ['1', '2', '3', '4', '5', '6', '7'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** One day's ranges as one line a person edits: "11:30-14:30, 18:30-22:30"; empty is closed. */
export function rangesToText(ranges: readonly string[] | undefined): string {
  return (ranges ?? []).join(', ');
}

/** The line back into ranges, as typed: the hub says what is wrong with any of them. */
export function textToRanges(text: string): string[] {
  return text
    .split(/[,;]+/)
    .map((r) => r.replace(/\s+/g, '').replace(/[–—]/g, '-'))
    .filter((r) => r.length > 0);
}

export type HoursForm = Record<Weekday, string>;

export function hoursToForm(hours: OpeningHours): HoursForm {
  return Object.fromEntries(WEEKDAYS.map((d) => [d, rangesToText(hours[d])])) as HoursForm;
}

/** A closed day is left out, as the hub stores it. */
export function formToHours(form: HoursForm): Record<string, string[]> {
  const hours: Record<string, string[]> = {};
  for (const d of WEEKDAYS) {
    const ranges = textToRanges(form[d]);
    if (ranges.length > 0) hours[d] = ranges;
  }
  return hours;
}
