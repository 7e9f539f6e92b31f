import { z } from 'zod';
import { CustomerAccount, KnownCustomer, type RegisterCustomerBody } from '../contract/index.js';
import type { Actor } from '../domain/actor.js';
import { pgErrorCode, sql, type DatabasePool } from '../adapters/postgres.js';
import { hashPassword, verifyPassword } from '../adapters/passwords.js';
import { appError } from '../errors.js';

const CustomerRow = CustomerAccount.extend({ passwordHash: z.string().nullable() });

export type CustomersService = ReturnType<typeof createCustomersService>;

/** Customer accounts: optional (every order also has its tracking link), e-mail + argon2 password. */
export function createCustomersService(deps: { db: DatabasePool }) {
  const { db } = deps;
  let decoyHash: Promise<string> | undefined;
  const strip = ({ passwordHash: _h, ...c }: z.infer<typeof CustomerRow>): CustomerAccount => c;

  return {
    async register(body: RegisterCustomerBody): Promise<CustomerAccount> {
      const passwordHash = await hashPassword(body.password);
      try {
        const row = await db.one(sql.type(CustomerRow)`
          insert into customers (email, name, phone, password_hash)
          values (lower(${body.email}), ${body.name}, ${body.phone ?? null}, ${passwordHash})
          returning id, name, email, phone, password_hash as "passwordHash"`);
        return strip(row);
      } catch (error) {
        if (pgErrorCode(error) === '23505') {
          throw appError('auth/email_taken', 'An account already uses this e-mail: log in instead.');
        }
        throw error;
      }
    },

    async login(email: string, password: string): Promise<CustomerAccount | null> {
      const row = await db.maybeOne(sql.type(CustomerRow)`
        select id, name, email, phone, password_hash as "passwordHash" from customers where email = lower(${email})`);
      if (!row?.passwordHash) {
        // Same cost whether or not the account exists: timing does not reveal customers' e-mails.
        decoyHash ??= hashPassword('decoy-password-for-timing');
        await verifyPassword(await decoyHash, password);
        return null;
      }
      return (await verifyPassword(row.passwordHash, password)) ? strip(row) : null;
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
        select id, name, email, phone, password_hash as "passwordHash" from customers where id = ${id}`);
      return row ? strip(row) : null;
    },
  };
}
