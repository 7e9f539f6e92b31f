-- OC Pizza hub: the initial schema. PostgreSQL is the only source of truth (DESIGN.md section 2).

create table shops (
  id                 integer generated always as identity primary key,
  slug               text not null unique,
  name               text not null,
  address            text not null,
  postcode           text not null,
  city               text not null,
  phone              text not null,
  lat                double precision not null,
  lng                double precision not null,
  opening_hours      jsonb not null default '{}',
  delivery_radius_m  integer not null check (delivery_radius_m > 0),
  status             text not null check (status in ('open', 'opening')),
  opens_on           date,
  code_letter        char(1) not null unique,
  created_at         timestamptz not null default now(),
  check (status = 'open' or opens_on is not null)
);

create table ingredients (
  id    integer generated always as identity primary key,
  name  text not null unique,
  unit  text not null check (unit in ('g', 'ml', 'piece'))
);

-- The stock of one ingredient at one shop. available = on_hand - reserved, and it never goes
-- negative: the check constraint is the last line of defence behind the guarded UPDATEs.
create table stock (
  shop_id        integer not null references shops(id),
  ingredient_id  integer not null references ingredients(id),
  on_hand        integer not null default 0,
  reserved       integer not null default 0,
  low_threshold  integer not null default 0 check (low_threshold >= 0),
  primary key (shop_id, ingredient_id),
  check (reserved >= 0 and on_hand >= reserved)
);

create table products (
  id             integer generated always as identity primary key,
  slug           text not null unique,
  name           text not null,
  kind           text not null check (kind in ('pizza', 'drink', 'dessert')),
  description    text not null default '',
  price_cents    integer not null check (price_cents > 0),
  vat_rate_bp    integer not null check (vat_rate_bp between 0 and 10000),
  prep_minutes   integer not null default 0 check (prep_minutes >= 0),
  bake_minutes   integer not null default 0 check (bake_minutes >= 0),
  steps          jsonb not null default '[]',
  photo_url      text,
  active         boolean not null default true,
  position       integer not null default 0
);

create table recipe_items (
  product_id     integer not null references products(id) on delete cascade,
  ingredient_id  integer not null references ingredients(id),
  quantity       integer not null check (quantity > 0),
  primary key (product_id, ingredient_id)
);

create table customers (
  id             uuid primary key default gen_random_uuid(),
  email          text unique,
  name           text not null,
  phone          text,
  password_hash  text,
  created_at     timestamptz not null default now()
);

create table staff (
  id             uuid primary key default gen_random_uuid(),
  email          text not null unique,
  name           text not null,
  password_hash  text not null,
  role           text not null check (role in ('admin', 'manager', 'kitchen', 'counter', 'courier')),
  shop_id        integer references shops(id),
  active         boolean not null default true,
  created_at     timestamptz not null default now(),
  -- Admins act for the whole group; everyone else belongs to one shop.
  check ((role = 'admin') = (shop_id is null))
);

create table couriers (
  staff_id          uuid primary key references staff(id),
  shop_id           integer not null references shops(id),
  vehicle           text not null default 'scooter' check (vehicle in ('scooter', 'bike', 'car')),
  on_shift          boolean not null default false,
  last_lat          double precision,
  last_lng          double precision,
  last_position_at  timestamptz
);

-- Short codes only need to be unique among the orders a kitchen has on its board at once.
create sequence order_number_seq;

