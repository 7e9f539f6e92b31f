import { z } from 'zod';
import { CustomerAccount, KnownCustomer, type RegisterCustomerBody } from '../contract/index.js';
import type { Actor } from '../domain/actor.js';
import { sql, type DatabasePool } from '../adapters/postgres.js';
import { hashPassword, verifyPassword } from '../adapters/passwords.js';
import { appError } from '../errors.js';
import { hashTrackingToken, newTrackingToken } from '../orders/tracking-token.js';

const CustomerRow = CustomerAccount.extend({
  passwordHash: z.string().nullable(),
  verified: z.boolean(),
});
const CustomerId = z.object({ id: z.uuid() });
const ExistingAccount = z.object({ id: z.uuid(), hasPassword: z.boolean() });

/** What the sign-up sends: to a new address its confirmation link, to a known one a note. */
export type AccountMails = {
  confirm(to: string, name: string, token: string): void;
  exists(to: string): void;
};

export type CustomersService = ReturnType<typeof createCustomersService>;

/** Customer accounts: optional (every order also has its tracking link), e-mail + argon2 password. */
export function createCustomersService(deps: { db: DatabasePool; mails: AccountMails }) {
  const { db } = deps;
  let decoyHash: Promise<string> | undefined;
  const strip = ({ passwordHash: _h, verified: _v, ...c }: z.infer<typeof CustomerRow>): CustomerAccount => c;

  return {
    /**
     * A sign-up. The answer and its cost (one argon2 hash) are the same whether or not the
     * address has an account, so neither tells which: the difference is in the mailbox. An
     * address known only from guest orders (no password) becomes an account like a new one.
     */
    async register(body: RegisterCustomerBody): Promise<void> {
      const passwordHash = await hashPassword(body.password);
      const token = newTrackingToken();
      const created = await db.transaction(async (tx) => {
        const existing = await tx.maybeOne(sql.type(ExistingAccount)`
          select id, password_hash is not null as "hasPassword" from customers
          where email = lower(${body.email}) for update`);
        if (existing?.hasPassword) return null;
        const row = existing
          ? await tx.one(sql.type(CustomerId)`
              update customers set name = ${body.name}, phone = coalesce(${body.phone ?? null}, phone),
                password_hash = ${passwordHash}, email_verified_at = null
              where id = ${existing.id} returning id`)
          : await tx.maybeOne(sql.type(CustomerId)`
              insert into customers (email, name, phone, password_hash)
              values (lower(${body.email}), ${body.name}, ${body.phone ?? null}, ${passwordHash})
              on conflict (email) do nothing returning id`);
        // A sign-up with the same address that committed meanwhile: that one is the account.
        if (!row) return null;
        await tx.query(sql.unsafe`
          insert into customer_email_tokens (token_hash, customer_id, expires_at)
          values (${sql.binary(hashTrackingToken(token))}, ${row.id}, now() + interval '24 hours')`);
        return row;
      });
      // To the address as the account keeps it (e-mails are stored lower-cased).
      const to = body.email.toLowerCase();
      if (created) deps.mails.confirm(to, body.name, token);
      else deps.mails.exists(to);
    },

    /** The confirmation link: the account is usable from now on (the link works once). */
    async verifyEmail(token: string): Promise<CustomerAccount> {
      const row = await db.maybeOne(sql.type(CustomerRow)`
        with used as (
          delete from customer_email_tokens
          where token_hash = ${sql.binary(hashTrackingToken(token))} and expires_at > now()
          returning customer_id)
        update customers c set email_verified_at = coalesce(c.email_verified_at, now())
        from used where c.id = used.customer_id
        returning c.id, c.name, c.email, c.phone, c.password_hash as "passwordHash", true as verified`);
      if (!row) {
        throw appError(
          'auth/link_invalid',
          'This confirmation link is unknown, used or older than 24 hours: sign up again.',
        );
      }
      return strip(row);
    },

    async login(email: string, password: string): Promise<CustomerAccount | null> {
      const row = await db.maybeOne(sql.type(CustomerRow)`
        select id, name, email, phone, password_hash as "passwordHash", email_verified_at is not null as verified
        from customers where email = lower(${email})`);
      if (!row?.passwordHash) {
        // Same cost whether or not the account exists: timing does not reveal customers' e-mails.
        decoyHash ??= hashPassword('decoy-password-for-timing');
        await verifyPassword(await decoyHash, password);
        return null;
      }
      if (!(await verifyPassword(row.passwordHash, password))) return null;
      // Only the right password learns this: the account waits for its confirmation link.
      if (!row.verified) {
        throw appError('auth/email_unverified', 'Confirm your e-mail first: open the link we sent you.');
      }
      return strip(row);
    },

    /**
     * Counter staff find a returning customer by phone: the names used with that number, with the
     * last delivery address, most recent first.
     */
    async lookupByPhone(phone: string, actor: Actor): Promise<KnownCustomer[]> {
      const mayLook = actor.kind === 'staff' && ['counter', 'manager', 'admin'].includes(actor.role);
      if (!mayLook) throw appError('auth/forbidden', 'Only counter staff and managers look customers up.');
      const digits = phone.replace(/\D/g, '');
      // Staff of one shop see the customers of their shop only.
      const shopFilter =
        actor.role === 'admin' || actor.shopId === null
          ? sql.fragment``
          : sql.fragment`and shop_id = ${actor.shopId}`;
      return [
        ...(await db.any(sql.type(KnownCustomer)`
          select customer_name as name, max(customer_phone) as phone, max(customer_email) as email,
                 (array_agg(case when delivery_line1 is null then null else json_build_object(
                    'line1', delivery_line1, 'postcode', delivery_postcode, 'city', delivery_city,
                    'instructions', delivery_instructions) end order by created_at desc)
                  filter (where delivery_line1 is not null))[1] as "lastAddress",
                 max(created_at) as "lastOrderAt", count(*)::int as orders
          from orders
          where customer_phone_digits = ${digits} ${shopFilter}
          group by customer_name
          order by max(created_at) desc
          limit 5`)),
      ];
    },

    async byId(id: string): Promise<CustomerAccount | null> {
      const row = await db.maybeOne(sql.type(CustomerRow)`
        select id, name, email, phone, password_hash as "passwordHash", email_verified_at is not null as verified
        from customers where id = ${id}`);
      return row ? strip(row) : null;
    },
  };
}
