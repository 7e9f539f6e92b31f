import { Router, type RequestHandler } from 'express';
import { LoginBody, type Me } from '../contract/index.js';
import { appError } from '../errors.js';
import { requireStaff, startSession } from '../http/session-principal.js';
import { parseInput } from '../http/validate.js';
import type { AuthService } from './auth-service.js';

export function authRoutes(
  auth: AuthService,
  options: { limiter: RequestHandler; sessionCookie: string },
): Router {
  const router = Router();

  router.post('/auth/login', options.limiter, async (req, res) => {
    const { email, password } = parseInput(LoginBody, req.body);
    const staff = await auth.login(email, password);
    if (!staff) throw appError('auth/invalid_credentials', 'Wrong e-mail or password.');
    await startSession(req, () => {
      req.session.staffId = staff.id;
      // Kitchen and counter screens are shared wall screens and tablets left on all week: they
      // stay logged in for 30 days (still rolling); personal accounts for a shift.
      if (staff.role === 'kitchen' || staff.role === 'counter')
        req.session.cookie.maxAge = 30 * 24 * 3600 * 1000;
    });
    const body: Me = { staff };
    res.json(body);
  });

  /** Ends the session, staff or customer. */
  router.post('/auth/logout', async (req, res) => {
    if (req.session) {
      await new Promise<void>((resolve, reject) => req.session.destroy((e) => (e ? reject(e) : resolve())));
    }
    res.clearCookie(options.sessionCookie, { path: '/' });
    res.status(204).end();
  });

  router.get('/auth/me', (req, res) => {
    requireStaff(req);
    const body: Me = { staff: req.staff! };
    res.json(body);
  });

  return router;
}
