import { OrderMode, OrderStatus } from '@ocp/hub/contract';
import { z } from 'zod';
import { FINISHED } from './tracking-state';

/**
 * "Mes commandes en cours": the tracking links this browser received, so a customer who closed the
 * tab finds their order again. The token is the only credential for a guest order, so it stays on
 * this device; entries older than a few days are dropped.
 */
export const RememberedOrder = z.object({
  token: z.string(),
  shortCode: z.string(),
  shopName: z.string(),
  mode: OrderMode,
  createdAt: z.string(),
  /** Last status seen on the tracking page (the list does not follow orders live). */
  status: OrderStatus,
});
export type RememberedOrder = z.infer<typeof RememberedOrder>;

export const KEEP_DAYS = 3;
export const KEEP_MAX = 10;

export function parseRemembered(raw: string | null, now: Date): RememberedOrder[] {
  if (!raw) return [];
  try {
    const parsed = z.array(z.unknown()).safeParse(JSON.parse(raw));
    if (!parsed.success) return [];
    const entries = parsed.data.flatMap((e) => {
      const entry = RememberedOrder.safeParse(e);
      return entry.success ? [entry.data] : [];
    });
    return prune(entries, now);
  } catch {
    return [];
  }
}

function prune(entries: RememberedOrder[], now: Date): RememberedOrder[] {
  const horizon = now.getTime() - KEEP_DAYS * 24 * 3600_000;
  return entries
    .filter((e) => Date.parse(e.createdAt) >= horizon)
    .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))
    .slice(0, KEEP_MAX);
}

/** Adds or updates an entry (same token), newest first. */
export function remember(
  list: readonly RememberedOrder[],
  entry: RememberedOrder,
  now: Date,
): RememberedOrder[] {
  return prune([entry, ...list.filter((e) => e.token !== entry.token)], now);
}

export function inProgress(list: readonly RememberedOrder[]): RememberedOrder[] {
  return list.filter((e) => !FINISHED.includes(e.status));
}
