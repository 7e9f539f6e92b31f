import { z } from 'zod';
import { StaffMember, StaffRole } from '../contract/index.js';
import { sql, type DatabasePool } from '../adapters/postgres.js';
import { hashPassword, verifyPassword } from '../adapters/passwords.js';
import type { StaffActor } from '../domain/actor.js';

const StaffRow = StaffMember.extend({ passwordHash: z.string(), active: z.boolean(), role: StaffRole });

export type AuthService = ReturnType<typeof createAuthService>;

export function createAuthService(deps: { db: DatabasePool }) {
  const { db } = deps;
  // Verifying against a real hash when the e-mail is unknown keeps both answers equally slow:
  // response time does not reveal which staff e-mails exist.
  let decoyHash: Promise<string> | undefined;

  const byEmail = (email: string) =>
    db.maybeOne(sql.type(StaffRow)`
      select id, email, name, role, shop_id as "shopId", password_hash as "passwordHash", active
      from staff where lower(email) = lower(${email})`);

  return {
    async login(email: string, password: string): Promise<StaffMember | null> {
      const row = await byEmail(email);
      if (!row) {
        decoyHash ??= hashPassword('decoy-password-for-timing');
        await verifyPassword(await decoyHash, password);
        return null;
      }
      if (!(await verifyPassword(row.passwordHash, password)) || !row.active) return null;
      const { passwordHash: _h, active: _a, ...staff } = row;
      return staff;
    },

    /** The staff member behind a session, re-read each time so a deactivated account stops at once. */
    async staffById(id: string): Promise<StaffMember | null> {
      const row = await db.maybeOne(sql.type(StaffRow)`
        select id, email, name, role, shop_id as "shopId", password_hash as "passwordHash", active
        from staff where id = ${id}`);
      if (!row || !row.active) return null;
      const { passwordHash: _h, active: _a, ...staff } = row;
      return staff;
    },
  };
}

export function staffActor(staff: StaffMember): StaffActor {
  return { kind: 'staff', staffId: staff.id, role: staff.role, shopId: staff.shopId };
}
