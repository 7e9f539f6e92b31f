import Stripe from 'stripe';

/** What the hub needs of a PaymentIntent. */
export type GatewayPaymentIntent = {
  id: string;
  clientSecret: string;
  amountCents: number;
  status: string;
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
  }): Promise<{ id: string; status: 'pending' | 'succeeded' | 'failed' }>;
  /** Throws `WebhookSignatureError` when the signature or its timestamp does not check out. */
  verifyWebhook(rawBody: Buffer, signature: string): GatewayEvent;
};

export class WebhookSignatureError extends Error {
  override readonly name = 'WebhookSignatureError';
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
      const status =
        refund.status === 'succeeded' ? 'succeeded' : refund.status === 'failed' ? 'failed' : 'pending';
      return { id: refund.id, status };
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
      let paymentIntent: GatewayEvent['paymentIntent'] = null;
      if (event.type.startsWith('payment_intent.')) {
        const pi = event.data.object as Stripe.PaymentIntent;
        const error = pi.last_payment_error;
        paymentIntent = {
          id: pi.id,
          amountCents: pi.amount,
          orderId: typeof pi.metadata?.order_id === 'string' ? pi.metadata.order_id : null,
          failure: error ? (error.message ?? error.decline_code ?? error.code ?? 'payment failed') : null,
        };
      }
      return { id: event.id, type: event.type, createdAt: new Date(event.created * 1000), paymentIntent };
    },
  };
}
