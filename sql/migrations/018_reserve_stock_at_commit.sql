-- Issue 11: a new order's stock reservation holds the shop's stock rows for its COMMIT only.
--
-- Every order of a shop locks the same stock rows (dough, tomato, mozzarella). reserve_stock (010)
-- ran as the order transaction's last statement, but the rows stayed locked while its answer went
-- to the hub and the hub's COMMIT came back: on a busy hub that hop is milliseconds, and a shop's
-- orders queued behind it one at a time (4.3 ms of lock waiting per order in the writes bench).
--
-- Now the order transaction only writes what it needs here (no lock: the row is its own). A
-- deferred constraint trigger runs reserve_stock while PostgreSQL commits, so the rows are locked
-- from the trigger to the end of the commit and never across a round trip. Short of an
-- ingredient, the trigger raises OCS01 with the locked levels as the detail: the commit fails, the
-- whole order rolls back, and the hub names the pizzas that do not fit from those levels.
create table stock_reservations_at_commit (
  order_id uuid primary key,
  shop_id integer not null,
  ingredient_ids integer[] not null,
  quantities integer[] not null,
  -- false only in the benchmark's no-outbox rounds (BENCH_DISABLE_OUTBOX)
  announce boolean not null
);

create function reserve_stock_at_commit() returns trigger
language plpgsql as $$
declare
  v_ok boolean;
  v_levels jsonb;
begin
  select r.ok, r.levels into v_ok, v_levels
  from reserve_stock(new.shop_id, new.order_id, new.ingredient_ids, new.quantities, new.announce) r;
  if not v_ok then
    raise exception 'stock/insufficient: not enough stock for order %', new.order_id
      using errcode = 'OCS01', detail = v_levels::text;
  end if;
  -- Carried out: the request has no further use (the ledger keeps the reservation).
  delete from stock_reservations_at_commit where order_id = new.order_id;
  return null;
end;
$$;

create constraint trigger stock_reservations_at_commit_run
  after insert on stock_reservations_at_commit
  deferrable initially deferred
  for each row execute function reserve_stock_at_commit();
