import { randomInt } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

/**
 * A loopback stand-in for the part of Stripe's REST API the hub uses (PaymentIntents, refunds,
 * webhooks), speaking Stripe's wire format: form-encoded requests with bracketed keys, JSON
 * objects and `{ error: { type, code, message } }` errors with Stripe's HTTP statuses. The hub's
 * real stripe-node client talks to it (`new Stripe(key, { host: '127.0.0.1', port, protocol:
 * 'http', maxNetworkRetries: 0 })`), and the fake Stripe.js (stripe-js.ts) confirms payments on
 * it from the browser. Nothing of ours is stubbed.
 */

export type PaymentIntentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_action'
  | 'processing'
  | 'succeeded'
  | 'canceled';

export interface PaymentError {
  type: 'card_error';
  code: string;
  decline_code?: string;
  message: string;
  doc_url: string;
}

export interface FakePaymentIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  currency: string;
  status: PaymentIntentStatus;
  client_secret: string;
  metadata: Record<string, string>;
  description: string | null;
  receipt_email: string | null;
  automatic_payment_methods: { enabled: boolean } | null;
  payment_method_types: string[];
  payment_method: string | null;
  latest_charge: string | null;
  last_payment_error: PaymentError | null;
  /** What the customer must do before the payment goes on (3-D Secure), as Stripe.js reads it. */
  next_action: {
    type: 'use_stripe_sdk';
    use_stripe_sdk: { type: 'three_d_secure_redirect'; stripe_js: string; source: string };
  } | null;
  canceled_at: number | null;
  cancellation_reason: string | null;
  created: number;
  livemode: false;
}

export interface FakeRefund {
  id: string;
  object: 'refund';
  amount: number;
  charge: string | null;
  currency: string;
  metadata: Record<string, string>;
  payment_intent: string;
  reason: string | null;
  status: 'pending' | 'succeeded' | 'failed' | 'canceled';
  failure_reason: string | null;
  created: number;
}

export interface FakeDispute {
  id: string;
  object: 'dispute';
  amount: number;
  charge: string;
  currency: string;
  payment_intent: string;
  reason: string;
  status: string;
  evidence_details: {
    due_by: number | null;
    has_evidence: boolean;
    past_due: boolean;
    submission_count: number;
  };
  is_charge_refundable: boolean;
  livemode: false;
  metadata: Record<string, string>;
  created: number;
}

/** 'payment_intent.succeeded' and 'payment_intent.payment_failed' are the ones the fake emits. */
export type EventType = string;

export interface FakeEvent<T = unknown> {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: T };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: EventType;
}

export interface WebhookDelivery {
  /** Typed as a PaymentIntent event; other events (refunds, disputes) carry their own object. */
  event: FakeEvent<FakePaymentIntent>;
  /** The HTTP status the webhook endpoint answered; 0 when the request itself failed. */
  status: number;
  /** Why the request failed, when status is 0. */
  error?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
  /** The parsed form body (POST) or query (GET), nested like Stripe reads it. */
  body: FormObject;
}

export interface FakeStripe {
  /** http://127.0.0.1:port: the base URL for stripe-node (host/port/protocol) and the fake Stripe.js. */
  url: string;
  port: number;
  secretKey: string;
  publishableKey: string;
  webhookSecret: string;
  paymentIntents: Map<string, FakePaymentIntent>;
  refunds: FakeRefund[];
  requests: RecordedRequest[];
  /** Every event the fake emitted (delivered or not: no webhook URL set). */
  events: FakeEvent<unknown>[];
  webhookDeliveries: WebhookDelivery[];
  /**
   * The first completed delivery matching `predicate` that no earlier call returned, waiting for it
   * if needed: a delivery that completed before the call is not missed.
   */
  nextDelivery(predicate?: (delivery: WebhookDelivery) => boolean): Promise<WebhookDelivery>;
  /** Payment succeeds as if the customer confirmed with a valid card; the webhook follows. */
  succeed(paymentIntentId: string): FakePaymentIntent;
  /** Payment is declined (generic_decline) as if confirmed with a declined card; the webhook follows. */
  fail(paymentIntentId: string): FakePaymentIntent;
  /**
   * How new refunds come out: `succeeded` at once (Stripe's test cards, the default), or `pending`
   * until `settleRefund`. Each refund emits refund.created, and charge.refunded once it succeeded.
   */
  setRefundOutcome(outcome: 'succeeded' | 'pending'): void;
  /** A pending refund settles: refund.updated (and charge.refunded when it succeeded) follow. */
  settleRefund(
    refundId: string,
    status: 'succeeded' | 'failed' | 'canceled',
    failureReason?: string,
  ): FakeRefund;
  disputes: Map<string, FakeDispute>;
  /** The customer's bank disputes the payment: charge.dispute.created follows. */
  openDispute(paymentIntentId: string, options?: { reason?: string; dueBy?: number }): FakeDispute;
  /** The dispute moves on: charge.dispute.updated, or charge.dispute.closed for won / lost / warning_closed. */
  updateDispute(disputeId: string, status: string): FakeDispute;
  buildEvent<T>(type: EventType, object: T, idOverride?: string): FakeEvent<T>;
  /** Headers of a webhook request carrying `payload` (a Stripe-Signature made with the secret). */
  signedHeaders(payload: string, options?: { timestamp?: number }): Record<string, string>;
  setWebhookUrl(url: string | undefined): void;
  close(): Promise<void>;
}

