import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SmtpSink {
  /** smtp://127.0.0.1:port, for SMTP_URL. */
  url: string;
  /** Every message received, parsed, in arrival order. */
  messages: ParsedMail[];
  /**
   * The first received message matching `predicate` that no earlier call returned, waiting for it
   * if needed: a message that arrived before the call is not missed.
   */
  nextMessage(predicate?: (message: ParsedMail) => boolean): Promise<ParsedMail>;
  close(): Promise<void>;
}

/**
 * A loopback SMTP server that accepts every message (no auth, no TLS) and keeps it parsed, so that
 * tests read what the hub's real mailer (nodemailer) sent over the wire.
 */
export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: ParsedMail[] = [];
  const taken = new Set<ParsedMail>();
  const waiters: {
    predicate: (m: ParsedMail) => boolean;
    resolve: (m: ParsedMail) => void;
    reject: (e: Error) => void;
  }[] = [];

  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    // Without STARTTLS nodemailer sends in clear, as it may to a local relay: no certificate needed.
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 1000,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          messages.push(mail);
          const i = waiters.findIndex((w) => w.predicate(mail));
          if (i >= 0) {
            taken.add(mail);
            waiters.splice(i, 1)[0]!.resolve(mail);
          }
          callback();
        },
        (e: Error) => callback(e),
      );
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;

  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    nextMessage(predicate = () => true) {
      const ready = messages.find((m) => !taken.has(m) && predicate(m));
      if (ready) {
        taken.add(ready);
        return Promise.resolve(ready);
      }
      return new Promise((resolve, reject) => waiters.push({ predicate, resolve, reject }));
    },
    close() {
      for (const w of waiters.splice(0)) w.reject(new Error('SMTP sink closed before the awaited message'));
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
