import type { ErrorRequestHandler } from 'express';
import { errorHttpStatus, type ErrorBody } from '../contract/index.js';
import { isDatabaseUnavailable } from '../adapters/postgres.js';
import { reportError } from '../adapters/sentry.js';
import { AppError } from '../errors.js';
import { databaseUnavailable, RETRY_AFTER_SECONDS, type Outage } from '../health/outage.js';

type BodyParserError = { type?: string; status?: number };

/**
 * The one place errors become HTTP answers: a contract code, a sentence, the code's status.
 * Unexpected errors (the 5xx) are logged and reported to Sentry; a 4xx is the client's mistake,
 * answered and not reported. The database gone is no bug: 503 with Retry-After, reported once
 * per outage (health/outage.ts).
 */
export const createErrorHandler =
  (deps: { outage?: Outage } = {}): ErrorRequestHandler =>
  (error: unknown, req, res, _next) => {
    let appErr: AppError;
    const parserError = error as BodyParserError;
    if (error instanceof AppError) {
      appErr = error;
    } else if (parserError?.type === 'entity.too.large') {
      appErr = new AppError('request/too_large', 'The request body is too large.');
    } else if (parserError?.type === 'entity.parse.failed') {
      appErr = new AppError('request/malformed_json', 'The request body is not valid JSON.');
    } else if (parserError?.status && parserError.status >= 400 && parserError.status < 500) {
      appErr = new AppError('request/invalid', 'The request could not be read.');
    } else if (isDatabaseUnavailable(error)) {
      const context = { source: 'http' as const, tags: { method: req.method, route: routePattern(req) } };
      if (deps.outage) deps.outage.record(error, context);
      else reportError(error, context);
      appErr = databaseUnavailable();
    } else {
      req.log?.error({ err: error }, 'unexpected error');
      reportError(error, {
        source: 'http',
        tags: { method: req.method, route: routePattern(req) },
      });
      appErr = new AppError(
        'internal/unexpected',
        'Something went wrong on our side; the team has been told.',
      );
    }
    const body: ErrorBody = {
      error: {
        code: appErr.code,
        message: appErr.message,
        ...(appErr.details ? { details: appErr.details } : {}),
      },
    };
    // Every 503 (outage, draining node) says when to come back; clients and nginx honour it.
    if (appErr.code === 'service/unavailable') res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    res.status(errorHttpStatus[appErr.code]).json(body);
  };

/** The matched route's pattern (`/api/orders/:id/transitions`), never the URL with its ids. */
function routePattern(req: Parameters<ErrorRequestHandler>[1]): string | undefined {
  // http-metrics.ts records the full pattern when the route matches (with its mount point).
  const recorded: unknown = req.res?.locals.routePattern;
  if (typeof recorded === 'string') return recorded;
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return path === undefined ? undefined : String(path);
}