export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function randomId(length = 24): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return out;
}
const now = () => Math.floor(Date.now() / 1000);

/**
 * Parses a form body the way Stripe reads it: `metadata[order_id]=7` is `{ metadata: { order_id:
 * '7' } }`, `expand[0]=a` or `expand[]=a` is an array. stripe-node leaves the brackets unencoded,
 * browsers encode them: URLSearchParams decodes both.
 */
export function parseStripeForm(body: string): FormObject {
  const root: FormObject = {};
  for (const [rawKey, value] of new URLSearchParams(body)) {
    const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(rawKey);
    if (!match) throw invalidRequest(`Invalid parameter name: ${rawKey}`, { saved: false });
    const path = [match[1]!, ...[...match[2]!.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]!)];
    let node: FormObject = root;
    path.forEach((segment, i) => {
      const key = segment === '' ? String(Object.keys(node).length) : segment;
      if (i === path.length - 1) {
        if (key in node) throw invalidRequest(`Duplicate parameter: ${rawKey}`, { saved: false });
        node[key] = value;
        return;
      }
      const next = (node[key] ??= {});
      if (typeof next === 'string' || Array.isArray(next)) {
        throw invalidRequest(`Invalid parameters: ${rawKey} mixes a value and a hash`, { saved: false });
      }
      node = next;
    });
  }
  return arrayify(root) as FormObject;
}

/** Hashes whose keys are exactly 0..n-1 were arrays on the client side. */
function arrayify(value: FormValue): FormValue {
  if (typeof value === 'string' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  const out = Object.fromEntries(keys.map((k) => [k, arrayify(value[k]!)]));
  if (keys.length > 0 && keys.every((k, i) => k === String(i))) return keys.map((k) => out[k]!);
  return out;
}

/** A JSON value with sorted keys, so that the same parameters in another order compare equal. */
function canonical(value: FormValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  return `{${Object.keys(value)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(value[k]!)}`)
    .join(',')}}`;
}

interface StripeErrorBody {
  type: 'invalid_request_error' | 'card_error' | 'idempotency_error' | 'api_error';
  code?: string;
  decline_code?: string;
  message: string;
  param?: string;
  doc_url?: string;
  payment_intent?: FakePaymentIntent;
}

/**
 * An error answered in Stripe's shape. `saved: false` marks errors raised before the endpoint
 * "started executing" (authentication, parameter validation): Stripe does not store those under the
 * idempotency key, so a corrected retry with the same key goes through.
 */
class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
    readonly saved = true,
  ) {
    super(body.message);
  }
}

/** Stripe links each error code to its page, hyphenated: card_declined -> /error-codes/card-declined. */
const docUrl = (code: string) => `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;

function invalidRequest(
  message: string,
  options: { code?: string; param?: string; status?: number; saved?: boolean } = {},
): StripeApiError {
  return new StripeApiError(
    options.status ?? 400,
    {
      type: 'invalid_request_error',
      message,
      ...(options.code && {
        code: options.code,
        doc_url: docUrl(options.code),
      }),
      ...(options.param && { param: options.param }),
    },
    options.saved ?? true,
  );
}

const missingParam = (param: string) =>
  invalidRequest(`Missing required param: ${param}.`, { code: 'parameter_missing', param, saved: false });

const noSuch = (kind: string, id: string, param: string, status = 404) =>
  invalidRequest(`No such ${kind}: '${id}'`, { code: 'resource_missing', param, status });

/** Stripe refuses parameters it does not know; the fake also refuses the real ones it does not implement. */
function onlyParams(params: FormObject, allowed: readonly string[]): void {
  const unknown = Object.keys(params).find((k) => !allowed.includes(k));
  if (unknown !== undefined) {
    throw invalidRequest(
      `Received unknown parameter: ${unknown} (the fake Stripe accepts: ${allowed.join(', ')})`,
      { code: 'parameter_unknown', param: unknown, saved: false },
    );
  }
}

function stringParam(params: FormObject, name: string): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string')
    throw invalidRequest(`Invalid string: ${name}`, { param: name, saved: false });
  return value;
}

function integerParam(params: FormObject, name: string): number | undefined {
  const value = stringParam(params, name);
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) {
    throw invalidRequest(`Invalid integer: ${value}`, {
      code: 'parameter_invalid_integer',
      param: name,
      saved: false,
    });
  }
  return Number(value);
}

/** Metadata values are strings; an empty string (`metadata=`) unsets it, as on Stripe. */
function metadataParam(params: FormObject): Record<string, string> {
  const value = params.metadata;
  if (value === undefined || value === '') return {};
  if (
    typeof value === 'string' ||
    Array.isArray(value) ||
    Object.values(value).some((v) => typeof v !== 'string')
  ) {
    throw invalidRequest('Invalid hash', { param: 'metadata', saved: false });
  }
  return { ...(value as Record<string, string>) };
}

