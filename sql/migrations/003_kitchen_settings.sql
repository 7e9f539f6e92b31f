-- Kitchen board settings per shop: when a ticket turns amber (minutes before it is due), and the
-- lead time used as the due time of an order that has no promised time.
alter table shops
  add column kitchen_warn_minutes integer not null default 5 check (kitchen_warn_minutes between 0 and 120),
  add column default_lead_minutes integer not null default 25 check (default_lead_minutes between 5 and 240);
