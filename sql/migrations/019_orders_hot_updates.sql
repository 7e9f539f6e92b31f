-- Issue 11: a customer's new time (the realtime benchmark's write, and a real customer's) changed
-- the order's row with a new entry in each of its 10 indexes, because `promise_ready_by` was in the
-- kitchen queue's index (017). Without that column in any index, and with room left on each page,
-- the change is a HOT update: the new row version stays on its page and no index is touched.
--
-- The queue index is dropped: the kitchen queue a promise waits behind is read once per node per
-- shop every few seconds since the copy of kitchen-queue-cache.ts, and orders_shop_status_idx finds
-- the shop's received orders; sorting them costs that read little: a few dozen in a real kitchen,
-- and 0.7 ms of PostgreSQL for the 1,100 of a shop in the benchmark (measured with EXPLAIN ANALYZE).
drop index orders_kitchen_queue_idx;

-- An order is updated about ten times in its life (each status, the courier's offer, payment):
-- a fifth of each new page is kept free so that those updates can stay on it.
alter table orders set (fillfactor = 80);

-- The trigger's own condition, checked by PostgreSQL before it calls the function: a statement
-- that sets the promise itself (the hub's) no longer runs PL/pgSQL for each row.
drop trigger orders_requested_time_is_promise on orders;
create trigger orders_requested_time_is_promise before update of promised_at on orders
  for each row
  when (new.promised_at is not null and new.promised_at is distinct from old.promised_at
        and new.promise_at is not distinct from old.promise_at)
  execute function orders_requested_time_is_promise();
