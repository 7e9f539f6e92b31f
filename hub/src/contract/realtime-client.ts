import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { z } from 'zod';
import { EventEnvelope } from './events.js';
import {
  AckError,
  CourierPosition,
  type Ack,
  type ClientToServerEvents,
  type Command,
  type CourierPositionInput,
  type HandshakeAuth,
  type ServerToClientEvents,
} from './realtime.js';

/**
 * The one real-time client every front end uses (DESIGN.md section 4): snapshot, subscribe from
 * its seq, replay then live, resume after any disconnect from the last applied seq, on whichever
 * hub node answers. Framework-agnostic: screens wrap it in their own reactive store.
 */

export type LinkState =
  | { status: 'live'; since: string }
  | { status: 'reconnecting'; since: string }
  | { status: 'stale'; since: string };

export type RealtimeSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type RealtimeSocketOptions = Partial<ManagerOptions & SocketOptions>;

export type RealtimeClientOptions<S> = {
  /** Hub base URLs tried in turn: a browser passes `[location.origin]`. */
  urls: string[];
  path?: string;
  auth?: HandshakeAuth;
  /**
   * Node clients only (browsers ignore them on websockets): `cookie`, `origin`. A function gets
   * the URL being tried, so each hub node can be sent its own Origin.
   */
  extraHeaders?: Record<string, string> | ((url: string) => Record<string, string>);
  withCredentials?: boolean;
  /** Loads the screen's snapshot over REST, with the seq it reflects. */
  loadSnapshot: () => Promise<{ state: S; seq: number }>;
  /** Pure reducer. */
  apply: (state: S, event: EventEnvelope) => S;
  /** `event` is null when the state was replaced by a snapshot. */
  onChange?: (state: S, event: EventEnvelope | null) => void;
  onLink?: (link: LinkState) => void;
  staleAfterMs?: number;
  ackTimeoutMs?: number;
  reconnectDelayMs?: (attempt: number) => number;
  now?: () => Date;
  createSocket?: (url: string, options: RealtimeSocketOptions) => RealtimeSocket;
};

export type RealtimeClient<S> = {
  /** Resolves once the client is first live (or when stopped before that). */
  start(): Promise<void>;
  stop(): void;
  state(): S | undefined;
  lastSeq(): number;
  link(): LinkState;
  /** Never retried here: the caller keeps the idempotencyKey and decides to retry. */
  command<T = unknown>(cmd: Command): Promise<Ack<T>>;
  sendPosition(position: CourierPositionInput): Promise<Ack<{ accepted: boolean }>>;
  /** Returns the function that removes the listener. */
  on(event: 'courier:position', listener: (position: CourierPosition) => void): () => void;
};

/** 200 ms · 2^attempt capped at 5 s, with "equal jitter" so a restarted hub is not hit all at once. */
export function defaultReconnectDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(5000, 200 * 2 ** Math.max(0, attempt));
  return base / 2 + random() * (base / 2);
}

/**
 * The replay is checked loosely on purpose: one event this client cannot parse (e.g. a type added
 * to the hub after this build) is dropped like an invalid live event, instead of failing the whole
 * subscribe and sending the screen into an endless reconnect loop.
 */
const ReplayResult = z.discriminatedUnion('reload', [
  z.object({
    reload: z.literal(false),
    rooms: z.array(z.string()).optional(),
    events: z.array(z.unknown()),
    upTo: z.number().int().nonnegative(),
  }),
  z.object({ reload: z.literal(true), reason: z.string().optional() }),
]);

const AckShape = z.union([
  z.object({ ok: z.literal(true), data: z.unknown() }),
  z.object({ ok: z.literal(false), error: AckError }),
]);

const unavailable = (message: string): { ok: false; error: AckError } => ({
  ok: false,
  error: { code: 'service/unavailable', message },
});

/** A callback that throws must not break the state machine; rethrown later so it is still seen. */
function safely<A extends unknown[]>(fn: ((...args: A) => void) | undefined, ...args: A): void {
  if (!fn) return;
  try {
    fn(...args);
  } catch (error) {
    setTimeout(() => {
      throw error;
    }, 0);
  }
}

