-- Issue 14: one promised time per order, computed once when it is placed (hub/src/domain/eta.ts):
-- what the customer is told (arrival, or ready for collection), what the kitchen works to
-- (`promise_ready_by` = promised time minus the route leg) and what lateness is measured against.
-- `promised_at` stays the time the customer asked for (null: as soon as possible).
alter table orders
  add column promise_at            timestamptz,
  add column promise_ready_by      timestamptz,
  -- From ready to the door (handover + drive), counted in the promise; null for a pick-up.
  add column promise_route_minutes integer check (promise_route_minutes >= 0),
  -- How the drive was timed: Google's route, or the straight-line estimate; null for a pick-up.
  add column promise_route_source  text check (promise_route_source in ('route', 'estimate'));

-- Orders placed before this migration, and rows written by other SQL clients (a hub node of the
-- previous release during a rolling deploy), get the old rule: the requested time, else placed
-- plus the shop's lead time, with the kitchen working to the same time.
create function orders_default_promise() returns trigger language plpgsql as $$
begin
  if new.promise_at is null then
    new.promise_at := coalesce(new.promised_at, new.created_at
      + (select s.default_lead_minutes from shops s where s.id = new.shop_id) * interval '1 minute');
  end if;
  if new.promise_ready_by is null then
    new.promise_ready_by := new.promise_at - coalesce(new.promise_route_minutes, 0) * interval '1 minute';
  end if;
  return new;
end $$;

update orders o
   set promise_at = coalesce(o.promised_at, o.created_at + s.default_lead_minutes * interval '1 minute'),
       promise_ready_by = coalesce(o.promised_at, o.created_at + s.default_lead_minutes * interval '1 minute')
  from shops s
 where s.id = o.shop_id;

create trigger orders_default_promise before insert on orders
  for each row execute function orders_default_promise();

alter table orders
  alter column promise_at set not null,
  alter column promise_ready_by set not null;

-- A requested time changed by any writer (the hub, a back-office SQL session) is the new promise,
-- unless the same statement sets the promise itself.
create function orders_requested_time_is_promise() returns trigger language plpgsql as $$
begin
  if new.promised_at is not null and new.promised_at is distinct from old.promised_at
     and new.promise_at is not distinct from old.promise_at then
    new.promise_at := new.promised_at;
    new.promise_ready_by := new.promised_at - coalesce(new.promise_route_minutes, 0) * interval '1 minute';
  end if;
  return new;
end $$;

create trigger orders_requested_time_is_promise before update of promised_at on orders
  for each row execute function orders_requested_time_is_promise();
