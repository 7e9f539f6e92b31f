-- Real-time delivery: the relay's bookkeeping, replay indexes, command idempotency.

-- One row. last_seq: the highest delivery seq ever assigned (kept here, not derived from outbox,
-- so purging old events never makes seq restart). purged_up_to: events with seq <= it were
-- deleted; a client resuming from before it must reload its snapshot.
create table relay_state (
  id            integer primary key default 1 check (id = 1),
  last_seq      bigint not null default 0,
  purged_up_to  bigint not null default 0
);
insert into relay_state default values;

-- Sequenced but not yet confirmed published: what a new relay leader publishes first.
create index outbox_unpublished_idx on outbox (seq) where seq is not null and published_at is null;
-- Replays filter by shop, order or courier after a seq.
create index outbox_shop_seq_idx on outbox (shop_id, seq) where seq is not null;
create index outbox_courier_seq_idx on outbox (courier_id, seq) where courier_id is not null and seq is not null;
create index outbox_order_seq_idx on outbox (order_id, seq) where order_id is not null and seq is not null;

-- A command retried with the same idempotency key (same principal) is answered from here and
-- never applied twice. Written in the same transaction as the command's effect.
create table command_log (
  principal        text not null,
  idempotency_key  text not null,
  name             text not null,
  order_id         uuid,
  created_at       timestamptz not null default now(),
  primary key (principal, idempotency_key)
);
create index command_log_created_idx on command_log (created_at);
