-- Dispatch: ready delivery orders are offered to one courier at a time.

alter table couriers
  add column capacity integer not null default 2 check (capacity between 1 and 6);

alter table shops
  add column dispatch_offer_seconds integer not null default 60 check (dispatch_offer_seconds between 10 and 600),
  add column batch_radius_m integer not null default 800 check (batch_radius_m between 0 and 5000),
  add column batch_window_minutes integer not null default 5 check (batch_window_minutes between 0 and 30);

-- The offer standing now is part of the order (it changes its version and every screen sees it);
-- dispatch_offers keeps every offer made, to skip couriers who declined or let it expire.
alter table orders
  add column offered_courier_id uuid references couriers(staff_id),
  add column offer_expires_at timestamptz,
  add column ready_at timestamptz,
  add constraint orders_offer_pair check ((offered_courier_id is null) = (offer_expires_at is null));
create index orders_offer_expiry_idx on orders (offer_expires_at) where offered_courier_id is not null;
create index orders_awaiting_courier_idx on orders (shop_id) where status = 'ready' and mode = 'delivery' and courier_id is null;

create table dispatch_offers (
  id           bigint generated always as identity primary key,
  order_id     uuid not null references orders(id),
  courier_id   uuid not null references couriers(staff_id),
  status       text not null check (status in ('pending', 'accepted', 'declined', 'expired', 'withdrawn')),
  offered_at   timestamptz not null default now(),
  expires_at   timestamptz not null,
  answered_at  timestamptz
);
create unique index dispatch_offers_one_pending on dispatch_offers (order_id) where status = 'pending';
create index dispatch_offers_order_idx on dispatch_offers (order_id);
