-- Issue 11: every new order's promise reads the shop's kitchen queue. The read took every received
-- order of the shop (a benchmark with no kitchen moving tickets reached thousands: 1.5 ms of
-- PostgreSQL per order, growing). It now takes the first waiting tickets in the board's order (due
-- first, then placed first) straight from this index, and stops after a fixed number.
create index orders_kitchen_queue_idx on orders (shop_id, promise_ready_by, created_at)
  where status = 'received';
