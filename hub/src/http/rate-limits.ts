import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, MemoryStore, rateLimit } from 'express-rate-limit';
import type { ErrorBody, ErrorCode } from '../contract/index.js';

const MINUTE = 60_000;

/** The client's address as the limits count it (an IPv6 client by its /56, not each address). */
const clientKey = (req: Request) => ipKeyGenerator(req.ip ?? 'unknown');

/** The e-mail a login names, normalised: the key of the per-account counter. */
const emailOf = (req: Request): string => {
  const email = (req.body as { email?: unknown } | undefined)?.email;
  return typeof email === 'string' ? email.trim().toLowerCase().slice(0, 320) : '';
};

function limiter(options: {
  windowMs: number;
  limit: number;
  code: ErrorCode;
  message: string;
  key?: (req: Request) => string;
  /** Count only the requests that failed (4xx/5xx): the honest ones cost nothing. */
  failuresOnly?: boolean;
}): RequestHandler {
  const key = options.key ?? clientKey;
  const store = new MemoryStore();
  const base = {
    windowMs: options.windowMs,
    limit: options.limit,
    keyGenerator: key,
    store,
    // RateLimit and RateLimit-Policy on every answer, Retry-After on the 429.
    standardHeaders: 'draft-8' as const,
    legacyHeaders: false,
    handler: (_req: Request, res: Response) => {
      const body: ErrorBody = { error: { code: options.code, message: options.message } };
      res.status(429).json(body);
    },
  };
  if (!options.failuresOnly) return rateLimit(base);
  // express-rate-limit's skipSuccessfulRequests counts every request when it starts and takes the
  // successes back when they end, so 31 honest requests in flight at once from one address (a
  // carrier's NAT, a benchmark) were refused as 31 failures. Here a request under the limit is not
  // counted at all; only an answer that failed is, once it is sent. Over the limit the limiter
  // itself answers 429 (and that refusal counts too).
  return rateLimit({
    ...base,
    skip: async (req, res) => {
      const k = key(req);
      const hits = (await store.get(k))?.totalHits ?? 0;
      if (hits >= options.limit) return false;
      res.once('finish', () => {
        if (res.statusCode >= 400) void store.increment(k);
      });
      return true;
    },
  });
}

/**
 * Every limit of the HTTP API, each with its own counters: a shop's counter staff mistyping a
 * password behind the shop's one address must not lock its customers out of their accounts, nor
 * the address search of everybody in the building (issue 13 found one counter for all three).
 * Counters are per process (2 nodes: twice the figures at most); argon2 already makes each
 * password guess slow.
 */
export function createRateLimits(options: { loginFailures: number }) {
  const login = (who: string) => {
    // Per account from one address: the person who mistyped; per address: a script trying many
    // accounts. Only failures count, so a shift of staff logging in is never refused.
    const perAccount = limiter({
      windowMs: 10 * MINUTE,
      limit: options.loginFailures,
      failuresOnly: true,
      key: (req) => `${clientKey(req)}|${emailOf(req)}`,
      code: 'auth/rate_limited',
      message: `Too many failed ${who} logins for this account: wait 10 minutes and try again.`,
    });
    const perAddress = limiter({
      windowMs: 10 * MINUTE,
      limit: options.loginFailures * 10,
      failuresOnly: true,
      code: 'auth/rate_limited',
      message: `Too many failed ${who} logins from this address: wait 10 minutes and try again.`,
    });
    return [perAddress, perAccount];
  };
  return {
    staffLogin: login('staff'),
    customerLogin: login('customer'),
    /** Accounts created from one address: people register once; a script registers all day. */
    registration: limiter({
      windowMs: 60 * MINUTE,
      limit: 10,
      code: 'auth/rate_limited',
      message: 'Too many accounts created from this address: wait an hour and try again.',
    }),
    /** Confirmation links that do not work, per address (each is a lookup, none can be guessed). */
    linkMisses: limiter({
      windowMs: 10 * MINUTE,
      limit: 30,
      failuresOnly: true,
      code: 'request/rate_limited',
      message: 'Too many unknown confirmation links from this address: wait 10 minutes.',
    }),
    /**
     * Tracking links that do not exist, per address: a token is 256 bits (no guessing), but each
     * miss is a database lookup. Valid links are never counted: a family following its pizza is fine.
     */
    trackingMisses: limiter({
      windowMs: 10 * MINUTE,
      limit: 30,
      failuresOnly: true,
      code: 'request/rate_limited',
      message: 'Too many unknown tracking links from this address: wait 10 minutes.',
    }),
  };
}

export type RateLimits = ReturnType<typeof createRateLimits>;
