import { expect } from 'vitest';
import type { CustomerMe } from '../../hub/src/contract/index.js';
import type { SmtpSink } from '../fakes/smtp-sink.js';
import type { ApiClient } from './api-client.js';

export type SignUp = { name: string; email: string; phone?: string; password: string };

/** The token of the confirmation link in the next sign-up e-mail to `email`. */
export async function confirmationToken(sink: SmtpSink, email: string): Promise<string> {
  const mail = await sink.nextMessage(
    (m) =>
      m.subject === 'Activez votre compte OC Pizza' &&
      (m.to && 'text' in m.to ? m.to.text : '').toLowerCase().includes(email.toLowerCase()),
  );
  const token = /\/compte\/confirmer\?t=([A-Za-z0-9_-]{43})/.exec(mail.text ?? '')?.[1];
  expect(token, mail.text).toBeDefined();
  return token!;
}

/**
 * A customer account as a person makes one: sign up (202), open the link of the e-mail the hub
 * sent through SMTP (here a loopback sink), and be logged in by it. Returns `client`, logged in.
 */
export async function signUp(client: ApiClient, sink: SmtpSink, body: SignUp): Promise<CustomerMe> {
  const pending = await client.post('/api/customers', body);
  expect(pending.status).toBe(202);
  const token = await confirmationToken(sink, body.email);
  const verified = await client.post<CustomerMe>('/api/customers/verify', { token });
  expect(verified.status).toBe(200);
  return verified.body;
}
