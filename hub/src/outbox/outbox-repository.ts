import type { EventType } from '../contract/index.js';
import { sql, type DatabaseTransactionConnection } from '../adapters/postgres.js';

export type NewEvent = {
  type: EventType;
  shopId: number;
  orderId?: string | null;
  courierId?: string | null;
  version?: number | null;
  data: Record<string, unknown>;
};

/** `disabled`: only bench/writes.ts sets it (BENCH_DISABLE_OUTBOX), to measure what the outbox costs. */
export type OutboxOptions = { disabled?: boolean };

/**
 * Appends an event in the caller's transaction: it commits with the change or not at all.
 * No NOTIFY here (STACK.md: a NOTIFY per commit cut throughput 3x); the relay finds rows itself.
 */
export async function appendEvent(
  tx: DatabaseTransactionConnection,
  event: NewEvent,
  options: OutboxOptions = {},
): Promise<void> {
  // Benchmark only (config.benchDisableOutbox, refused in production): the write without its event.
  if (options.disabled) return;
  await tx.query(sql.unsafe`
    insert into outbox (type, shop_id, order_id, courier_id, version, data)
    values (${event.type}, ${event.shopId}, ${event.orderId ?? null}, ${event.courierId ?? null},
            ${event.version ?? null}, ${sql.jsonb(event.data as never)})`);
}
