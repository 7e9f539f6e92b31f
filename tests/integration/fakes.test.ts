import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Browser } from 'playwright-core';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../../hub/src/paths.js';
import { startSmtpSink, type SmtpSink } from '../fakes/smtp-sink.js';
import { fakeStripeJsSource, STRIPE_JS_URL, STRIPE_JS_URL_PATTERN } from '../fakes/stripe-js.js';
import { parseStripeForm, startFakeStripe, type FakeStripe } from '../fakes/stripe-server.js';
import { launchBrowser } from '../helpers/browser.js';

/** These tests prove the fakes speak the real protocols: only real clients talk to them. */

interface Received {
  raw: string;
  signature: string;
}

/**
 * A webhook endpoint as the hub has one: it verifies the signature on the raw body with
 * stripe-node and answers 400 when it does not verify, 200 otherwise.
 */
async function startWebhookReceiver(secret: string) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const signature = String(req.headers['stripe-signature'] ?? '');
      received.push({ raw, signature });
      try {
        Stripe.webhooks.constructEvent(raw, signature, secret);
        res.writeHead(200).end('{"received":true}');
      } catch {
        res.writeHead(400).end('bad signature');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/stripe`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function stripeClient(fake: FakeStripe, key = fake.secretKey): Stripe {
  return new Stripe(key, { host: '127.0.0.1', port: fake.port, protocol: 'http', maxNetworkRetries: 0 });
}

/** Calls the confirm endpoint exactly as the fake Stripe.js does from the browser. */
async function confirmFromBrowser(
  fake: FakeStripe,
  pi: { id: string; client_secret: string | null },
  card: string,
) {
  const res = await fetch(`${fake.url}/v1/payment_intents/${pi.id}/confirm`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://127.0.0.1:1' },
    body: new URLSearchParams({
      key: fake.publishableKey,
      client_secret: pi.client_secret ?? '',
      'payment_method_data[type]': 'card',
      'payment_method_data[card][number]': card,
    }).toString(),
  });
  return {
    status: res.status,
    cors: res.headers.get('access-control-allow-origin'),
    body: (await res.json()) as { error?: Record<string, unknown> } & Record<string, unknown>,
  };
}

const orderParams = {
  amount: 2350,
  currency: 'eur',
  automatic_payment_methods: { enabled: true },
  description: 'Commande A-1042',
  metadata: { order_id: '1042', shop: 'A' },
} satisfies Stripe.PaymentIntentCreateParams;

describe('fake Stripe API through stripe-node', () => {
  let fake: FakeStripe;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let stripe: Stripe;

  beforeAll(async () => {
    fake = await startFakeStripe();
    receiver = await startWebhookReceiver(fake.webhookSecret);
    fake.setWebhookUrl(receiver.url);
    stripe = stripeClient(fake);
  });
  afterAll(async () => {
    await fake?.close();
    await receiver?.close();
  });

  it('generates keys in the formats the hub configuration accepts', () => {
    expect(fake.secretKey).toMatch(/^sk_test_[A-Za-z0-9]+$/);
    expect(fake.publishableKey).toMatch(/^pk_test_[A-Za-z0-9]+$/);
    expect(fake.webhookSecret).toMatch(/^whsec_[A-Za-z0-9]+$/);
  });

  it('creates a PaymentIntent once per idempotency key, and refuses the key with other parameters', async () => {
    const key = `order-1042-2350-${Date.now()}`;
    const first = await stripe.paymentIntents.create(orderParams, { idempotencyKey: key });
    const again = await stripe.paymentIntents.create(orderParams, { idempotencyKey: key });

    expect(first).toMatchObject({
      object: 'payment_intent',
      amount: 2350,
      currency: 'eur',
      status: 'requires_payment_method',
      metadata: { order_id: '1042', shop: 'A' },
      livemode: false,
      last_payment_error: null,
    });
    expect(first.id).toMatch(/^pi_[A-Za-z0-9]+$/);
    expect(first.client_secret).toMatch(new RegExp(`^${first.id}_secret_[A-Za-z0-9]+$`));
    expect(again.id).toBe(first.id);
    expect(again.client_secret).toBe(first.client_secret);
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect([...fake.paymentIntents.values()].filter((pi) => pi.metadata.order_id === '1042')).toHaveLength(1);
    // The request went over the wire form-encoded with Stripe's bracketed keys.
    expect(fake.requests.find((r) => r.idempotencyKey === key)?.body).toEqual({
      amount: '2350',
      currency: 'eur',
      automatic_payment_methods: { enabled: 'true' },
      description: 'Commande A-1042',
      metadata: { order_id: '1042', shop: 'A' },
    });

    const conflict = await stripe.paymentIntents
      .create({ ...orderParams, amount: 2400 }, { idempotencyKey: key })
      .catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(conflict).toMatchObject({ statusCode: 400, type: 'StripeIdempotencyError' });
    expect((conflict as Error).message).toContain('same parameters');
  });

  it('retrieves a PaymentIntent, and answers an unknown id with resource_missing', async () => {
    const created = await stripe.paymentIntents.create(orderParams);
    const retrieved = await stripe.paymentIntents.retrieve(created.id);
    expect(retrieved).toMatchObject({ id: created.id, amount: 2350, status: 'requires_payment_method' });

    const missing = await stripe.paymentIntents.retrieve('pi_doesnotexist').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(missing).toMatchObject({ statusCode: 404, code: 'resource_missing' });
  });

  it('refuses a wrong secret key and the publishable key with 401', async () => {
    const wrongKey = await stripeClient(fake, 'sk_test_wrong0000')
      .paymentIntents.create(orderParams)
      .catch((e: unknown) => e);
    expect(wrongKey).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(wrongKey).toMatchObject({ statusCode: 401 });

    const publishable = await stripeClient(fake, fake.publishableKey)
      .paymentIntents.create(orderParams)
      .catch((e: unknown) => e);
    expect(publishable).toMatchObject({ statusCode: 401, code: 'secret_key_required' });
  });

  it('refuses parameters it does not implement, as Stripe refuses unknown ones', async () => {
    const error = await stripe.paymentIntents
      .create({ ...orderParams, capture_method: 'manual' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ statusCode: 400, code: 'parameter_unknown', param: 'capture_method' });
  });

  it('succeed() delivers a payment_intent.succeeded webhook whose signature verifies', async () => {
    const pi = await stripe.paymentIntents.create(orderParams);
    const driven = fake.succeed(pi.id);
    expect(driven.status).toBe('succeeded');

    const delivery = await fake.nextDelivery((d) => d.event.data.object.id === pi.id);
    expect(delivery.status).toBe(200);
    const sent = receiver.received.find((r) => r.raw.includes(delivery.event.id))!;
    const event = stripe.webhooks.constructEvent(sent.raw, sent.signature, fake.webhookSecret);
    expect(event.type).toBe('payment_intent.succeeded');
    expect(event.data.object).toMatchObject({ id: pi.id, status: 'succeeded', amount_received: 2350 });
    expect(event.api_version).toBe(Stripe.API_VERSION);
    // The signature is bound to the secret and to the exact bytes.
    expect(() => stripe.webhooks.constructEvent(sent.raw, sent.signature, 'whsec_other')).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
    expect(() =>
      stripe.webhooks.constructEvent(
        JSON.stringify(JSON.parse(sent.raw)),
        sent.signature,
        fake.webhookSecret,
      ),
    ).toThrow(Stripe.errors.StripeSignatureVerificationError);

    await expect(stripe.paymentIntents.retrieve(pi.id)).resolves.toMatchObject({ status: 'succeeded' });
  });

  it('a declined card on the browser confirm endpoint answers 402 card_declined and sends payment_failed', async () => {
    const pi = await stripe.paymentIntents.create(orderParams);
    const declined = await confirmFromBrowser(fake, pi, '4000000000000002');
    expect(declined.status).toBe(402);
    expect(declined.cors).toBe('*');
    expect(declined.body.error).toMatchObject({
      type: 'card_error',
      code: 'card_declined',
      decline_code: 'generic_decline',
      message: 'Your card was declined.',
    });

    const delivery = await fake.nextDelivery((d) => d.event.data.object.id === pi.id);
    expect(delivery).toMatchObject({ status: 200, event: { type: 'payment_intent.payment_failed' } });
    const sent = receiver.received.find((r) => r.raw.includes(delivery.event.id))!;
    expect(stripe.webhooks.constructEvent(sent.raw, sent.signature, fake.webhookSecret).type).toBe(
      'payment_intent.payment_failed',
    );

    const after = await stripe.paymentIntents.retrieve(pi.id);
    expect(after.status).toBe('requires_payment_method');
    expect(after.last_payment_error).toMatchObject({
      code: 'card_declined',
      decline_code: 'generic_decline',
    });

    // The customer retries with a good card: the same PaymentIntent succeeds.
    const paid = await confirmFromBrowser(fake, pi, '4242 4242 4242 4242');
    expect(paid).toMatchObject({
      status: 200,
      body: { id: pi.id, status: 'succeeded', last_payment_error: null },
    });
    const second = await fake.nextDelivery((d) => d.event.data.object.id === pi.id);
    expect(second.event.type).toBe('payment_intent.succeeded');
  });

  it('the browser confirm endpoint needs the matching client secret and answers CORS preflights', async () => {
    const pi = await stripe.paymentIntents.create(orderParams);
    const wrong = await confirmFromBrowser(
      fake,
      { id: pi.id, client_secret: `${pi.id}_secret_nope` },
      '4242424242424242',
    );
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ type: 'invalid_request_error', param: 'client_secret' });
    expect(fake.paymentIntents.get(pi.id)?.status).toBe('requires_payment_method');

    const preflight = await fetch(`${fake.url}/v1/payment_intents/${pi.id}/confirm`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://127.0.0.1:1',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
  });

  it('refunds a paid PaymentIntent once per idempotency key, and refuses an unpaid one', async () => {
    const pi = await stripe.paymentIntents.create(orderParams);
    const unpaid = await stripe.refunds.create({ payment_intent: pi.id }).catch((e: unknown) => e);
    expect(unpaid).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(unpaid).toMatchObject({ statusCode: 400 });
    expect((unpaid as Error).message).toContain('does not have a successful charge to refund');

    fake.succeed(pi.id);
    const key = `refund-${pi.id}`;
    const params = { payment_intent: pi.id, amount: 1000, metadata: { order_id: '1042' } };
    const refund = await stripe.refunds.create(params, { idempotencyKey: key });
    const again = await stripe.refunds.create(params, { idempotencyKey: key });
    expect(refund).toMatchObject({
      object: 'refund',
      amount: 1000,
      payment_intent: pi.id,
      status: 'succeeded',
      currency: 'eur',
      metadata: { order_id: '1042' },
    });
    expect(refund.id).toMatch(/^re_/);
    expect(again.id).toBe(refund.id);
    expect(fake.refunds.filter((r) => r.payment_intent === pi.id)).toHaveLength(1);

    const rest = await stripe.refunds.create({ payment_intent: pi.id });
    expect(rest.amount).toBe(1350);
    const tooMuch = await stripe.refunds
      .create({ payment_intent: pi.id, amount: 1 })
      .catch((e: unknown) => e);
    expect(tooMuch).toMatchObject({ statusCode: 400, code: 'charge_already_refunded' });
  });

  it('cancels an unpaid PaymentIntent and refuses to cancel a paid one', async () => {
    const open = await stripe.paymentIntents.create(orderParams);
    const canceled = await stripe.paymentIntents.cancel(open.id, { cancellation_reason: 'abandoned' });
    expect(canceled).toMatchObject({ status: 'canceled', cancellation_reason: 'abandoned' });
    const confirmCanceled = await confirmFromBrowser(fake, open, '4242424242424242');
    expect(confirmCanceled.body.error).toMatchObject({ code: 'payment_intent_unexpected_state' });

    const paid = await stripe.paymentIntents.create(orderParams);
    fake.succeed(paid.id);
    const refused = await stripe.paymentIntents.cancel(paid.id).catch((e: unknown) => e);
    expect(refused).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });
  });

  it('buildEvent + signedHeaders sign events the test posts itself; an old timestamp is refused', async () => {
    const pi = await stripe.paymentIntents.create(orderParams);
    const event = fake.buildEvent(
      'payment_intent.succeeded',
      { ...pi, status: 'succeeded' },
      'evt_replayed1',
    );
    const payload = JSON.stringify(event);
    const fresh = await fetch(receiver.url, {
      method: 'POST',
      headers: fake.signedHeaders(payload),
      body: payload,
    });
    expect(fresh.status).toBe(200);
    const verified = stripe.webhooks.constructEvent(
      payload,
      fake.signedHeaders(payload)['stripe-signature']!,
      fake.webhookSecret,
    );
    expect(verified).toMatchObject({ id: 'evt_replayed1', type: 'payment_intent.succeeded' });

    const stale = await fetch(receiver.url, {
      method: 'POST',
      headers: fake.signedHeaders(payload, { timestamp: Math.floor(Date.now() / 1000) - 600 }),
      body: payload,
    });
    expect(stale.status).toBe(400);
  });
});

describe('parseStripeForm', () => {
  it('reads nested hashes and arrays as Stripe does', () => {
    expect(
      parseStripeForm(
        'amount=5&metadata[order_id]=7&metadata%5Bshop%5D=A&expand[0]=a&expand[1]=b&types[]=card&a[b][c]=d+e',
      ),
    ).toEqual({
      amount: '5',
      metadata: { order_id: '7', shop: 'A' },
      expand: ['a', 'b'],
      types: ['card'],
      a: { b: { c: 'd e' } },
    });
  });
});

describe('fake Stripe.js with the real loadStripe in Chromium', () => {
  let fake: FakeStripe;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let site: Server;
  let siteUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    fake = await startFakeStripe();
    receiver = await startWebhookReceiver(fake.webhookSecret);
    fake.setWebhookUrl(receiver.url);
    // The customer site's stand-in: a page importing @stripe/stripe-js's own build, on another origin.
    const stripeJsModule = await readFile(
      path.join(ROOT_DIR, 'node_modules/@stripe/stripe-js/dist/index.mjs'),
      'utf8',
    );
    const page = `<!doctype html><html><head><meta charset="utf-8"></head><body><div id="pay"></div>
<script type="module">
  import { loadStripe } from '/stripe-js.mjs';
  window.start = async (pk, clientSecret) => {
    const stripe = await loadStripe(pk);
    const elements = stripe.elements({ clientSecret, locale: 'fr' });
    const element = elements.create('payment', { layout: 'tabs' });
    window.changes = [];
    element.on('change', (e) => window.changes.push({ complete: e.complete, empty: e.empty }));
    const ready = new Promise((resolve) => element.on('ready', resolve));
    element.mount('#pay');
    await ready;
    window.pay = async () => {
      const submitted = await elements.submit();
      if (submitted.error) return submitted;
      return stripe.confirmPayment({ elements, redirect: 'if_required', confirmParams: { return_url: location.href } });
    };
    return document.querySelector('script[src^="https://js.stripe.com"]').src;
  };
</script></body></html>`;
    site = createServer((req, res) => {
      if (req.url === '/stripe-js.mjs')
        return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(stripeJsModule);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => site?.close(resolve));
    await fake?.close();
    await receiver?.close();
  });

  it('loadStripe loads it from the routed URL; a declined then a good card confirm through the fake API', async () => {
    const pi = await stripeClient(fake).paymentIntents.create(orderParams);
    const context = await browser.newContext();
    const page = await context.newPage();
    const warnings: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'warning' || m.type() === 'error') warnings.push(m.text());
    });
    const routed: string[] = [];
    await page.route(STRIPE_JS_URL_PATTERN, (route) => {
      routed.push(route.request().url());
      return route.fulfill({ contentType: 'text/javascript', body: fakeStripeJsSource(fake.url) });
    });
    await page.goto(siteUrl);

    const scriptSrc = await page.evaluate<string>(
      `window.start(${JSON.stringify(fake.publishableKey)}, ${JSON.stringify(pi.client_secret)})`,
    );
    expect(scriptSrc).toBe(STRIPE_JS_URL);
    expect(routed).toEqual([STRIPE_JS_URL]);

    const card = page.getByLabel('Numéro de carte (fake Stripe)');
    await expect(card.getAttribute('data-testid')).resolves.toBe('fake-stripe-card');

    const incomplete = await page.evaluate<{ error?: { type: string } }>('window.pay()');
    expect(incomplete.error?.type).toBe('validation_error');

    await card.fill('4000000000000002');
    const declined = await page.evaluate<{ error?: { type: string; code: string; decline_code: string } }>(
      'window.pay()',
    );
    expect(declined.error).toMatchObject({
      type: 'card_error',
      code: 'card_declined',
      decline_code: 'generic_decline',
    });
    await expect(fake.nextDelivery((d) => d.event.data.object.id === pi.id)).resolves.toMatchObject({
      status: 200,
      event: { type: 'payment_intent.payment_failed' },
    });

    await card.fill('4242424242424242');
    const paid = await page.evaluate<{ paymentIntent?: { id: string; status: string } }>('window.pay()');
    expect(paid.paymentIntent).toMatchObject({ id: pi.id, status: 'succeeded' });
    await expect(fake.nextDelivery((d) => d.event.data.object.id === pi.id)).resolves.toMatchObject({
      status: 200,
      event: { type: 'payment_intent.succeeded' },
    });
    expect(await page.evaluate<{ complete: boolean }[]>('window.changes')).toContainEqual({
      complete: true,
      empty: false,
    });

    const retrieved = await page.evaluate<{ paymentIntent?: { status: string } }>(
      `Stripe(${JSON.stringify(fake.publishableKey)}).retrievePaymentIntent(${JSON.stringify(pi.client_secret)})`,
    );
    expect(retrieved.paymentIntent?.status).toBe('succeeded');
    // loadStripe warns when window.Stripe.version is not the release train it expects.
    expect(warnings.filter((w) => w.includes('Stripe.js'))).toEqual([]);
    await context.close();
  });
});

describe('SMTP sink', () => {
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await sink?.close();
  });

  it('receives what nodemailer sends over SMTP, parsed', async () => {
    const transport = nodemailer.createTransport(sink.url);
    const info = await transport.sendMail({
      from: 'OC Pizza <commandes@ocpizza.fr>',
      to: 'camille@example.fr',
      subject: 'Votre commande A-1042 est confirmée',
      text: 'Merci ! Votre pizza arrive vers 19 h 40.',
    });
    expect(info.accepted).toEqual(['camille@example.fr']);

    const mail = await sink.nextMessage((m) => m.subject?.includes('A-1042') ?? false);
    expect(mail.subject).toBe('Votre commande A-1042 est confirmée');
    expect(mail.text?.trim()).toBe('Merci ! Votre pizza arrive vers 19 h 40.');
    expect(mail.from?.value[0]?.address).toBe('commandes@ocpizza.fr');
    expect(sink.messages).toHaveLength(1);
    transport.close();
  });

  it('nextMessage waits for a message that has not arrived yet', async () => {
    const waiting = sink.nextMessage((m) => m.subject === 'later');
    await nodemailer
      .createTransport(sink.url)
      .sendMail({ from: 'a@example.fr', to: 'b@example.fr', subject: 'later', text: 'x' });
    await expect(waiting).resolves.toMatchObject({ subject: 'later' });
  });
});
