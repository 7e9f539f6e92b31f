-- The counter finds a returning customer by phone number, however it was typed.
alter table orders
  add column customer_phone_digits text generated always as (regexp_replace(customer_phone, '\D', '', 'g')) stored;
create index orders_phone_digits_idx on orders (customer_phone_digits, created_at desc);
