import type { RequestHandler } from 'express';
import type { CustomerAccount, StaffMember } from '../contract/index.js';
import { staffActor, type AuthService } from '../auth/auth-service.js';
import type { CustomersService } from '../customers/customers-service.js';
import type { Actor } from '../domain/actor.js';
import { appError } from '../errors.js';

declare module 'express-session' {
  interface SessionData {
    staffId: string;
    customerId: string;
  }
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      staff?: StaffMember;
      customer?: CustomerAccount;
    }
  }
}

/**
 * Resolves who the session belongs to on every request, re-reading the account so that a role
 * change or a deactivation applies at once, not at the next login.
 */
export function loadPrincipal(auth: AuthService, customers: CustomersService): RequestHandler {
  return async (req, _res, next) => {
    const { staffId, customerId } = req.session ?? {};
    if (staffId) {
      const staff = await auth.staffById(staffId);
      if (staff) req.staff = staff;
    } else if (customerId) {
      const customer = await customers.byId(customerId);
      if (customer) req.customer = customer;
    }
    next();
  };
}

export function actorOf(req: { staff?: StaffMember }): Actor | null {
  return req.staff ? staffActor(req.staff) : null;
}

export function requireStaff(req: { staff?: StaffMember }): Actor {
  const actor = actorOf(req);
  if (!actor) throw appError('auth/unauthenticated', 'Log in with your staff account first.');
  return actor;
}

export function requireCustomer(req: { customer?: CustomerAccount }): CustomerAccount {
  if (!req.customer) throw appError('auth/unauthenticated', 'Log in to your customer account first.');
  return req.customer;
}

type SessionCarrier = {
  session: { regenerate: (cb: (e?: unknown) => void) => void; save: (cb: (e?: unknown) => void) => void };
};

/** A fresh session id at every login: an id planted before login is worth nothing after it. */
export async function startSession(req: SessionCarrier, fill: () => void): Promise<void> {
  await new Promise<void>((resolve, reject) => req.session.regenerate((e) => (e ? reject(e) : resolve())));
  fill();
  await new Promise<void>((resolve, reject) => req.session.save((e) => (e ? reject(e) : resolve())));
}