export function createRealtimeClient<S>(options: RealtimeClientOptions<S>): RealtimeClient<S> {
  if (options.urls.length === 0) throw new Error('createRealtimeClient: at least one URL is needed');
  const urls = [...options.urls];
  const staleAfterMs = options.staleAfterMs ?? 10_000;
  const ackTimeoutMs = options.ackTimeoutMs ?? 5_000;
  const reconnectDelayMs = options.reconnectDelayMs ?? ((attempt: number) => defaultReconnectDelay(attempt));
  const now = options.now ?? (() => new Date());
  const createSocket =
    options.createSocket ?? ((url: string, opts: RealtimeSocketOptions) => io(url, opts) as RealtimeSocket);

  let state: S | undefined;
  let seq = 0;
  /** Highest version applied per order since the last snapshot. */
  let versions = new Map<string, number>();
  let reloadPending = false;

  let started = false;
  let stopped = false;
  let link: LinkState = { status: 'reconnecting', since: now().toISOString() };

  /** The socket of the current attempt; every async continuation checks it is still this one. */
  let current: RealtimeSocket | null = null;
  let urlIndex = 0;
  let attempt = 0;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  let staleTimer: ReturnType<typeof setTimeout> | undefined;

  /** True from 'connect' until the subscribe's replay is applied: live events wait in `buffer`. */
  let subscribing = false;
  let buffer: EventEnvelope[] = [];
  /** A 'resync' that came while a subscribe was in flight: subscribe once more after it. */
  let resubscribeRequested = false;

  const pendingAcks = new Set<(ack: { ok: false; error: AckError }) => void>();
  const positionListeners = new Set<(position: CourierPosition) => void>();

  let resolveStarted: () => void = () => {};
  const startedPromise = new Promise<void>((resolve) => {
    resolveStarted = resolve;
  });

  function setLink(next: LinkState): void {
    link = next;
    safely(options.onLink, next);
  }

  function clearStaleTimer(): void {
    if (staleTimer !== undefined) clearTimeout(staleTimer);
    staleTimer = undefined;
  }

  function armStaleTimer(): void {
    clearStaleTimer();
    staleTimer = setTimeout(() => {
      staleTimer = undefined;
      // `since` stays the moment the link was lost: screens show "stale since" that time.
      if (!stopped && link.status === 'reconnecting') setLink({ status: 'stale', since: link.since });
    }, staleAfterMs);
  }

  /** Applies one event unless it is a duplicate (seq) or an old version of its order. */
  function ingest(event: EventEnvelope): void {
    if (state === undefined || event.seq <= seq) return;
    // The seq is consumed even when the version guard drops the event: it has been seen, and
    // resuming from before it would only bring it back to be dropped again.
    seq = event.seq;
    if (event.orderId !== undefined && event.version !== undefined) {
      const held = versions.get(event.orderId);
      if (held !== undefined && event.version <= held) return;
      versions.set(event.orderId, event.version);
    }
    state = options.apply(state, event);
    safely(options.onChange, state, event);
  }

  function onLiveEvent(socket: RealtimeSocket, raw: unknown): void {
    if (socket !== current) return;
    const parsed = EventEnvelope.safeParse(raw);
    if (!parsed.success) return;
    if (subscribing || state === undefined) buffer.push(parsed.data);
    else ingest(parsed.data);
  }

  function emitSubscribe(socket: RealtimeSocket, since: number): Promise<z.infer<typeof ReplayResult>> {
    return new Promise((resolve, reject) => {
      socket.timeout(ackTimeoutMs).emit('subscribe', { since }, (err: Error | null, ack: unknown) => {
        if (err) return reject(err);
        const shape = AckShape.safeParse(ack);
        if (!shape.success) return reject(new Error('malformed subscribe ack'));
        if (!shape.data.ok) return reject(new Error(`subscribe refused: ${shape.data.error.code}`));
        const result = ReplayResult.safeParse(shape.data.data);
        if (!result.success) return reject(new Error('malformed subscribe result'));
        resolve(result.data);
      });
    });
  }

  /**
   * Snapshot if needed, subscribe, apply the replay then what arrived meanwhile. Runs once per
   * connect and once per 'resync'; only one runs at a time per socket.
   */
  async function synchronise(socket: RealtimeSocket): Promise<void> {
    if (subscribing) {
      resubscribeRequested = true;
      return;
    }
    subscribing = true;
    try {
      for (;;) {
        resubscribeRequested = false;
        if (state === undefined || reloadPending) {
          const snapshot = await options.loadSnapshot();
          // A snapshot loaded for a dead socket is dropped: the next attempt loads its own, and
          // committing this one late could rewind a state the next attempt has moved forward.
          if (socket !== current) return;
          state = snapshot.state;
          seq = snapshot.seq;
          versions = new Map();
          reloadPending = false;
          safely(options.onChange, state, null);
        }
        const result = await emitSubscribe(socket, seq);
        if (socket !== current) return;
        if (result.reload) {
          reloadPending = true;
          continue;
        }
        const replay: EventEnvelope[] = [];
        for (const raw of result.events) {
          const parsed = EventEnvelope.safeParse(raw);
          if (parsed.success) replay.push(parsed.data);
        }
        // Replay first, then what arrived live during the subscribe; a stable sort by seq keeps
        // that order and `ingest` drops the overlap (seq <= last applied).
        const batch = [...replay, ...buffer].sort((a, b) => a.seq - b.seq);
        buffer = [];
        for (const event of batch) ingest(event);
        // The replay held every event of this screen's rooms up to `upTo`: resuming from there
        // keeps the next replay short for a quiet screen, and its seq ahead of the purge horizon.
        if (state !== undefined && result.upTo > seq) seq = result.upTo;
        if (!resubscribeRequested) break;
      }
      subscribing = false;
      attempt = 0;
      clearStaleTimer();
      if (link.status !== 'live') setLink({ status: 'live', since: now().toISOString() });
      resolveStarted();
    } catch (_error) {
      fail(socket);
    }
  }

  function detach(socket: RealtimeSocket): void {
    socket.off();
    socket.disconnect();
  }

  /** Any failure of the current socket: drop it, try the next URL after a backoff delay. */
  function fail(socket: RealtimeSocket): void {
    if (stopped || socket !== current) return;
    current = null;
    detach(socket);
    subscribing = false;
    buffer = [];
    resubscribeRequested = false;
    if (link.status === 'live') {
      setLink({ status: 'reconnecting', since: now().toISOString() });
      armStaleTimer();
    }
    urlIndex = (urlIndex + 1) % urls.length;
    const delay = reconnectDelayMs(attempt);
    attempt += 1;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      connect();
    }, delay);
  }

  function connect(): void {
    if (stopped) return;
    const url = urls[urlIndex] ?? urls[0]!;
    const socketOptions: RealtimeSocketOptions = {
      path: options.path ?? '/socket.io',
      transports: ['websocket'],
      // This client reconnects by itself: it must rotate URLs and resubscribe from its own seq.
      reconnection: false,
      forceNew: true,
      auth: options.auth ?? {},
    };
    // Set only when given: engine.io merges options with Object.assign, so an explicit undefined
    // would override its defaults.
    if (options.extraHeaders) {
      socketOptions.extraHeaders =
        typeof options.extraHeaders === 'function' ? options.extraHeaders(url) : options.extraHeaders;
    }
    if (options.withCredentials !== undefined) socketOptions.withCredentials = options.withCredentials;
    const socket = createSocket(url, socketOptions);
    current = socket;
    socket.on('connect', () => {
      if (socket === current) void synchronise(socket);
    });
    socket.on('connect_error', () => fail(socket));
    socket.on('disconnect', () => fail(socket));
    socket.on('event', (raw) => onLiveEvent(socket, raw));
    socket.on('resync', () => {
      if (socket === current && socket.connected) void synchronise(socket);
    });
    socket.on('courier:position', (raw) => {
      if (socket !== current) return;
      const parsed = CourierPosition.safeParse(raw);
      if (!parsed.success) return;
      for (const listener of positionListeners) safely(listener, parsed.data);
    });
  }

  function emitWithAck<T>(name: 'command' | 'courier:position', payload: unknown): Promise<Ack<T>> {
    const socket = current;
    if (stopped || !socket || !socket.connected) {
      return Promise.resolve(unavailable('not connected to the hub'));
    }
    return new Promise<Ack<T>>((resolve) => {
      let settled = false;
      const settle = (ack: Ack<T>) => {
        if (settled) return;
        settled = true;
        pendingAcks.delete(settle);
        resolve(ack);
      };
      pendingAcks.add(settle);
      socket.timeout(ackTimeoutMs).emit(name, payload, (err: Error | null, raw: unknown) => {
        // A timeout or a disconnect leaves it unknown whether the hub applied the command: the
        // caller retries with the same idempotencyKey, which the hub applies at most once.
        if (err) return settle(unavailable(`no answer from the hub: ${err.message}`));
        const shape = AckShape.safeParse(raw);
        if (!shape.success) {
          return settle({ ok: false, error: { code: 'internal/unexpected', message: 'malformed ack' } });
        }
        settle(shape.data as Ack<T>);
      });
    });
  }

  return {
    start() {
      if (stopped) return Promise.reject(new Error('this realtime client was stopped'));
      if (!started) {
        started = true;
        setLink({ status: 'reconnecting', since: now().toISOString() });
        armStaleTimer();
        connect();
      }
      return startedPromise;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (reconnectTimer !== undefined) clearTimeout(reconnectTimer);
      reconnectTimer = undefined;
      clearStaleTimer();
      const socket = current;
      current = null;
      if (socket) detach(socket);
      for (const settle of [...pendingAcks]) settle(unavailable('the realtime client was stopped'));
      resolveStarted();
    },
    state: () => state,
    lastSeq: () => seq,
    link: () => link,
    command: <T = unknown>(cmd: Command) => emitWithAck<T>('command', cmd),
    sendPosition: (position) => emitWithAck<{ accepted: boolean }>('courier:position', position),
    on(_event, listener) {
      positionListeners.add(listener);
      return () => {
        positionListeners.delete(listener);
      };
    },
  };
}
