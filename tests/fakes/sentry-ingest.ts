import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';

/** One item of an envelope: its header (`type`: event, session, client_report…) and payload. */
export type EnvelopeItem = { header: Record<string, unknown> & { type?: string }; payload: unknown };

/** One POST to /api/<project>/envelope/, as received. */
export type Envelope = {
  project: string;
  /** The `sentry_key` of the DSN, from the X-Sentry-Auth header or the query. */
  publicKey: string | undefined;
  header: Record<string, unknown>;
  items: EnvelopeItem[];
  /** The decompressed body, to check what never left the hub (cookies, tokens…). */
  raw: string;
};

/** The parts of an error event the tests look at. */
export type SentryEvent = {
  event_id?: string;
  environment?: string;
  release?: string;
  level?: string;
  message?: string;
  transaction?: string;
  tags?: Record<string, string>;
  exception?: { values?: { type?: string; value?: string }[] };
  request?: {
    url?: string;
    method?: string;
    headers?: Record<string, string>;
    cookies?: unknown;
    data?: unknown;
    query_string?: unknown;
  };
  extra?: Record<string, unknown>;
  user?: Record<string, unknown>;
  breadcrumbs?: unknown;
};

const inflaters: Record<string, (b: Buffer) => Promise<Buffer>> = {
  gzip: promisify(gunzip),
  deflate: promisify(inflate),
  br: promisify(brotliDecompress),
};

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  let body: Buffer = Buffer.concat(chunks);
  const encoding = (req.headers['content-encoding'] ?? '').toLowerCase().trim();
  if (encoding && encoding !== 'identity') {
    const inflater = inflaters[encoding];
    if (!inflater) throw new Error(`unsupported content-encoding ${encoding}`);
    body = await inflater(body);
  }
  return body.toString('utf8');
}

/**
 * Sentry's envelope format: a JSON header line, then for each item a JSON item header line and
 * its payload — `length` bytes when the header says so, else up to the next newline.
 */
export function parseEnvelope(raw: string): { header: Record<string, unknown>; items: EnvelopeItem[] } {
  const bytes = Buffer.from(raw, 'utf8');
  let at = 0;
  const line = (): string | undefined => {
    if (at >= bytes.length) return undefined;
    let end = bytes.indexOf(0x0a, at);
    if (end === -1) end = bytes.length;
    const text = bytes.subarray(at, end).toString('utf8');
    at = end + 1;
    return text;
  };
  const header = JSON.parse(line() ?? '{}') as Record<string, unknown>;
  const items: EnvelopeItem[] = [];
  for (let itemHeaderLine = line(); itemHeaderLine !== undefined; itemHeaderLine = line()) {
    if (itemHeaderLine.trim() === '') continue;
    const itemHeader = JSON.parse(itemHeaderLine) as EnvelopeItem['header'];
    let payloadText: string;
    if (typeof itemHeader.length === 'number') {
      payloadText = bytes.subarray(at, at + itemHeader.length).toString('utf8');
      at += itemHeader.length;
      if (bytes[at] === 0x0a) at += 1;
    } else {
      payloadText = line() ?? '';
    }
    let payload: unknown = payloadText;
    try {
      payload = JSON.parse(payloadText);
    } catch {
      // attachments and the like stay text
    }
    items.push({ header: itemHeader, payload });
  }
  return { header, items };
}

export type SentryIngest = Awaited<ReturnType<typeof startSentryIngest>>;

/**
 * A fake Sentry ingest on loopback: accepts envelopes as sentry.io does (`POST
 * /api/<project>/envelope/`, possibly compressed), keeps them, and lets a test wait for the
 * event it expects (event-driven: resolved as envelopes arrive).
 */
export async function startSentryIngest() {
  const envelopes: Envelope[] = [];
  const waiters = new Set<() => void>();
  const problems: string[] = [];

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://ingest');
    const m = url.pathname.match(/^\/api\/([^/]+)\/envelope\/?$/);
    if (req.method !== 'POST' || !m) {
      res.writeHead(404).end();
      return;
    }
    bodyOf(req).then(
      (raw) => {
        const auth = String(req.headers['x-sentry-auth'] ?? '');
        const publicKey =
          auth.match(/sentry_key=([^,\s]+)/)?.[1] ?? url.searchParams.get('sentry_key') ?? undefined;
        envelopes.push({ project: m[1]!, publicKey, raw, ...parseEnvelope(raw) });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        for (const w of [...waiters]) w();
      },
      (error: unknown) => {
        problems.push(String(error));
        res.writeHead(400).end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  /** Every error event received, with the envelope it came in. */
  const events = () =>
    envelopes.flatMap((envelope) =>
      envelope.items
        .filter((i) => i.header.type === 'event')
        .map((i) => ({ event: i.payload as SentryEvent, envelope })),
    );

  return {
    port,
    /** A DSN pointing at this ingest, project 1. */
    dsn: `http://publickey@127.0.0.1:${port}/1`,
    envelopes,
    events,
    problems,
    /**
     * Resolves with the first event matching `predicate` (now or when it arrives), or null if
     * none came within `giveUpMs` — a guard so a missing event fails with what did arrive.
     */
    waitForEvent(
      predicate: (event: SentryEvent) => boolean,
      giveUpMs: number,
    ): Promise<{ event: SentryEvent; envelope: Envelope } | null> {
      return new Promise((resolve) => {
        const check = () => {
          const hit = events().find((e) => predicate(e.event));
          if (!hit) return;
          done(hit);
        };
        const done = (result: { event: SentryEvent; envelope: Envelope } | null) => {
          clearTimeout(timer);
          waiters.delete(check);
          resolve(result);
        };
        const timer = setTimeout(() => done(null), giveUpMs);
        waiters.add(check);
        check();
      });
    },
    async close(): Promise<void> {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
