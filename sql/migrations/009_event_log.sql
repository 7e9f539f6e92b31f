-- The outbox becomes the writers' queue and nothing else; delivered events live in event_log.
--
-- Until now the relay gave every outbox row its seq with an UPDATE: a second ~1 KB heap tuple per
-- event and new entries in each of the outbox's 6 indexes (never a HOT update, since seq is
-- indexed), and the dead ones piled up under the relay's own partial-index scan (issue 11 measured
-- 0.26 ms per event at 5,000 dead entries, 0.84 ms at 30,000). Now one relay statement per batch
-- moves committed rows from the outbox into event_log with their seq and deletes them from the
-- outbox: the outbox has 2 indexes and stays near empty, event_log is append-only (never updated),
-- and the relay's scan starts at a cursor, after whatever it already moved.
--
-- The ordering rule is unchanged: rows are taken in (xid, id) order, only from transactions below
-- the oldest one still running (STACK.md: sequences commit out of order), so a late commit holds
-- the relay back instead of being skipped. A transaction below that horizon has finished, so no
-- row can ever appear behind the cursor (xid, id) of the last row moved.
create table event_log (
  seq         bigint primary key,
  -- Where it came from: the outbox row and the transaction that wrote it (with the change).
  outbox_id   bigint not null,
  xid         xid8 not null,
  type        text not null,
  shop_id     integer not null,
  order_id    uuid,
  courier_id  uuid,
  version     integer,
  data        jsonb not null,
  created_at  timestamptz not null
);
-- Replays filter by shop, order or courier after a seq.
create index event_log_shop_seq_idx on event_log (shop_id, seq);
create index event_log_order_seq_idx on event_log (order_id, seq) where order_id is not null;
create index event_log_courier_seq_idx on event_log (courier_id, seq) where courier_id is not null;

insert into event_log (seq, outbox_id, xid, type, shop_id, order_id, courier_id, version, data, created_at)
select seq, id, xid, type, shop_id, order_id, courier_id, version, data, created_at from outbox where seq is not null;
delete from outbox where seq is not null;

-- The (xid, id) of the last row moved: the relay's next scan starts after it.
alter table relay_state
  add column cursor_xid xid8 not null default '0',
  add column cursor_id bigint not null default 0;

-- Drops its unique constraint and the partial indexes on seq with it.
alter table outbox drop column seq;
drop index if exists outbox_order_idx;
create index outbox_pending_idx on outbox (xid, id);
