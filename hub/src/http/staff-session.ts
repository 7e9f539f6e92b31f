import type { RequestHandler } from 'express';
import type { StaffMember } from '../contract/index.js';
import { staffActor, type AuthService } from '../auth/auth-service.js';
import type { Actor } from '../domain/actor.js';
import { appError } from '../errors.js';

declare module 'express-session' {
  interface SessionData {
    staffId: string;
  }
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      staff?: StaffMember;
    }
  }
}

/** Resolves the session's staff member on every request, so roles and deactivation apply at once. */
export function loadStaff(auth: AuthService): RequestHandler {
  return async (req, _res, next) => {
    const staffId = req.session?.staffId;
    if (staffId) {
      const staff = await auth.staffById(staffId);
      if (staff) req.staff = staff;
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
