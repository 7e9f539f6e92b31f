import Stripe from 'stripe';
import { z } from 'zod';
import { DisputeStatus, type RefundStatus } from '../contract/index.js';

/** What the hub needs of a PaymentIntent. */
export type GatewayPaymentIntent = {
  id: string;
  clientSecret: string;
  amountCents: number;
  status: string;
};

/** What Stripe says of one refund (a refund.* event, or one listed in charge.refunded). */
export type GatewayRefund = {
  id: string;
  paymentIntentId: string | null;
  amountCents: number;
  /** Stripe's `requires_action` (some payment methods) is still pending for us. */
  status: RefundStatus;
  failure: string | null;
  orderId: string | null;
};

/** What Stripe says of a dispute (charge.dispute.* events). */
export type GatewayDispute = {
  id: string;
  chargeId: string;
  paymentIntentId: string | null;
  amountCents: number;
  currency: string;
  reason: string;
  status: DisputeStatus;
  evidenceDueBy: Date | null;
};

/** A webhook event, verified and reduced to what the payments service acts on. */
export type GatewayEvent = {
  id: string;
  type: string;
  createdAt: Date;
  /** For payment_intent.* events. */
  paymentIntent: {
    id: string;
    amountCents: number;
    orderId: string | null;
    failure: string | null;
  } | null;
  /**
   * For refund.created / refund.updated / refund.failed / charge.refund.updated: that refund. For
   * charge.refunded: the refunds it lists, else (recent API versions list none) the charge's
   * total refunded, reported against its PaymentIntent.
   */
  refunds: GatewayRefund[] | null;
  chargeRefunded: {
    paymentIntentId: string | null;
    amountRefundedCents: number;
    /** Stripe's `refunded`: the whole charge went back. */
    fullyRefunded: boolean;
  } | null;
  dispute: GatewayDispute | null;
};

export type PaymentGateway = {
  createPaymentIntent(input: {
    orderId: string;
    shortCode: string;
    amountCents: number;
    idempotencyKey: string;
  }): Promise<GatewayPaymentIntent>;
  refund(input: {
    paymentIntentId: string;
    amountCents: number;
    orderId: string;
    idempotencyKey: string;
  }): Promise<{ id: string; status: RefundStatus; failure: string | null }>;
  /**
   * Throws `WebhookSignatureError` when the signature or its timestamp does not check out, and
   * `WebhookPayloadError` when a signed event lacks a field the hub acts on.
   */
  verifyWebhook(rawBody: Buffer, signature: string): GatewayEvent;
};

export class WebhookSignatureError extends Error {
  override readonly name = 'WebhookSignatureError';
}

/** A genuine (signed) event that lacks a field the hub needs, or has one of the wrong kind. */
export class WebhookPayloadError extends Error {
  override readonly name = 'WebhookPayloadError';
}

// What the hub reads of Stripe's objects. Only these fields are required: Stripe adds fields in
// every API version, and an event missing one we act on must be refused (400), not half-applied.
const Metadata = z.record(z.string(), z.string()).nullish();
const PaymentIntentObject = z.object({
  id: z.string().min(1),
  amount: z.number().int(),
  metadata: Metadata,
  last_payment_error: z
    .object({
      message: z.string().nullish(),
      decline_code: z.string().nullish(),
      code: z.string().nullish(),
    })
    .nullish(),
});
const RefundObject = z.object({
  id: z.string().min(1),
  amount: z.number().int(),
  status: z.enum(['pending', 'requires_action', 'succeeded', 'failed', 'canceled']),
  payment_intent: z.string().nullable(),
  failure_reason: z.string().nullish(),
  metadata: Metadata,
});
const ChargeObject = z.object({
  id: z.string().min(1),
  payment_intent: z.string().nullable(),
  amount_refunded: z.number().int(),
  refunded: z.boolean(),
  refunds: z.object({ data: z.array(RefundObject) }).nullish(),
});
const DisputeObject = z.object({
  id: z.string().min(1),
  charge: z.string().min(1),
  payment_intent: z.string().nullable(),
  amount: z.number().int(),
  currency: z.string(),
  reason: z.string(),
  status: DisputeStatus,
  evidence_details: z.object({ due_by: z.number().int().nullable() }),
});

const REFUND_EVENTS = ['refund.created', 'refund.updated', 'refund.failed', 'charge.refund.updated'];
const DISPUTE_EVENTS = [
  'charge.dispute.created',
  'charge.dispute.updated',
  'charge.dispute.closed',
  'charge.dispute.funds_withdrawn',
  'charge.dispute.funds_reinstated',
];

function parseObject<T>(schema: z.ZodType<T>, event: Stripe.Event): T {
  const parsed = schema.safeParse((event as { data?: { object?: unknown } }).data?.object);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = ['data', 'object', ...issue.path.map(String)].join('.');
  throw new WebhookPayloadError(
    `${event.type} event ${event.id}: ${field} is ${issue.code === 'invalid_type' && issue.message.includes('undefined') ? 'missing' : 'invalid'}`,
  );
}

