import * as Sentry from '@sentry/node';
import type { Breadcrumb, ErrorEvent, Event } from '@sentry/node';

/**
 * Error reporting (DESIGN.md section 6): the only file besides instrument.ts that imports
 * @sentry/node. Without SENTRY_DSN nothing is initialised and `reportError` does nothing.
 */

/** Where an error happened: a tag on the Sentry event, to filter and alert on. */
export type ErrorSource = 'http' | 'socket' | 'relay' | 'job' | 'payments' | 'process';

export type ErrorContext = {
  source: ErrorSource;
  /** Reported as `warning` rather than `error` (e.g. a relay connection lost and taken over). */
  level?: 'error' | 'warning';
  /** Short identifiers only (route pattern, handler, command, job name, ids): never personal data. */
  tags?: Record<string, string | number | boolean | undefined>;
};

export type SentryOptions = {
  dsn: string;
  environment: string;
  release: string;
  tracesSampleRate: number;
};

/** RELEASE when set, else `<package>@<version>` with `+<git sha>` when the deployment gives one. */
export function sentryRelease(
  config: { release: string | undefined; gitSha: string | undefined },
  pkg: { name?: string; version?: string },
): string {
  if (config.release) return config.release;
  const base = `${pkg.name ?? 'oc-pizza-hub'}@${pkg.version ?? '0.0.0'}`;
  return config.gitSha ? `${base}+${config.gitSha}` : base;
}

/** Called once, from instrument.ts, before any other module of the hub is loaded. */
export function initSentry(options: SentryOptions): void {
  Sentry.init({
    dsn: options.dsn,
    environment: options.environment,
    release: options.release,
    tracesSampleRate: options.tracesSampleRate,
    // Collect as little as is useful (Sentry 11's replacement of sendDefaultPii): no user, cookie,
    // body, query string or local variable; only harmless request headers. beforeSend then
    // scrubs what remains (tracking tokens in URLs, e-mail addresses, phone numbers).
    dataCollection: {
      userInfo: false,
      cookies: false,
      httpHeaders: { request: { allow: SENT_HEADERS }, response: false },
      httpBodies: [],
      urlQueryParams: false,
      stackFrameVariables: false,
      databaseQueryData: false,
      queues: false,
    },
    integrations: (defaults) => [
      // main.ts logs and reports unhandled rejections itself (with or without Sentry), once.
      // Express errors are reported by the hub's error handler, 5xx only: Sentry's default would
      // also report every AppError (an order not found, a bad input) as a server error.
      ...defaults.filter((i) => i.name !== 'OnUnhandledRejection' && i.name !== 'Express'),
      Sentry.expressIntegration({ shouldHandleError: false }),
    ],
    beforeSend: (event) => scrubEvent(event),
    beforeBreadcrumb: (crumb) => scrubBreadcrumb(crumb),
    // Only with SENTRY_TRACES_SAMPLE_RATE > 0: span names and attributes carry URLs too.
    beforeSendSpan: (span) => ({
      ...span,
      name: scrubString(span.name),
      attributes: redact(span.attributes) as typeof span.attributes,
    }),
  });
}

/** Sends an unexpected error to Sentry (when configured) with where it happened. */
export function reportError(error: unknown, context: ErrorContext): void {
  if (!Sentry.isInitialized()) return;
  Sentry.withScope((scope) => {
    scope.setLevel(context.level ?? 'error');
    scope.setTag('source', context.source);
    for (const [key, value] of Object.entries(context.tags ?? {})) {
      if (value !== undefined) scope.setTag(key, scrubString(String(value)));
    }
    Sentry.captureException(error);
  });
}

/** Waits (at most `timeoutMs`) for reported errors to be sent: before the process exits. */
export async function flushErrors(timeoutMs: number): Promise<boolean> {
  if (!Sentry.isInitialized()) return true;
  return Sentry.flush(timeoutMs);
}

// ---- personal data ---------------------------------------------------------------------------

/** The request headers an error report carries: none of them identifies a person. */
const SENT_HEADERS = [
  'host',
  'user-agent',
  'accept',
  'content-type',
  'content-length',
  'origin',
  'x-request-id',
];

