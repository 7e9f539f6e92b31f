-- What Stripe says happened to refunds and disputes (issue 12), from its webhooks.
-- Webhooks come at least once and in any order: each row keeps the `created` time of the Stripe
-- event that set it (`stripe_event_at`), and an older event never overwrites a newer one.

-- A refund Stripe answered `pending` is settled later by refund.updated / charge.refunded; one it
-- cancelled (canceled) or could not make (failed) leaves the money with us: the manager sees it.
alter table refunds drop constraint refunds_status_check;
alter table refunds add constraint refunds_status_check
  check (status in ('pending', 'succeeded', 'failed', 'canceled'));
alter table refunds add column stripe_event_at timestamptz;
-- Why the last call to Stripe did not get an answer (the job retries); `failure` is Stripe's own
-- reason for a failed or canceled refund, which the order shows.
alter table refunds add column last_error text;
-- The refund job only calls Stripe for refunds Stripe does not know yet.
drop index refunds_pending_idx;
create index refunds_unsent_idx on refunds (created_at) where status = 'pending' and stripe_refund_id is null;

-- A customer's bank contesting a payment. The manager must answer with evidence before
-- `evidence_due_by`, or the dispute is lost.
create table disputes (
  id                text primary key,
  order_id          uuid not null references orders(id),
  charge_id         text not null,
  payment_intent_id text,
  amount_cents      integer not null check (amount_cents >= 0),
  currency          text not null,
  reason            text not null,
  status            text not null,
  evidence_due_by   timestamptz,
  stripe_event_at   timestamptz not null,
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now()
);
create index disputes_order_idx on disputes (order_id, created_at desc);
