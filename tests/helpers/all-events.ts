import { sql } from '../../hub/src/adapters/postgres.js';

/**
 * Every event written: the relay moves committed outbox rows to event_log (migration 009), so
 * "what the writers appended" is both tables; `id` is the outbox id, in append order.
 */
export const allEvents = sql.fragment`(
  select id, xid, type, shop_id, order_id, courier_id, version, data, null::bigint as seq from outbox
  union all
  select outbox_id, xid, type, shop_id, order_id, courier_id, version, data, seq from event_log)`;

/** The same, as SQL text for plain `pg` clients. */
export const ALL_EVENTS = allEvents.sql;
