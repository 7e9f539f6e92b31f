import { parse as parseCookies } from 'cookie';
import type { RequestHandler } from 'express';
import { appError } from '../errors.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF defence by origin (OWASP "verify origin with standard headers"). A request naming another
 * site's Origin is refused. A request carrying the staff session cookie must name its origin:
 * browsers always do, so a missing one is not a browser of ours. Requests without cookies
 * (customer tracking token, Stripe webhook, scripts) carry no ambient credential to abuse.
 */
export function sameOriginAllowed(request: {
  origin: string | undefined;
  host: string | undefined;
  protocol: string;
  forwardedProto?: string | string[] | undefined;
  publicUrl: string | undefined;
  hasSession: boolean;
}): boolean {
  if (request.origin === undefined) return !request.hasSession;
  const own = new Set<string>();
  if (request.host) {
    own.add(`${request.protocol}://${request.host}`);
    const forwarded = Array.isArray(request.forwardedProto)
      ? request.forwardedProto[0]
      : request.forwardedProto;
    if (forwarded) own.add(`${forwarded.split(',')[0]!.trim()}://${request.host}`);
  }
  if (request.publicUrl) own.add(new URL(request.publicUrl).origin);
  return own.has(request.origin);
}

/**
 * Whether a Cookie header carries `name`, read by the parser express-session itself uses: a
 * substring test missed `ocp_session =id` (a space before `=`), which the session still accepts.
 */
export function carriesCookie(header: string | undefined, name: string): boolean {
  if (!header) return false;
  return Object.hasOwn(parseCookies(header), name);
}

export function sameOrigin(options: {
  publicUrl: string | undefined;
  sessionCookie: string;
}): RequestHandler {
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const origin = req.get('origin') ?? refererOrigin(req.get('referer'));
    const allowed = sameOriginAllowed({
      origin,
      host: req.get('host'),
      protocol: req.protocol,
      publicUrl: options.publicUrl,
      hasSession: carriesCookie(req.get('cookie'), options.sessionCookie),
    });
    if (allowed) return next();
    next(
      appError(
        'request/cross_origin',
        origin
          ? `Requests from ${origin} are not accepted.`
          : 'This request must come from the OC Pizza site.',
      ),
    );
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