/** Stripe's minimum charge amounts (in the smallest unit) for the currencies we might use. */
const MINIMUM_AMOUNT: Record<string, { cents: number; label: string }> = {
  eur: { cents: 50, label: '€0.50 eur' },
  usd: { cents: 50, label: '$0.50 usd' },
};

/** Test card numbers (https://docs.stripe.com/testing) and what confirming with them does. */
const DECLINES: Record<string, Omit<PaymentError, 'type' | 'doc_url'>> = {
  '4000000000000002': {
    code: 'card_declined',
    decline_code: 'generic_decline',
    message: 'Your card was declined.',
  },
  '4000000000009995': {
    code: 'card_declined',
    decline_code: 'insufficient_funds',
    message: 'Your card has insufficient funds.',
  },
  '4000000000000069': { code: 'expired_card', message: 'Your card has expired.' },
};
/** Stripe's test PaymentMethod ids, for confirming server side with the secret key. */
const TEST_PAYMENT_METHODS: Record<string, string> = {
  pm_card_visa: '4242424242424242',
  pm_card_chargeDeclined: '4000000000000002',
  pm_card_visa_chargeDeclined: '4000000000000002',
  pm_card_chargeDeclinedInsufficientFunds: '4000000000009995',
};

/** Test cards whose bank always asks for 3-D Secure (https://docs.stripe.com/testing#regulatory-cards). */
const THREE_D_SECURE = new Set(['4000002760003184', '4000002500003155', '4000000000003220']);

/**
 * Stripe's test authentication page, as Stripe.js shows it in its modal: the customer (the test)
 * completes or fails it. The answer page tells the opener (the fake Stripe.js) it is done.
 */
