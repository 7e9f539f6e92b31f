import type { Request, RequestHandler } from 'express';
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
    let route = UNMATCHED_ROUTE;
    // Express sets req.route when a route matches, while req.baseUrl is that route's mount point.
    // Both are read at that moment: an error thrown later restores baseUrl on its way out.
    let matched: Request['route'];
    Object.defineProperty(req, 'route', {
      configurable: true,
      enumerable: true,
      get: () => matched,
      set: (value: Request['route']) => {
        matched = value;
        const path = (value as { path?: unknown } | undefined)?.path;
        if (path === undefined) return;
        route = `${req.baseUrl}${Array.isArray(path) ? path.join('|') : String(path)}`;
        // For the error handler's report: where the error happened, as a pattern.
        res.locals.routePattern = route;
      },
    });
    res.once('close', () => {
      metrics.httpInFlight.dec();
      const labels = {
        method: req.method,
        route,
        // A client gone before its answer was sent: no status to speak of.
        status: res.writableFinished ? String(res.statusCode) : 'aborted',
      };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
