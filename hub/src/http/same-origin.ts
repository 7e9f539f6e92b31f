import type { RequestHandler } from 'express';
import { appError } from '../errors.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF defence by origin (OWASP "verify origin with standard headers"): a state-changing request
 * from another site is refused. A request carrying the staff session cookie must prove its
 * origin; one without cookies (customer token, Stripe webhook) is refused only if it names
 * a foreign Origin.
 */
export function sameOrigin(options: {
  publicUrl: string | undefined;
  sessionCookie: string;
}): RequestHandler {
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const origin = req.get('origin') ?? refererOrigin(req.get('referer'));
    const own = new Set([`${req.protocol}://${req.get('host')}`]);
    if (options.publicUrl) own.add(new URL(options.publicUrl).origin);
    const hasSession = (req.get('cookie') ?? '').includes(`${options.sessionCookie}=`);
    if (origin === undefined) {
      if (hasSession)
        return next(appError('request/cross_origin', 'This request must come from the OC Pizza site.'));
      return next();
    }
    if (!own.has(origin)) {
      return next(appError('request/cross_origin', `Requests from ${origin} are not accepted.`));
    }
    next();
  };
}

function refererOrigin(referer: string | undefined): string | undefined {
  if (!referer) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return 'null';
  }
}
