import net from 'node:net';

/** The RESP form of a bare PING command, as ioredis writes it. */
const PING = /\*1\r\n\$4\r\nping\r\n/i;

type Link = {
  client: net.Socket;
  upstream: net.Socket;
  /** This connection has sent (P)SUBSCRIBE: it is a Redis subscriber. */
  subscriber: boolean;
  /** Bytes from the client held back (from its first PING on), while `held` is set. */
  held: Buffer[] | null;
};

export type TcpProxy = Awaited<ReturnType<typeof startTcpProxy>>;

/**
 * A loopback TCP proxy in front of a Redis server, to cut one hub node off Redis while the
 * others keep it, and to hold back its subscriber's first PING after it resubscribed: the
 * moment between "subscribed again" and "the node knows it", made as long as a test needs.
 */
export async function startTcpProxy(target: { host: string; port: number }) {
  const links = new Set<Link>();
  let cut = false;
  let holdPing: { onHeld: () => void; onSubscribed: () => void } | null = null;

  const server = net.createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    const link: Link = { client, upstream, subscriber: false, held: null };
    links.add(link);
    const drop = () => {
      links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);

    client.on('data', (chunk: Buffer) => {
      if (link.held) {
        link.held.push(chunk);
        return;
      }
      const text = chunk.toString('latin1');
      if (/subscribe/i.test(text)) link.subscriber = true;
      const ping = link.subscriber && holdPing ? text.search(PING) : -1;
      if (ping >= 0) {
        upstream.write(chunk.subarray(0, ping));
        link.held = [chunk.subarray(ping)];
        holdPing!.onHeld();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      client.write(chunk);
      if (link.subscriber && holdPing && /psubscribe/i.test(chunk.toString('latin1')))
        holdPing.onSubscribed();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    /** Drops every connection through the proxy and refuses new ones: the node loses Redis. */
    cut(): void {
      cut = true;
      for (const l of [...links]) {
        l.client.destroy();
        l.upstream.destroy();
      }
      links.clear();
    },
    /**
     * Lets the node reconnect, holding back its subscriber's first PING. `subscribedAndHeld`
     * resolves once Redis confirmed the resubscription and the PING is held; `release` sends it.
     */
    heal() {
      let held = false;
      let subscribed = false;
      let resolveReady: () => void = () => {};
      const subscribedAndHeld = new Promise<void>((resolve) => (resolveReady = resolve));
      const check = () => {
        if (held && subscribed) resolveReady();
      };
      holdPing = {
        onHeld: () => {
          held = true;
          check();
        },
        onSubscribed: () => {
          subscribed = true;
          check();
        },
      };
      cut = false;
      return {
        subscribedAndHeld,
        release(): void {
          holdPing = null;
          for (const l of links) {
            if (!l.held) continue;
            const chunks = l.held;
            l.held = null;
            for (const c of chunks) l.upstream.write(c);
          }
        },
      };
    },
    async close(): Promise<void> {
      for (const l of [...links]) {
        l.client.destroy();
        l.upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
