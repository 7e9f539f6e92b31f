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
    /** When the login happened (ms): the session ends this long after it, rolling or not. */
    startedAt: number;
  }
}

const HOUR = 3600 * 1000;
/**
 * How long a login lasts at most, however active it stays (the cookie rolls with each request):
 * a stolen cookie or a forgotten tablet is not a login for ever. Wall screens of the kitchen and
 * counter for a month, personal staff accounts for a long shift, customers for a week.
 */
export const SESSION_ABSOLUTE_MS = { wallScreen: 30 * 24 * HOUR, staff: 14 * HOUR, customer: 7 * 24 * HOUR };

export const isWallScreen = (role: string) => role === 'kitchen' || role === 'counter';

type LifetimeSession = { startedAt?: number; destroy: (cb: (e?: unknown) => void) => void };

/**
 * Whether the login is past its absolute lifetime (then the session is destroyed). A session from
 * before lifetimes existed gets its start now: one more full lifetime, not a logout at deploy.
 */
export async function loginExpired(
  session: LifetimeSession,
  lifetimeMs: number,
  now = Date.now(),
): Promise<boolean> {
  if (session.startedAt === undefined) {
    session.startedAt = now;
    return false;
  }
  if (now - session.startedAt <= lifetimeMs) return false;
  await new Promise<void>((resolve, reject) => session.destroy((e) => (e ? reject(e) : resolve())));
  return true;
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
      const lifetime =
        staff && isWallScreen(staff.role) ? SESSION_ABSOLUTE_MS.wallScreen : SESSION_ABSOLUTE_MS.staff;
      if (staff && !(await loginExpired(req.session, lifetime))) req.staff = staff;
    } else if (customerId) {
      const customer = await customers.byId(customerId);
      if (customer && !(await loginExpired(req.session, SESSION_ABSOLUTE_MS.customer)))
        req.customer = customer;
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
  (req.session as { startedAt?: number }).startedAt = Date.now();
  fill();
  await new Promise<void>((resolve, reject) => req.session.save((e) => (e ? reject(e) : resolve())));
}
