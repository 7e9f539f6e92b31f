import type { Command } from '@ocp/hub/contract';

/**
 * Commands tapped while the phone had no signal: kept (in localStorage) with their idempotency
 * key and sent on reconnect, in order. A retry carries the same key, so the hub applies each
 * command once whatever happened to the first attempt's answer.
 */
export type PendingCommand = { command: Command; label: string; at: string };

export function enqueue(queue: readonly PendingCommand[], item: PendingCommand): PendingCommand[] {
  if (queue.some((p) => p.command.idempotencyKey === item.command.idempotencyKey)) return [...queue];
  return [...queue, item];
}

export function settle(queue: readonly PendingCommand[], idempotencyKey: string): PendingCommand[] {
  return queue.filter((p) => p.command.idempotencyKey !== idempotencyKey);
}

/** The orders with a command still waiting: their buttons show "pending" instead. */
export function pendingOrders(queue: readonly PendingCommand[]): Set<string> {
  return new Set(queue.map((p) => p.command.payload.orderId));
}

export function load(storage: Pick<Storage, 'getItem'>, key: string): PendingCommand[] {
  try {
    const raw = storage.getItem(key);
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    return Array.isArray(parsed) ? (parsed as PendingCommand[]) : [];
  } catch {
    return [];
  }
}