create table orders (
  id                   uuid primary key default gen_random_uuid(),
  shop_id              integer not null references shops(id),
  short_code           text not null,
  channel              text not null check (channel in ('web', 'phone', 'counter')),
  mode                 text not null check (mode in ('delivery', 'pickup')),
  status               text not null check (status in ('pending_payment', 'received', 'preparing', 'baking',
                         'ready', 'out_for_delivery', 'delivered', 'delivery_failed', 'picked_up', 'cancelled')),
  version              integer not null default 1 check (version > 0),
  customer_id          uuid references customers(id),
  customer_name        text not null,
  customer_phone       text not null,
  customer_email       text,
  delivery_line1       text,
  delivery_postcode    text,
  delivery_city        text,
  delivery_instructions text,
  delivery_lat         double precision,
  delivery_lng         double precision,
  total_cents          integer not null check (total_cents >= 0),
  vat_cents            integer not null check (vat_cents >= 0),
  payment_method       text not null check (payment_method in ('card_online', 'cash_at_door', 'card_at_door', 'at_counter')),
  payment_status       text not null default 'unpaid' check (payment_status in ('unpaid', 'paid', 'refunded')),
  promised_at          timestamptz,
  eta_at               timestamptz,
  courier_id           uuid references couriers(staff_id),
  notes                text,
  cancel_reason        text,
  -- sha-256 of the tracking token: a leaked dump does not give away customers' links.
  tracking_token_hash  bytea not null unique,
  created_at           timestamptz not null default now(),
  updated_at           timestamptz not null default now(),
  check (mode = 'pickup' or delivery_line1 is not null)
);
create index orders_shop_status_idx on orders (shop_id, status, created_at);
create index orders_courier_idx on orders (courier_id) where courier_id is not null;
create index orders_pending_payment_idx on orders (created_at) where status = 'pending_payment';

create table order_lines (
  order_id          uuid not null references orders(id) on delete cascade,
  line_no           integer not null,
  product_id        integer not null references products(id),
  product_name      text not null,
  quantity          integer not null check (quantity > 0),
  unit_price_cents  integer not null check (unit_price_cents >= 0),
  vat_rate_bp       integer not null,
  notes             text,
  primary key (order_id, line_no)
);

create table order_status_history (
  id           bigint generated always as identity primary key,
  order_id     uuid not null references orders(id) on delete cascade,
  from_status  text,
  to_status    text not null,
  actor_kind   text not null check (actor_kind in ('customer', 'staff', 'system', 'payment')),
  actor_id     text,
  reason       text,
  at           timestamptz not null default now()
);
create index order_status_history_order_idx on order_status_history (order_id, id);

create table payments (
  id            uuid primary key default gen_random_uuid(),
  order_id      uuid not null references orders(id),
  provider      text not null check (provider in ('stripe', 'cash', 'card_terminal')),
  provider_ref  text unique,
  amount_cents  integer not null,
  status        text not null,
  created_at    timestamptz not null default now()
);

-- Every movement of stock. For each (shop, ingredient): sum(on_hand_delta) = stock.on_hand and
-- sum(reserved_delta) = stock.reserved, so the ledger explains every gram.
create table stock_ledger (
  id              bigint generated always as identity primary key,
  shop_id         integer not null,
  ingredient_id   integer not null,
  kind            text not null check (kind in ('restock', 'reservation', 'release', 'consumption', 'waste', 'adjustment')),
  quantity        integer not null,
  on_hand_delta   integer not null,
  reserved_delta  integer not null,
  order_id        uuid references orders(id),
  staff_id        uuid references staff(id),
  note            text,
  at              timestamptz not null default now(),
  foreign key (shop_id, ingredient_id) references stock(shop_id, ingredient_id)
);
create index stock_ledger_stock_idx on stock_ledger (shop_id, ingredient_id);

-- The transactional outbox. A writer appends here in the same transaction as its change. The relay
-- (realtime issue) reads rows whose xid is below the snapshot's xmin, ordered by (xid, id), so an
-- event whose id committed late is never skipped; it then assigns `seq`, the delivery order.
create table outbox (
  id          bigint generated always as identity primary key,
  xid         xid8 not null default pg_current_xact_id(),
  type        text not null,
  shop_id     integer not null,
  order_id    uuid,
  courier_id  uuid,
  version     integer,
  data        jsonb not null default '{}',
  created_at  timestamptz not null default clock_timestamp(),
  seq         bigint unique,
  published_at timestamptz
);
create index outbox_unsequenced_idx on outbox (xid, id) where seq is null;
create index outbox_order_idx on outbox (order_id, id);

-- Server-side staff sessions (connect-pg-simple's table).
create table session (
  sid     varchar not null primary key,
  sess    json not null,
  expire  timestamp(6) not null
);
create index session_expire_idx on session (expire);
