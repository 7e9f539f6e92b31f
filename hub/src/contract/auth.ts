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

/**
 * The answer to a sign-up, the same whether or not the e-mail already has an account (it must
 * not tell): the next step is in the mailbox — a link that confirms the new account, or a note
 * to the owner of the existing one.
 */
export const RegistrationPending = z.object({ status: z.literal('check_email'), email: z.string() });
export type RegistrationPending = z.infer<typeof RegistrationPending>;

/** The token of the confirmation link (`/compte/confirmer?t=<token>`). */
export const VerifyEmailBody = z.strictObject({
  token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'a confirmation token'),
});
export type VerifyEmailBody = z.infer<typeof VerifyEmailBody>;

export const PhoneLookupQuery = z.object({
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9 .-]{6,20}$/, 'a phone number of 6 to 20 digits'),
});

/** A returning customer as the counter finds them, from their past orders. */
export const KnownCustomer = z.object({
  name: z.string(),
  phone: z.string(),
  email: z.string().nullable(),
  lastAddress: z
    .object({
      line1: z.string(),
      postcode: z.string(),
      city: z.string(),
      instructions: z.string().nullable(),
    })
    .nullable(),
  lastOrderAt: z.string(),
  orders: z.number().int(),
});
export type KnownCustomer = z.infer<typeof KnownCustomer>;

export const PhoneLookup = z.object({ customers: z.array(KnownCustomer) });
export type PhoneLookup = z.infer<typeof PhoneLookup>;
