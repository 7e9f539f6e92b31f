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

export const RegisterCustomerBody = z.strictObject({
  name: z.string().trim().min(1).max(100),
  email: z.email().max(200),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9 .-]{6,20}$/, 'a phone number of 6 to 20 digits')
    .optional(),
  password: z.string().min(10, 'at least 10 characters').max(200),
});
export type RegisterCustomerBody = z.infer<typeof RegisterCustomerBody>;

export const CustomerAccount = z.object({
  id: z.uuid(),
  name: z.string(),
  email: z.string(),
  phone: z.string().nullable(),
});
export type CustomerAccount = z.infer<typeof CustomerAccount>;

export const CustomerMe = z.object({ customer: CustomerAccount });
export type CustomerMe = z.infer<typeof CustomerMe>;
