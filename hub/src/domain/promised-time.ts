/** How far ahead a customer may ask for their order. */
export const MAX_ADVANCE_MS = 7 * 24 * 60 * 60 * 1000;

/** A requested time must be ahead of now and within a week; returns the sentence to show, or null. */
export function promisedTimeProblem(promisedAt: string, now: Date): string | null {
  const at = new Date(promisedAt).getTime();
  if (Number.isNaN(at)) return 'The requested time is not a date.';
  if (at < now.getTime()) return 'The requested time is already past.';
  if (at - now.getTime() > MAX_ADVANCE_MS) return 'Orders can be placed at most 7 days ahead.';
  return null;
}
