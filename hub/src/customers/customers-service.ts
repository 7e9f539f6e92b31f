import { z } from 'zod';
import { CustomerAccount, type RegisterCustomerBody } from '../contract/index.js';
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

    async byId(id: string): Promise<CustomerAccount | null> {
      const row = await db.maybeOne(sql.type(CustomerRow)`
        select id, name, email, phone, password_hash as "passwordHash" from customers where id = ${id}`);
      return row ? strip(row) : null;
    },
  };
}
