import { Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { LoginBody, type ErrorBody, type Me } from '../contract/index.js';
import { appError } from '../errors.js';
import { requireStaff } from '../http/staff-session.js';
import { parseInput } from '../http/validate.js';
import type { AuthService } from './auth-service.js';

export function authRoutes(
  auth: AuthService,
  options: { loginRateLimit: number; sessionCookie: string },
): Router {
  const router = Router();

  // Password guessing is slowed per client address; argon2 already makes each guess costly.
  const loginLimiter = rateLimit({
    windowMs: 10 * 60 * 1000,
    limit: options.loginRateLimit,
    // Only failures count: a shift of staff logging in at one shop's counter is not an attack.
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, res) => {
      const body: ErrorBody = {
        error: {
          code: 'auth/rate_limited',
          message: 'Too many login attempts: wait 10 minutes and try again.',
        },
      };
      res.status(429).json(body);
    },
  });

  router.post('/auth/login', loginLimiter, async (req, res) => {
    const { email, password } = parseInput(LoginBody, req.body);
    const staff = await auth.login(email, password);
    if (!staff) throw appError('auth/invalid_credentials', 'Wrong e-mail or password.');
    // A new session id at login: a session id planted before login is worth nothing after it.
    await new Promise<void>((resolve, reject) => req.session.regenerate((e) => (e ? reject(e) : resolve())));
    req.session.staffId = staff.id;
    await new Promise<void>((resolve, reject) => req.session.save((e) => (e ? reject(e) : resolve())));
    const body: Me = { staff };
    res.json(body);
  });

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
