import { Router, type RequestHandler } from 'express';
import { LoginBody, Me } from '../contract/index.js';
import { appError } from '../errors.js';
import { apiRoute } from '../http/api-route.js';
import { isWallScreen, requireStaff, startSession } from '../http/session-principal.js';
import { parseInput } from '../http/validate.js';
import type { AuthService } from './auth-service.js';

export function authRoutes(
  auth: AuthService,
  options: { limiter: RequestHandler[]; sessionCookie: string },
): Router {
  const router = Router();

  apiRoute(
    router,
    {
      method: 'post',
      path: '/auth/login',
      tag: 'Staff sessions',
      summary: 'Log in a staff member',
      description:
        'Sets the `ocp_session` cookie (12 hours, rolling; 30 days for kitchen and counter wall screens). ' +
        'Attempts are rate-limited per address and per e-mail.',
      access: 'public',
      body: LoginBody,
      errors: ['auth/invalid_credentials', 'auth/rate_limited'],
      example: { body: { email: 'kitchen.a@demo.ocpizza.fr', password: 'pizza-demo-2026' } },
      response: { status: 200, description: 'Logged in: who you are.', schema: Me },
    },
    ...options.limiter,
    async (req, res) => {
      const { email, password } = parseInput(LoginBody, req.body);
      const staff = await auth.login(email, password);
      if (!staff) throw appError('auth/invalid_credentials', 'Wrong e-mail or password.');
      await startSession(req, () => {
        req.session.staffId = staff.id;
        // Kitchen and counter screens are shared wall screens and tablets left on all week: they
        // stay logged in for 30 days (still rolling); personal accounts for a shift.
        if (isWallScreen(staff.role)) req.session.cookie.maxAge = 30 * 24 * 3600 * 1000;
      });
      const body: Me = { staff };
      res.json(body);
    },
  );

  /** Ends the session, staff or customer. */
  apiRoute(
    router,
    {
      method: 'post',
      path: '/auth/logout',
      tag: 'Staff sessions',
      summary: 'Log out (staff or customer)',
      description:
        'Ends the session and clears its cookie; without one it does nothing and still answers 204.',
      access: ['staff', 'customer', 'public'],
      response: { status: 204, description: 'Logged out.' },
    },
    async (req, res) => {
      if (req.session) {
        await new Promise<void>((resolve, reject) => req.session.destroy((e) => (e ? reject(e) : resolve())));
      }
      // A __Host- cookie is only replaced by one with the same Secure, Path=/ attributes.
      res.clearCookie(options.sessionCookie, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: options.sessionCookie.startsWith('__Host-'),
      });
      res.status(204).end();
    },
  );

  apiRoute(
    router,
    {
      method: 'get',
      path: '/auth/me',
      tag: 'Staff sessions',
      summary: 'The staff member of this session',
      access: 'staff',
      response: { status: 200, description: 'Who you are.', schema: Me },
    },
    (req, res) => {
      requireStaff(req);
      const body: Me = { staff: req.staff! };
      res.json(body);
    },
  );

  return router;
}