function toRefund(refund: z.infer<typeof RefundObject>): GatewayRefund {
  return {
    id: refund.id,
    paymentIntentId: refund.payment_intent,
    amountCents: refund.amount,
    status: refund.status === 'requires_action' ? 'pending' : refund.status,
    failure:
      refund.status === 'failed' || refund.status === 'canceled'
        ? (refund.failure_reason ?? refund.status)
        : null,
    orderId: refund.metadata?.order_id ?? null,
  };
}

/** The event reduced to what the payments service reads; throws `WebhookPayloadError`. */
export function readGatewayEvent(event: Stripe.Event): GatewayEvent {
  const base = z
    .object({ id: z.string().min(1), type: z.string().min(1), created: z.number().int() })
    .safeParse(event);
  if (!base.success) {
    throw new WebhookPayloadError(
      `the event lacks ${base.error.issues[0]!.path.join('.') || 'its envelope'}`,
    );
  }
  const out: GatewayEvent = {
    id: event.id,
    type: event.type,
    createdAt: new Date(event.created * 1000),
    paymentIntent: null,
    refunds: null,
    chargeRefunded: null,
    dispute: null,
  };
  if (event.type === 'payment_intent.succeeded' || event.type === 'payment_intent.payment_failed') {
    const pi = parseObject(PaymentIntentObject, event);
    const error = pi.last_payment_error;
    out.paymentIntent = {
      id: pi.id,
      amountCents: pi.amount,
      orderId: pi.metadata?.order_id ?? null,
      failure: error ? (error.message ?? error.decline_code ?? error.code ?? 'payment failed') : null,
    };
  } else if (REFUND_EVENTS.includes(event.type)) {
    out.refunds = [toRefund(parseObject(RefundObject, event))];
  } else if (event.type === 'charge.refunded') {
    const charge = parseObject(ChargeObject, event);
    if (charge.refunds) out.refunds = charge.refunds.data.map(toRefund);
    out.chargeRefunded = {
      paymentIntentId: charge.payment_intent,
      amountRefundedCents: charge.amount_refunded,
      fullyRefunded: charge.refunded,
    };
  } else if (DISPUTE_EVENTS.includes(event.type)) {
    const d = parseObject(DisputeObject, event);
    out.dispute = {
      id: d.id,
      chargeId: d.charge,
      paymentIntentId: d.payment_intent,
      amountCents: d.amount,
      currency: d.currency,
      reason: d.reason,
      status: d.status,
      evidenceDueBy: d.evidence_details.due_by === null ? null : new Date(d.evidence_details.due_by * 1000),
    };
  }
  return out;
}

/** Stripe's default: a signed delivery older than five minutes is refused (replay protection). */
const WEBHOOK_TOLERANCE_S = 300;

export function createStripeGateway(options: {
  secretKey: string;
  webhookSecret: string;
  /** A loopback fake in tests (config refuses it in production). */
  apiUrl?: string | undefined;
  timeoutMs?: number;
}): PaymentGateway {
  const api = options.apiUrl ? new URL(options.apiUrl) : null;
  const stripe = new Stripe(options.secretKey, {
    // Network retries are safe: every write carries an idempotency key.
    maxNetworkRetries: api ? 0 : 2,
    timeout: options.timeoutMs ?? 10_000,
    ...(api
      ? { host: api.hostname, port: Number(api.port), protocol: api.protocol.replace(':', '') as 'http' }
      : {}),
  });

  return {
    async createPaymentIntent(input) {
      const pi = await stripe.paymentIntents.create(
        {
          amount: input.amountCents,
          currency: 'eur',
          automatic_payment_methods: { enabled: true },
          description: `OC Pizza ${input.shortCode}`,
          metadata: { order_id: input.orderId, short_code: input.shortCode },
        },
        { idempotencyKey: input.idempotencyKey },
      );
      if (!pi.client_secret) throw new Error(`Stripe gave PaymentIntent ${pi.id} no client secret`);
      return { id: pi.id, clientSecret: pi.client_secret, amountCents: pi.amount, status: pi.status };
    },

    async refund(input) {
      const refund = await stripe.refunds.create(
        {
          payment_intent: input.paymentIntentId,
          amount: input.amountCents,
          metadata: { order_id: input.orderId },
        },
        { idempotencyKey: input.idempotencyKey },
      );
      const status: RefundStatus =
        refund.status === 'succeeded' || refund.status === 'failed' || refund.status === 'canceled'
          ? refund.status
          : 'pending';
      const failure = status === 'failed' || status === 'canceled' ? (refund.failure_reason ?? status) : null;
      return { id: refund.id, status, failure };
    },

    verifyWebhook(rawBody, signature) {
      let event: Stripe.Event;
      try {
        event = stripe.webhooks.constructEvent(
          rawBody,
          signature,
          options.webhookSecret,
          WEBHOOK_TOLERANCE_S,
        );
      } catch (error) {
        throw new WebhookSignatureError(error instanceof Error ? error.message : String(error));
      }
      return readGatewayEvent(event);
    },
  };
}
