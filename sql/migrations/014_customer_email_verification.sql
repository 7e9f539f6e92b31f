-- Issue 13: sign-up no longer tells whether an e-mail has an account. A new account is confirmed
-- by a link sent to its address before it can log in; the owner of an existing one gets a note.
-- Accounts made before this migration were used already: they count as confirmed.
alter table customers add column email_verified_at timestamptz;
update customers set email_verified_at = created_at where password_hash is not null;

-- Only the SHA-256 of a link's token is kept: a copy of the database confirms nobody.
create table customer_email_tokens (
  token_hash  bytea primary key,
  customer_id uuid not null references customers (id) on delete cascade,
  expires_at  timestamptz not null
);
create index customer_email_tokens_customer on customer_email_tokens (customer_id);
