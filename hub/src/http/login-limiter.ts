import { rateLimit } from 'express-rate-limit';
import type { ErrorBody } from '../contract/index.js';

/**
 * Password guessing is slowed per client address; argon2 already makes each guess costly. Only
 * failures count: a shift of staff logging in at one shop's counter is not an attack.
 */
export function loginLimiter(limit: number) {
  return rateLimit({
    windowMs: 10 * 60 * 1000,
    limit,
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
}
