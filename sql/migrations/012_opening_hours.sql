-- Opening hours enforced (issue 12): the last-order margin per shop and exceptional closures.
alter table shops
  add column last_order_minutes int not null default 15
    check (last_order_minutes between 0 and 120);

-- Whole Paris days, both ends included: the shop takes no order and promises no time on them.
create table shop_closures (
  id          bigint generated always as identity primary key,
  shop_id     int not null references shops (id) on delete cascade,
  starts_on   date not null,
  ends_on     date not null,
  reason      text not null default '',
  created_at  timestamptz not null default now(),
  check (ends_on >= starts_on),
  check (ends_on - starts_on <= 366)
);
create index shop_closures_shop_ends on shop_closures (shop_id, ends_on);