function threeDsPage(pi: FakePaymentIntent, source: string): string {
  const euros = (pi.amount / 100).toFixed(2).replace('.', ',');
  const action = (outcome: string) => `/3d_secure_2_test/${pi.id}/${source}/${outcome}`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>3D Secure 2 Test Page</title>
<style>body{font-family:system-ui,sans-serif;margin:0;padding:1.2rem;color:#1a1a1a;background:#fff}
h1{font-size:1.2rem;margin:0 0 .6rem}p{margin:.4rem 0 1rem;color:#555}
.amount{font-size:1.6rem;font-weight:700;color:#1a1a1a}
form{display:inline}button{font:inherit;font-weight:700;padding:.7rem 1.2rem;border-radius:6px;border:0;margin:.3rem .4rem .3rem 0;cursor:pointer}
.ok{background:#635bff;color:#fff}.ko{background:#eee;color:#1a1a1a}</style></head>
<body><h1>3D Secure 2 Test Page</h1>
<p>This is a test authentication of a payment of <span class="amount">${euros} €</span>. Complete or fail it.</p>
<form method="post" action="${action('complete')}"><button class="ok" data-testid="3ds-complete">Complete</button></form>
<form method="post" action="${action('fail')}"><button class="ko" data-testid="3ds-fail">Fail</button></form>
</body></html>`;
}

function threeDsDonePage(outcome: 'complete' | 'fail'): string {
  return `<!doctype html><html><head><meta charset="utf-8"></head><body><p>${outcome === 'complete' ? 'Authenticated' : 'Authentication failed'}</p>
<script>parent.postMessage({ type: 'fake-stripe-3ds-done', outcome: ${JSON.stringify(outcome)} }, '*');</script></body></html>`;
}

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return digits.length >= 12 && digits.length <= 19 && sum % 10 === 0;
}

/** What paying with this card number does: undefined = success, else the card error. */
function cardOutcome(number: string): PaymentError | undefined {
  const digits = number.replace(/[\s-]/g, '');
  const decline = DECLINES[digits];
  if (decline) return { type: 'card_error', doc_url: docUrl(decline.code), ...decline };
  if (!/^\d+$/.test(digits) || !luhnValid(digits)) {
    return {
      type: 'card_error',
      code: 'incorrect_number',
      message: 'Your card number is incorrect.',
      doc_url: 'https://stripe.com/docs/error-codes/incorrect-number',
    };
  }
  return undefined;
}

/** One waiting list per kind of thing tests await (deliveries here), without polling. */
function feed<T>() {
  const items: T[] = [];
  const taken = new Set<T>();
  const waiters: {
    predicate: (item: T) => boolean;
    resolve: (item: T) => void;
    reject: (e: Error) => void;
  }[] = [];
  return {
    items,
    push(item: T) {
      items.push(item);
      const i = waiters.findIndex((w) => w.predicate(item));
      if (i >= 0) {
        taken.add(item);
        waiters.splice(i, 1)[0]!.resolve(item);
      }
    },
    next(predicate: (item: T) => boolean = () => true): Promise<T> {
      const ready = items.find((item) => !taken.has(item) && predicate(item));
      if (ready !== undefined) {
        taken.add(ready);
        return Promise.resolve(ready);
      }
      return new Promise<T>((resolve, reject) => waiters.push({ predicate, resolve, reject }));
    },
    rejectWaiters(error: Error) {
      for (const w of waiters.splice(0)) w.reject(error);
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const mask = (key: string) => `${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`;

export async function startFakeStripe(
  options: { webhookUrl?: string; webhookSecret?: string; publishableKey?: string } = {},
): Promise<FakeStripe> {
  const secretKey = `sk_test_fake${randomId()}`;
  const publishableKey = options.publishableKey ?? `pk_test_fake${randomId()}`;
  const webhookSecret = options.webhookSecret ?? `whsec_${randomId(32)}`;
  let webhookUrl = options.webhookUrl;

  const paymentIntents = new Map<string, FakePaymentIntent>();
  const refunds: FakeRefund[] = [];
  const requests: RecordedRequest[] = [];
  const events: FakeEvent<unknown>[] = [];
  const disputes = new Map<string, FakeDispute>();
  let refundOutcome: 'succeeded' | 'pending' = 'succeeded';
  const deliveries = feed<WebhookDelivery>();
  /** Idempotency-Key -> the first request's endpoint, parameters and saved response. */
  const idempotency = new Map<string, { endpoint: string; params: string; status: number; body: string }>();
  const inFlight = new Set<Promise<void>>();
  const closing = new AbortController();

  const buildEvent = <T>(type: EventType, object: T, idOverride?: string): FakeEvent<T> => ({
    id: idOverride ?? `evt_${randomId()}`,
    object: 'event',
    api_version: Stripe.API_VERSION,
    created: now(),
    // A snapshot: the event shows the object as it was when the event happened.
    data: { object: structuredClone(object) },
    livemode: false,
    pending_webhooks: webhookUrl ? 1 : 0,
    request: { id: null, idempotency_key: null },
    type,
  });

  const signedHeaders = (payload: string, opts: { timestamp?: number } = {}) => ({
    'content-type': 'application/json; charset=utf-8',
    'stripe-signature': Stripe.webhooks.generateTestHeaderString({
      payload,
      secret: webhookSecret,
      ...(opts.timestamp !== undefined && { timestamp: opts.timestamp }),
    }),
  });

  /** Stripe posts events after the API call that caused them has answered, one attempt recorded each. */
  function emit(type: EventType, object: unknown): void {
    const event = buildEvent(type, object) as FakeEvent<FakePaymentIntent>;
    events.push(event);
    const url = webhookUrl;
    if (!url) return;
    // Stripe sends the event pretty-printed: a receiver that re-serialises JSON before checking
    // the signature fails here as it would in production.
    const payload = JSON.stringify(event, null, 2);
    const attempt = (async () => {
      await new Promise((resolve) => setImmediate(resolve));
      let delivery: WebhookDelivery;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            ...signedHeaders(payload),
            'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          },
          body: payload,
          signal: AbortSignal.any([closing.signal, AbortSignal.timeout(10_000)]),
        });
        await res.arrayBuffer();
        delivery = { event, status: res.status };
      } catch (e) {
        delivery = { event, status: 0, error: e instanceof Error ? e.message : String(e) };
      }
      deliveries.push(delivery);
    })();
    inFlight.add(attempt);
    void attempt.finally(() => inFlight.delete(attempt));
  }

  function findIntent(id: string): FakePaymentIntent {
    const pi = paymentIntents.get(id);
    if (!pi) throw noSuch('payment_intent', id, 'intent');
    return pi;
  }

  function markSucceeded(pi: FakePaymentIntent, paymentMethod: string): void {
    pi.status = 'succeeded';
    pi.amount_received = pi.amount;
    pi.payment_method = paymentMethod;
    pi.latest_charge = `ch_${randomId()}`;
    pi.last_payment_error = null;
    pi.next_action = null;
  }

  /** A declined PaymentIntent goes back to requires_payment_method, keeping the error for the UI. */
  function markFailed(pi: FakePaymentIntent, error: PaymentError): void {
    pi.status = 'requires_payment_method';
    pi.payment_method = null;
    // The failed charge is the latest one; refunds still find no successful charge.
    pi.latest_charge = `ch_${randomId()}`;
    pi.last_payment_error = { ...error };
    pi.next_action = null;
  }

  function assertConfirmable(pi: FakePaymentIntent): void {
    if (pi.status === 'succeeded') {
      throw invalidRequest(
        'You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed.',
        { code: 'payment_intent_unexpected_state', param: 'intent' },
      );
    }
    if (pi.status !== 'requires_payment_method' && pi.status !== 'requires_confirmation') {
      throw invalidRequest(`You cannot confirm this PaymentIntent because it has a status of ${pi.status}.`, {
        code: 'payment_intent_unexpected_state',
        param: 'intent',
      });
    }
  }

  /** Authentication: the secret key (Bearer), or the publishable key (Bearer or `key` field, as Stripe.js sends it). */
  function authenticate(req: IncomingMessage, params: FormObject): 'secret' | 'publishable' {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const key = bearer ?? (typeof params.key === 'string' ? params.key : undefined);
    if (key === undefined) {
      throw invalidRequest(
        "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
        { status: 401, saved: false },
      );
    }
    if (key === secretKey) return 'secret';
    if (key === publishableKey) return 'publishable';
    throw invalidRequest(`Invalid API Key provided: ${mask(key)}`, { status: 401, saved: false });
  }

  const requireSecret = (auth: 'secret' | 'publishable') => {
    if (auth !== 'secret') {
      throw invalidRequest(
        'This API call cannot be made with a publishable API key. Please use a secret API key.',
        { status: 401, code: 'secret_key_required', saved: false },
      );
    }
  };

  /** With the publishable key, Stripe only shows a PaymentIntent to whoever holds its client secret. */
  function checkClientSecret(pi: FakePaymentIntent, params: FormObject): void {
    const clientSecret = stringParam(params, 'client_secret');
    if (clientSecret === undefined) throw missingParam('client_secret');
    if (clientSecret !== pi.client_secret) {
      throw invalidRequest(
        'The client_secret provided does not match the client_secret associated with the PaymentIntent.',
        { param: 'client_secret', saved: false },
      );
    }
  }

  function createPaymentIntent(params: FormObject): FakePaymentIntent {
    onlyParams(params, [
      'amount',
      'currency',
      'metadata',
      'automatic_payment_methods',
      'description',
      'receipt_email',
      'payment_method_types',
    ]);
    const amount = integerParam(params, 'amount');
    if (amount === undefined) throw missingParam('amount');
    const currency = stringParam(params, 'currency')?.toLowerCase();
    if (currency === undefined) throw missingParam('currency');
    if (!/^[a-z]{3}$/.test(currency)) {
      throw invalidRequest(`Invalid currency: ${currency}.`, { param: 'currency', saved: false });
    }
    const minimum = MINIMUM_AMOUNT[currency];
    if (amount < (minimum?.cents ?? 1)) {
      throw invalidRequest(`Amount must be at least ${minimum?.label ?? `1 ${currency}`}`, {
        code: 'amount_too_small',
        param: 'amount',
        saved: false,
      });
    }
    const apm = params.automatic_payment_methods;
    let automatic: FakePaymentIntent['automatic_payment_methods'] = null;
    if (apm !== undefined) {
      const enabled = typeof apm === 'object' && !Array.isArray(apm) ? apm.enabled : undefined;
      if (enabled !== 'true' && enabled !== 'false') {
        throw invalidRequest(`Invalid boolean: ${String(enabled)}`, {
          param: 'automatic_payment_methods[enabled]',
          saved: false,
        });
      }
      automatic = { enabled: enabled === 'true' };
    }
    const types = params.payment_method_types;
    const id = `pi_${randomId()}`;
    const pi: FakePaymentIntent = {
      id,
      object: 'payment_intent',
      amount,
      amount_received: 0,
      currency,
      status: 'requires_payment_method',
      client_secret: `${id}_secret_${randomId()}`,
      metadata: metadataParam(params),
      description: stringParam(params, 'description') ?? null,
      receipt_email: stringParam(params, 'receipt_email') ?? null,
      automatic_payment_methods: automatic,
      payment_method_types: Array.isArray(types) ? types.map(String) : ['card'],
      payment_method: null,
      latest_charge: null,
      last_payment_error: null,
      next_action: null,
      canceled_at: null,
      cancellation_reason: null,
      created: now(),
      livemode: false,
    };
    paymentIntents.set(id, pi);
    return pi;
  }

  function confirm(
    pi: FakePaymentIntent,
    auth: 'secret' | 'publishable',
    params: FormObject,
  ): { status: number; body: unknown } {
    onlyParams(params, [
      'key',
      'client_secret',
      'payment_method',
      'payment_method_data',
      'return_url',
      'expected_payment_method_type',
      'use_stripe_sdk',
    ]);
    if (auth === 'publishable') checkClientSecret(pi, params);
    assertConfirmable(pi);
    const pmData = params.payment_method_data;
    const card = typeof pmData === 'object' && !Array.isArray(pmData) ? pmData.card : undefined;
    const typedNumber = typeof card === 'object' && !Array.isArray(card) ? card.number : undefined;
    const pmId = stringParam(params, 'payment_method');
    const number =
      typeof typedNumber === 'string' ? typedNumber : pmId ? TEST_PAYMENT_METHODS[pmId] : undefined;
    if (pmId !== undefined && number === undefined)
      throw noSuch('PaymentMethod', pmId, 'payment_method', 400);
    if (number === undefined) {
      throw invalidRequest(
        "You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the PaymentIntent, provide a payment_method or payment_method_data.",
        { code: 'payment_intent_unexpected_state', param: 'payment_method' },
      );
    }
    const paymentMethod = pmId ?? `pm_${randomId()}`;
    const error = cardOutcome(number);
    if (error) {
      markFailed(pi, error);
      emit('payment_intent.payment_failed', pi);
      // A declined confirm answers 402 with the card error and the PaymentIntent inside it.
      return { status: 402, body: { error: { ...error, payment_intent: pi } } };
    }
    if (THREE_D_SECURE.has(number.replace(/[\s-]/g, ''))) {
      // The bank asks the customer to authenticate: Stripe.js shows its page, the customer
      // completes or fails it there, and the payment goes on from that answer.
      pi.status = 'requires_action';
      pi.payment_method = paymentMethod;
      pi.last_payment_error = null;
      const source = `src_${randomId()}`;
      pi.next_action = {
        type: 'use_stripe_sdk',
        use_stripe_sdk: {
          type: 'three_d_secure_redirect',
          // Where Stripe serves it (the site's CSP allows framing hooks.stripe.com only): browser
          // tests route that origin to this server (STRIPE_HOOKS_URL_PATTERN in stripe-js.ts).
          stripe_js: `https://hooks.stripe.com/3d_secure_2_test/${pi.id}/${source}`,
          source,
        },
      };
      emit('payment_intent.requires_action', pi);
      return { status: 200, body: pi };
    }
    markSucceeded(pi, paymentMethod);
    emit('payment_intent.succeeded', pi);
    return { status: 200, body: pi };
  }

  /** The customer's answer on the authentication page. */
  function authenticate3ds(pi: FakePaymentIntent, source: string, outcome: 'complete' | 'fail'): void {
    if (pi.status !== 'requires_action' || pi.next_action?.use_stripe_sdk.source !== source) {
      throw invalidRequest(`This authentication is no longer pending (PaymentIntent ${pi.status}).`, {
        code: 'payment_intent_unexpected_state',
      });
    }
    if (outcome === 'complete') {
      markSucceeded(pi, pi.payment_method ?? `pm_${randomId()}`);
      emit('payment_intent.succeeded', pi);
    } else {
      markFailed(pi, {
        type: 'card_error',
        code: 'payment_intent_authentication_failure',
        message:
          'We are unable to authenticate your payment method. Please choose a different payment method and try again.',
        doc_url: docUrl('payment_intent_authentication_failure'),
      });
      emit('payment_intent.payment_failed', pi);
    }
  }

  const CANCELABLE: PaymentIntentStatus[] = [
    'requires_payment_method',
    'requires_confirmation',
    'requires_action',
    'processing',
  ];
  function cancel(pi: FakePaymentIntent, params: FormObject): FakePaymentIntent {
    onlyParams(params, ['cancellation_reason']);
    const reason = stringParam(params, 'cancellation_reason');
    if (
      reason !== undefined &&
      !['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'].includes(reason)
    ) {
      throw invalidRequest(
        `Invalid cancellation_reason: must be one of duplicate, fraudulent, requested_by_customer or abandoned`,
        {
          param: 'cancellation_reason',
          saved: false,
        },
      );
    }
    if (!CANCELABLE.includes(pi.status)) {
      throw invalidRequest(
        `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.`,
        { code: 'payment_intent_unexpected_state', param: 'intent' },
      );
    }
    pi.status = 'canceled';
    pi.canceled_at = now();
    pi.cancellation_reason = reason ?? null;
    return pi;
  }

  /** As in API versions since 2022-11-15: the charge without its refunds listed. */
  function emitChargeRefunded(pi: FakePaymentIntent): void {
    const refunded = refunds
      .filter((r) => r.payment_intent === pi.id && (r.status === 'succeeded' || r.status === 'pending'))
      .reduce((sum, r) => sum + r.amount, 0);
    emit('charge.refunded', {
      id: pi.latest_charge,
      object: 'charge',
      amount: pi.amount_received,
      amount_refunded: refunded,
      refunded: refunded >= pi.amount_received,
      currency: pi.currency,
      payment_intent: pi.id,
      metadata: pi.metadata,
      status: 'succeeded',
      created: pi.created,
      livemode: false,
    });
  }

  function createRefund(params: FormObject): FakeRefund {
    onlyParams(params, ['payment_intent', 'amount', 'metadata', 'reason']);
    const piId = stringParam(params, 'payment_intent');
    if (piId === undefined) {
      throw invalidRequest(
        'One of the following params should be provided for this request: payment_intent or charge.',
        { code: 'parameter_missing', saved: false },
      );
    }
    const reason = stringParam(params, 'reason');
    if (reason !== undefined && !['duplicate', 'fraudulent', 'requested_by_customer'].includes(reason)) {
      throw invalidRequest(`Invalid reason: must be one of duplicate, fraudulent or requested_by_customer`, {
        param: 'reason',
        saved: false,
      });
    }
    const requested = integerParam(params, 'amount');
    const metadata = metadataParam(params);
    // A reference inside the body that does not exist is a 400 (404 is for the URL's own resource).
    const pi = paymentIntents.get(piId);
    if (!pi) throw noSuch('payment_intent', piId, 'payment_intent', 400);
    if (pi.status !== 'succeeded') {
      throw invalidRequest(`This PaymentIntent (${pi.id}) does not have a successful charge to refund.`, {
        param: 'payment_intent',
      });
    }
    const refunded = refunds.filter((r) => r.payment_intent === pi.id).reduce((sum, r) => sum + r.amount, 0);
    const remaining = pi.amount_received - refunded;
    if (remaining <= 0) {
      throw invalidRequest(`Charge ${pi.latest_charge} has already been refunded.`, {
        code: 'charge_already_refunded',
      });
    }
    const amount = requested ?? remaining;
    if (amount <= 0)
      throw invalidRequest('Refund amount must be positive.', { param: 'amount', saved: false });
    if (amount > remaining) {
      const euros = (cents: number) => `€${(cents / 100).toFixed(2)}`;
      throw invalidRequest(
        `Refund amount (${euros(amount)}) is greater than unrefunded amount on charge (${euros(remaining)})`,
        { code: 'amount_too_large', param: 'amount' },
      );
    }
    const refund: FakeRefund = {
      id: `re_${randomId()}`,
      object: 'refund',
      amount,
      charge: pi.latest_charge,
      currency: pi.currency,
      metadata,
      payment_intent: pi.id,
      reason: reason ?? null,
      // Card refunds in test mode succeed at once, unless the test asks for pending ones.
      status: refundOutcome,
      failure_reason: null,
      created: now(),
    };
    refunds.push(refund);
    emit('refund.created', refund);
    if (refund.status === 'succeeded') emitChargeRefunded(pi);
    return refund;
  }

  function route(method: string, path: string, req: IncomingMessage, params: FormObject) {
    const threeDs = /^\/3d_secure_2_test\/([^/]+)\/([^/]+)(?:\/(complete|fail))?$/.exec(path);
    if (threeDs) {
      const [, id, source, outcome] = threeDs as unknown as [
        string,
        string,
        string,
        'complete' | 'fail' | undefined,
      ];
      const pi = findIntent(id);
      if (method === 'POST' && outcome) {
        authenticate3ds(pi, source, outcome);
        return { status: 200, html: threeDsDonePage(outcome) };
      }
      if (method === 'GET' && !outcome) return { status: 200, html: threeDsPage(pi, source) };
    }
    const piRoute = /^\/v1\/payment_intents\/([^/]+)(?:\/(confirm|cancel))?$/.exec(path);
    if (method === 'POST' && path === '/v1/payment_intents') {
      requireSecret(authenticate(req, params));
      return { status: 200, body: createPaymentIntent(params) };
    }
    if (method === 'POST' && path === '/v1/refunds') {
      requireSecret(authenticate(req, params));
      return { status: 200, body: createRefund(params) };
    }
    if (piRoute) {
      const [, id, action] = piRoute as unknown as [string, string, string | undefined];
      if (method === 'GET' && !action) {
        const auth = authenticate(req, params);
        const pi = findIntent(id);
        if (auth === 'publishable') checkClientSecret(pi, params);
        return { status: 200, body: pi };
      }
      if (method === 'POST' && action === 'confirm') {
        const auth = authenticate(req, params);
        return confirm(findIntent(id), auth, params);
      }
      if (method === 'POST' && action === 'cancel') {
        requireSecret(authenticate(req, params));
        return { status: 200, body: cancel(findIntent(id), params) };
      }
    }
    throw invalidRequest(
      `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
      { status: 404, saved: false },
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The customer page (another loopback origin) calls the confirm endpoint from the browser.
    res.setHeader('access-control-allow-origin', '*');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
        'access-control-allow-headers':
          req.headers['access-control-request-headers'] ?? 'authorization, content-type, stripe-version',
        'access-control-max-age': '300',
      });
      return void res.end();
    }
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://fake');
    const idempotencyKey =
      method === 'POST' ? (req.headers['idempotency-key'] as string | undefined) : undefined;
    res.setHeader('content-type', 'application/json');
    res.setHeader('request-id', `req_${randomId(14)}`);
    res.setHeader(
      'stripe-version',
      (req.headers['stripe-version'] as string | undefined) ?? Stripe.API_VERSION,
    );
    if (idempotencyKey) res.setHeader('idempotency-key', idempotencyKey);

    const send = (status: number, body: string) => {
      res.statusCode = status;
      res.end(body);
    };
    try {
      const params =
        method === 'POST' ? parseStripeForm(await readBody(req)) : parseStripeForm(url.search.slice(1));
      requests.push({ method, path: url.pathname, idempotencyKey, body: params });

      // Idempotency (https://docs.stripe.com/api/idempotent_requests): the first response is saved
      // under the key and replayed as it was; the same key with another endpoint or other
      // parameters is refused. Checked after authentication, as Stripe does.
      const saved = idempotencyKey ? idempotency.get(idempotencyKey) : undefined;
      if (saved) {
        authenticate(req, params);
        const endpoint = `${method} ${url.pathname}`;
        if (saved.endpoint !== endpoint) {
          throw new StripeApiError(
            400,
            {
              type: 'idempotency_error',
              message: `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${endpoint.split(' ')[1]}' vs '${saved.endpoint.split(' ')[1]}'). Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
            },
            false,
          );
        }
        if (saved.params !== canonical(params)) {
          throw new StripeApiError(
            400,
            {
              type: 'idempotency_error',
              message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
            },
            false,
          );
        }
        res.setHeader('idempotent-replayed', 'true');
        return send(saved.status, saved.body);
      }

      let result: { status: number; body?: unknown; html?: string };
      try {
        result = route(method, url.pathname, req, params);
        if (result.html !== undefined) {
          res.setHeader('content-type', 'text/html; charset=utf-8');
          return send(result.status, result.html);
        }
      } catch (e) {
        if (!(e instanceof StripeApiError) || !e.saved) throw e;
        result = { status: e.status, body: { error: e.body } };
      }
      const body = JSON.stringify(result.body);
      if (idempotencyKey) {
        idempotency.set(idempotencyKey, {
          endpoint: `${method} ${url.pathname}`,
          params: canonical(params),
          status: result.status,
          body,
        });
      }
      send(result.status, body);
    } catch (e) {
      if (e instanceof StripeApiError) return send(e.status, JSON.stringify({ error: e.body }));
      send(500, JSON.stringify({ error: { type: 'api_error', message: `fake Stripe: ${String(e)}` } }));
    }
  }

  const server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  function settleRefund(
    refundId: string,
    status: 'succeeded' | 'failed' | 'canceled',
    failureReason?: string,
  ): FakeRefund {
    const refund = refunds.find((r) => r.id === refundId);
    if (!refund) throw new Error(`fake Stripe: no refund ${refundId}`);
    if (refund.status !== 'pending') throw new Error(`fake Stripe: refund ${refundId} is ${refund.status}`);
    refund.status = status;
    refund.failure_reason = status === 'succeeded' ? null : (failureReason ?? 'unknown');
    emit('refund.updated', refund);
    if (status === 'succeeded') emitChargeRefunded(paymentIntents.get(refund.payment_intent)!);
    return structuredClone(refund);
  }

  function openDispute(
    paymentIntentId: string,
    options: { reason?: string; dueBy?: number } = {},
  ): FakeDispute {
    const pi = paymentIntents.get(paymentIntentId);
    if (!pi || pi.status !== 'succeeded' || !pi.latest_charge) {
      throw new Error(`fake Stripe: PaymentIntent ${paymentIntentId} has no successful charge to dispute`);
    }
    const dispute: FakeDispute = {
      id: `dp_${randomId()}`,
      object: 'dispute',
      amount: pi.amount_received,
      charge: pi.latest_charge,
      currency: pi.currency,
      payment_intent: pi.id,
      reason: options.reason ?? 'fraudulent',
      status: 'needs_response',
      // Stripe gives about a week to answer.
      evidence_details: {
        due_by: options.dueBy ?? now() + 7 * 24 * 3600,
        has_evidence: false,
        past_due: false,
        submission_count: 0,
      },
      is_charge_refundable: false,
      livemode: false,
      metadata: {},
      created: now(),
    };
    disputes.set(dispute.id, dispute);
    emit('charge.dispute.created', dispute);
    return structuredClone(dispute);
  }

  function updateDispute(disputeId: string, status: string): FakeDispute {
    const dispute = disputes.get(disputeId);
    if (!dispute) throw new Error(`fake Stripe: no dispute ${disputeId}`);
    dispute.status = status;
    if (status === 'under_review') dispute.evidence_details.submission_count += 1;
    const closed = ['won', 'lost', 'warning_closed'].includes(status);
    emit(closed ? 'charge.dispute.closed' : 'charge.dispute.updated', dispute);
    return structuredClone(dispute);
  }

  function drive(id: string, outcome: 'succeed' | 'fail'): FakePaymentIntent {
    const pi = paymentIntents.get(id);
    if (!pi) throw new Error(`fake Stripe: no PaymentIntent ${id}`);
    assertConfirmable(pi);
    if (outcome === 'succeed') {
      markSucceeded(pi, 'pm_card_visa');
      emit('payment_intent.succeeded', pi);
    } else {
      markFailed(pi, cardOutcome('4000000000000002')!);
      emit('payment_intent.payment_failed', pi);
    }
    return structuredClone(pi);
  }

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    secretKey,
    publishableKey,
    webhookSecret,
    paymentIntents,
    refunds,
    requests,
    events,
    webhookDeliveries: deliveries.items,
    nextDelivery: (predicate) => deliveries.next(predicate),
    succeed: (id) => drive(id, 'succeed'),
    fail: (id) => drive(id, 'fail'),
    setRefundOutcome(outcome) {
      refundOutcome = outcome;
    },
    settleRefund,
    disputes,
    openDispute,
    updateDispute,
    buildEvent,
    signedHeaders,
    setWebhookUrl(url) {
      webhookUrl = url;
    },
    async close() {
      closing.abort();
      await Promise.allSettled([...inFlight]);
      deliveries.rejectWaiters(new Error('fake Stripe closed before the awaited webhook delivery'));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // stripe-node keeps connections alive: close them, or close() would wait for their timeout.
        server.closeAllConnections();
      });
    },
  };
}
