import type { RequestHandler } from 'express';
import type { Metrics } from '../realtime/metrics.js';

/** Requests no route matched (static files, 404s, requests refused during a drain). */
export const UNMATCHED_ROUTE = '(unmatched)';

/**
 * Counts each HTTP request and times it, labelled with its route PATTERN
 * (`/api/orders/:id/transitions`), never its URL: ids and tracking tokens would make every
 * request a series of its own, and a token in a metric label is a leaked credential.
 */
export function httpMetrics(
  metrics: Pick<Metrics, 'httpRequests' | 'httpDuration' | 'httpInFlight'>,
): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    metrics.httpInFlight.inc();
    res.once('close', () => {
      metrics.httpInFlight.dec();
      const recorded: unknown = res.locals.routePattern;
      const labels = {
        method: req.method,
        route: typeof recorded === 'string' ? recorded : UNMATCHED_ROUTE,
        // A client gone before its answer was sent: no status to speak of.
        status: res.writableFinished ? String(res.statusCode) : 'aborted',
      };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}

/**
 * The first handler of a route: records its pattern, with the router's mount point, for the
 * metrics above and the error handler's report. Recorded on `res.locals`, not by watching
 * `req.route` with an accessor: an accessor defined on each request turned every request object
 * into a dictionary, and each of the many reads of it by Express into a slow lookup (issue 11).
 */
export function recordRoute(pattern: string): RequestHandler {
  return (req, res, next) => {
    res.locals.routePattern = `${req.baseUrl}${pattern}`;
    next();
  };
}
