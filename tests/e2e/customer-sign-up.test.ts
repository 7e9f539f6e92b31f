import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../fakes/smtp-sink.js';
import { launchBrowser, SCREEN, screenshot } from '../helpers/browser.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

/**
 * Signing up on a phone: the site says to check the mailbox (the same for a known address, so it
 * tells nobody who has an account), and the link of the e-mail — read off a loopback SMTP sink
 * the hub's real mailer sent it to — opens the account, logged in.
 */
let hub: TestHub;
let sink: SmtpSink;
let browser: Browser;

beforeAll(async () => {
  sink = await startSmtpSink();
  hub = await startTestHub({ env: { SMTP_URL: sink.url } });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await hub?.close();
  await sink?.close();
});

describe('customer sign-up', () => {
  it('asks to open the e-mail link, and the link opens the account', async () => {
    const context = await browser.newContext({
      viewport: SCREEN.phone,
      locale: 'fr-FR',
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    await page.goto(`${hub.baseUrl}/compte`);
    await page.getByTestId('account-tab-register').click();
    await page.getByTestId('register-name').fill('Maëlle Roux');
    await page.getByTestId('register-email').fill('maelle.roux@example.fr');
    await page.getByTestId('register-password').fill('une-longue-phrase-secrete');
    await page.getByTestId('register-submit').click();
    const pending = page.getByTestId('register-pending');
    await pending.waitFor();
    expect(await pending.textContent()).toContain('maelle.roux@example.fr');
    await screenshot(page, 'customer-sign-up-check-email');

    const mail = await sink.nextMessage((m) => m.subject === 'Activez votre compte OC Pizza');
    const link = /https?:\/\/\S+\/compte\/confirmer\?t=[A-Za-z0-9_-]{43}/.exec(mail.text ?? '')?.[0];
    expect(link, mail.text).toBeDefined();
    // The link names the hub's own origin; the test opens its path on the test hub.
    await page.goto(`${hub.baseUrl}${new URL(link!).pathname}${new URL(link!).search}`);
    await page.getByRole('heading', { name: 'Bonjour Maëlle Roux !' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/compte');
    await screenshot(page, 'customer-sign-up-confirmed');

    // The same link a second time, in another browser: it says so, and what to do.
    const other = await browser.newContext({ viewport: SCREEN.phone, locale: 'fr-FR' });
    const again = await other.newPage();
    await again.goto(`${hub.baseUrl}${new URL(link!).pathname}${new URL(link!).search}`);
    await again.getByTestId('account-error').waitFor();
    expect(await again.getByTestId('account-error').textContent()).toContain('ne fonctionne plus');
    await other.close();
    await context.close();
  });
});