const FILTERED = '[Filtered]';

/** A customer's tracking token is their only credential: /track/<token>, /api/orders/track/<token>. */
const TRACKING_PATH = /(\/track\/)[A-Za-z0-9_-]{8,}/g;
const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
/** French phone numbers as customers type them: 06 12 34 56 78, +33 6 12 34 56 78, 0612345678. */
const PHONE = /(?:\+33[\s.-]?|\b0)[1-9](?:[\s.-]?\d{2}){4}\b/g;

/** Fields of request bodies and extras that hold a person's data or a credential. */
const PERSONAL_KEY =
  /^(customer|name|first_?name|last_?name|phone|email|address|delivery_?address|line1|line2|postcode|city|notes|position|lat|lng|accuracy_?m|password|current_?password|new_?password|token|tracking_?token|cookie|cookies|authorization|session|ip|ip_address)$/i;

/** Request headers never sent: credentials and the client's address. */
const DROPPED_HEADER =
  /^(cookie|set-cookie|authorization|proxy-authorization|x-forwarded-for|x-real-ip|forwarded|stripe-signature)$/i;

export function scrubString(text: string): string {
  return text.replace(TRACKING_PATH, '$1[token]').replace(EMAIL, FILTERED).replace(PHONE, FILTERED);
}

function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, v]) => [
      key,
      PERSONAL_KEY.test(key) ? FILTERED : redact(v, depth + 1),
    ]),
  );
}

function scrubUrl(url: string): string {
  // Query strings may carry anything (addresses to geocode, tokens): only the path is kept.
  return scrubString(url.replace(/\?.*$/s, ''));
}

export function scrubBreadcrumb(crumb: Breadcrumb): Breadcrumb {
  const out: Breadcrumb = { ...crumb };
  if (out.message) out.message = scrubString(out.message);
  if (out.data) {
    const data: Record<string, unknown> = { ...out.data };
    delete data['http.query'];
    delete data['http.fragment'];
    if (typeof data.url === 'string') data.url = scrubUrl(data.url);
    out.data = redact(data) as Record<string, unknown>;
  }
  return out;
}

/** beforeSend: what leaves the hub carries no customer data, cookie, credential or token. */
export function scrubEvent<T extends Event | ErrorEvent>(event: T): T {
  const e: T = { ...event };
  if (e.request) {
    const request = { ...e.request };
    delete request.cookies;
    delete request.env;
    if (request.url) request.url = scrubUrl(request.url);
    if (request.query_string !== undefined) request.query_string = FILTERED;
    if (request.headers) {
      request.headers = Object.fromEntries(
        Object.entries(request.headers)
          .filter(([name]) => !DROPPED_HEADER.test(name))
          .map(([name, value]) => [name, scrubString(String(value))]),
      );
    }
    if (request.data !== undefined) {
      request.data = typeof request.data === 'string' ? redactJsonString(request.data) : redact(request.data);
    }
    e.request = request;
  }
  if (e.user) e.user = e.user.id !== undefined ? { id: e.user.id } : undefined;
  if (e.message) e.message = scrubString(e.message);
  if (e.transaction) e.transaction = scrubString(e.transaction);
  if (e.extra) e.extra = redact(e.extra) as Record<string, unknown>;
  if (e.tags) e.tags = redact(e.tags) as T['tags'];
  if (e.logentry) {
    e.logentry = {
      ...e.logentry,
      ...(e.logentry.message ? { message: scrubString(e.logentry.message) } : {}),
    };
  }
  if (e.exception?.values) {
    e.exception = {
      ...e.exception,
      values: e.exception.values.map((v) => (v.value ? { ...v, value: scrubString(v.value) } : v)),
    };
  }
  if (e.breadcrumbs) e.breadcrumbs = e.breadcrumbs.map(scrubBreadcrumb);
  return e;
}

function redactJsonString(text: string): string {
  try {
    return JSON.stringify(redact(JSON.parse(text)));
  } catch {
    return scrubString(text);
  }
}
