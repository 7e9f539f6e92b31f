-- The back-office (issue 7): every change made there is recorded here, in the transaction of the
-- change itself, with who made it, when, and the entity before and after. The thresholds, hours,
-- recipes and courier settings it edits already have their columns.

create table audit_log (
  id         bigint generated always as identity primary key,
  at         timestamptz not null default now(),
  staff_id   uuid not null references staff(id),
  -- `entity.verb`, e.g. product.update, staff.create, stock.threshold_update
  action     text not null check (action ~ '^[a-z_]+\.[a-z_]+$'),
  entity     text not null check (entity in ('shop', 'product', 'ingredient', 'stock', 'staff', 'courier')),
  entity_id  text not null,
  -- The shop the change concerns; null for group-wide entities (menu, ingredients, admins).
  shop_id    integer references shops(id),
  before     jsonb,
  after      jsonb
);
create index audit_log_shop_idx on audit_log (shop_id, id desc);
create index audit_log_entity_idx on audit_log (entity, entity_id, id desc);

-- An audit trail that can be rewritten is worth nothing: rows are only ever appended.
create function audit_log_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only' using errcode = 'insufficient_privilege';
end
$$;
create trigger audit_log_no_rewrite
  before update or delete on audit_log
  for each row execute function audit_log_append_only();
