import { z } from 'zod';
import { StaffRole } from './enums.js';

export const LoginBody = z.strictObject({
  email: z.email().max(200),
  password: z.string().min(1).max(200),
});
export type LoginBody = z.infer<typeof LoginBody>;

export const StaffMember = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: StaffRole,
  /** Null for group admins, who act on every shop. */
  shopId: z.number().int().nullable(),
});
export type StaffMember = z.infer<typeof StaffMember>;

export const Me = z.object({ staff: StaffMember });
export type Me = z.infer<typeof Me>;
