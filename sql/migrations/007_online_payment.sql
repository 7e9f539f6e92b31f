-- Online card payment through Stripe (issue 6).
-- One PaymentIntent per order; the last failed attempt's message is shown on the tracking page.
alter table orders
  add column payment_intent_id text unique,
  add column payment_failure text;

-- Every Stripe event the webhook accepted, recorded in the transaction of its effect: the primary
-- key makes a duplicate or replayed delivery a no-op, and `outcome` says what the hub did.
create table stripe_events (
  id           text primary key,
  type         text not null,
  order_id     uuid references orders(id),
  outcome      text not null,
  stripe_created_at timestamptz not null,
  received_at  timestamptz not null default now()
);
create index stripe_events_order_idx on stripe_events (order_id) where order_id is not null;

-- A paid order that is cancelled is refunded in full. The row is written with the cancellation
-- (so a crash between the two cannot forget the money); Stripe is called after the commit, with
-- an idempotency key derived from the order, and retried by a job until it answers.
create table refunds (
  id                bigint generated always as identity primary key,
  order_id          uuid not null unique references orders(id),
  payment_intent_id text not null,
  amount_cents      integer not null check (amount_cents > 0),
  status            text not null check (status in ('pending', 'succeeded', 'failed')),
  stripe_refund_id  text unique,
  failure           text,
  attempts          integer not null default 0,
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now()
);
create index refunds_pending_idx on refunds (created_at) where status = 'pending';
