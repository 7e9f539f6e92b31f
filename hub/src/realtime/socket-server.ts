import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { Server, type Socket } from 'socket.io';
import {
  Command,
  CourierPositionInput,
  HandshakeAuth,
  SubscribeRequest,
  room,
  forCustomer,
  isCustomerRoom,
  roomsForEvent,
  type Ack,
  type AckError,
  type ClientToServerEvents,
  type EventEnvelope,
  type ServerToClientEvents,
  type SubscribeResult,
} from '../contract/index.js';
import { isDatabaseUnavailable, type DatabasePool } from '../adapters/postgres.js';
import { reportError } from '../adapters/sentry.js';
import { databaseUnavailable, type Outage } from '../health/outage.js';
import type { AuthService } from '../auth/auth-service.js';
import { staffActor } from '../auth/auth-service.js';
import { markCouriersSeen, recordPosition } from '../couriers/couriers-repository.js';
import { AppError } from '../errors.js';
import { listShops } from '../menu/menu-repository.js';
import type { DispatchService } from '../dispatch/dispatch-service.js';
import type { OrdersService } from '../orders/orders-service.js';
import { carriesCookie, sameOriginAllowed } from '../http/same-origin.js';
import { isWallScreen, loginExpired, SESSION_ABSOLUTE_MS } from '../http/session-principal.js';
import type { Metrics } from './metrics.js';
import { readAfterCall } from './read-after-call.js';
import { readRelayState } from './relay-state.js';
import { replayEvents } from './replay.js';
import { roomsFor, screenKind, type SocketPrincipal } from './socket-principal.js';

type InterServerEvents = {
  'relay:wake': () => void;
  /** The relay leader's batch, once per batch for all rooms: each node emits it to its own sockets. */
  'relay:events': (events: readonly EventEnvelope[]) => void;
  /** A node changed shops or the menu (back-office): the others drop their cached copies. */
  'menu:changed': () => void;
  /** A node stopping gracefully released the relay's lock: another one may lead at once. */
  'relay:handover': () => void;
};
type SocketData = { principal: SocketPrincipal; lastPositionAt: number };
export type HubSocketServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;
type HubSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export type SocketServerDeps = {
  httpServer: HttpServer;
  logger: Logger;
  db: DatabasePool;
  metrics: Metrics;
  publicUrl: string | undefined;
  sessionCookie: string;
  sessionMiddleware: RequestHandler;
  auth: AuthService;
  orders: OrdersService;
  dispatch: Pick<DispatchService, 'accept' | 'decline' | 'offerWaiting'>;
  /** Dispatch's presence grace: a connected courier is stamped seen three times within it. */
  courierPresenceGraceMs?: number;
  /** False while this node cannot receive every event (its bus subscription is down). */
  busAvailable: () => boolean;
  /** Finds the order behind a tracking token (the customer's credential). */
  orderByToken: (token: string) => Promise<{ id: string; shopId: number } | null>;
  replayLimit?: number;
  /** Minimum time between two courier positions taken into account. */
  positionIntervalMs?: number;
  /** A database outage: acks say service/unavailable, reported once. */
  outage?: Outage;
  /** Open sockets one client address may hold on this node. */
  socketsPerClient?: number;
  /** Behind nginx: the client is the last X-Forwarded-For entry (the one hop we trust). */
  trustProxy?: boolean;
};

const errorOf = (error: unknown): AckError => {
  if (error instanceof AppError) return { code: error.code, message: error.message };
  if (isDatabaseUnavailable(error)) {
    const e = databaseUnavailable();
    return { code: e.code, message: e.message };
  }
  return {
    code: 'internal/unexpected',
    message: 'Something went wrong on our side; the team has been told.',
  };
};

/**
 * The Socket.IO hub: authenticates the handshake, puts each socket in the rooms its principal
 * may see, answers `subscribe` with a replay from PostgreSQL, and runs commands through the same
 * services as REST.
 */
export function createSocketServer(deps: SocketServerDeps): HubSocketServer {
  const { logger, metrics } = deps;
  const replayLimit = deps.replayLimit ?? 1000;
  const positionIntervalMs = deps.positionIntervalMs ?? 2000;

  const io: HubSocketServer = new Server(deps.httpServer, {
    // Websocket only: no long-polling, so no sticky sessions are needed behind nginx.
    transports: ['websocket'],
    serveClient: false,
    maxHttpBufferSize: 32 * 1024,
    pingInterval: 10_000,
    pingTimeout: 5_000,
    // The Origin of the upgrade request is checked like any state-changing HTTP request: a page
    // of another site cannot open a socket riding on a staff member's cookie.
    allowRequest: (req: IncomingMessage, callback) => {
      const ok = sameOriginAllowed({
        origin: req.headers.origin,
        host: req.headers.host,
        protocol: 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http',
        forwardedProto: req.headers['x-forwarded-proto'],
        publicUrl: deps.publicUrl,
        hasSession: carriesCookie(req.headers.cookie, deps.sessionCookie),
      });
      callback(ok ? null : 'request/cross_origin', ok);
    },
  });
  // A handshake without the session cookie (a tracking page, a menu) has no session to load:
  // express-session would still make a new one, id and all, for each of them.
  const sessionIfCookie: RequestHandler = (req, res, next) =>
    carriesCookie(req.headers.cookie, deps.sessionCookie) ? deps.sessionMiddleware(req, res, next) : next();
  io.engine.use(sessionIfCookie);

  // Sockets per client address on this node: each costs ~25 KB and a room's fan-out; one script
  // opening thousands must not starve the shops' screens. Counted from connection to disconnect.
  const socketsPerClient = deps.socketsPerClient ?? 200;
  const openByClient = new Map<string, number>();
  const clientOf = (socket: HubSocket): string => {
    const forwarded = socket.handshake.headers['x-forwarded-for'];
    if (deps.trustProxy && typeof forwarded === 'string') {
      const last = forwarded.split(',').at(-1)?.trim();
      if (last) return last;
    }
    return socket.handshake.address;
  };
  io.use((socket, next) => {
    if ((openByClient.get(clientOf(socket)) ?? 0) < socketsPerClient) return next();
    const err = new Error('request/rate_limited') as Error & { data?: unknown };
    err.data = {
      code: 'request/rate_limited',
      message: `Too many open connections from this address (${socketsPerClient}): close some tabs or screens.`,
    };
    next(err);
  });
  io.on('connection', (socket) => {
    const client = clientOf(socket);
    openByClient.set(client, (openByClient.get(client) ?? 0) + 1);
    socket.on('disconnect', () => {
      const left = (openByClient.get(client) ?? 1) - 1;
      if (left > 0) openByClient.set(client, left);
      else openByClient.delete(client);
    });
  });

  io.use(async (socket, next) => {
    if (!deps.busAvailable()) {
      const err = new Error('service/unavailable');
      (err as Error & { data?: unknown }).data = {
        code: 'service/unavailable',
        message: 'This hub node is reconnecting to its bus: try another one.',
      };
      next(err);
      return;
    }
    try {
      const principal = await authenticate(socket);
      socket.data.principal = principal;
      socket.data.lastPositionAt = 0;
      // Seen before the socket is accepted: once the courier's screen says connected, dispatch
      // already counts them in (see the sweep on connection below).
      if (principal.kind === 'staff' && principal.staff.role === 'courier')
        await markCouriersSeen(deps.db, [principal.staff.id]);
      next();
    } catch (error) {
      const err = new Error(error instanceof AppError ? error.code : 'auth/unauthenticated');
      (err as Error & { data?: unknown }).data = errorOf(error);
      next(err);
    }
  });

  async function authenticate(socket: HubSocket): Promise<SocketPrincipal> {
    const auth = HandshakeAuth.safeParse(socket.handshake.auth ?? {});
    if (!auth.success) throw new AppError('request/invalid', 'The handshake credentials are malformed.');
    const session = (
      socket.request as IncomingMessage & {
        session?: { staffId?: string; startedAt?: number; destroy: (cb: (e?: unknown) => void) => void };
      }
    ).session;
    if (session?.staffId) {
      const staff = await deps.auth.staffById(session.staffId);
      const lifetime =
        staff && isWallScreen(staff.role) ? SESSION_ABSOLUTE_MS.wallScreen : SESSION_ABSOLUTE_MS.staff;
      if (!staff || (await loginExpired(session, lifetime)))
        throw new AppError('auth/unauthenticated', 'Your session has ended: log in again.');
      let shopIds: number[];
      if (staff.role === 'admin') {
        shopIds = auth.data.shopId ? [auth.data.shopId] : (await listShops(deps.db)).map((s) => s.id);
      } else {
        shopIds = staff.shopId === null ? [] : [staff.shopId];
      }
      return { kind: 'staff', staff, shopIds };
    }
    if (auth.data.trackingToken) {
      const order = await deps.orderByToken(auth.data.trackingToken);
      if (!order) throw new AppError('order/not_found', 'No order has this tracking link.');
      return { kind: 'customer', orderId: order.id, shopId: order.shopId };
    }
    if (auth.data.menuShopId) return { kind: 'visitor', menuShopId: auth.data.menuShopId };
    throw new AppError('auth/unauthenticated', 'Log in, or open your order with its tracking link.');
  }

  /** A handler's unexpected failure (a bug, the database gone): logged and reported to Sentry. */
  function unexpected(error: unknown, socket: HubSocket, handler: string, command?: string): void {
    const context = {
      source: 'socket' as const,
      tags: { handler, command, screen: screenKind(socket.data.principal) },
    };
    // The database gone is one outage, reported once, whatever number of screens meet it.
    if (deps.outage && isDatabaseUnavailable(error)) return deps.outage.record(error, context);
    logger.error({ err: error, handler, command }, `${handler} failed`);
    reportError(error, context);
  }

  /**
   * Courier presence (issue 14): offers go only to couriers whose screen is connected, or was
   * within the grace (a phone losing signal in a stairwell stays in). Each node stamps its own
   * connected couriers a third of the grace apart, and once more when a courier's last socket
   * here closes, so the grace runs from the moment they left.
   */
  const couriersHere = new Map<string, number>();
  const stampCouriers = (ids: string[], socket?: HubSocket) =>
    markCouriersSeen(deps.db, ids).catch((error: unknown) => {
      if (socket) unexpected(error, socket, 'courier:presence');
      else if (deps.outage && isDatabaseUnavailable(error)) deps.outage.record(error, { source: 'socket' });
      else logger.error({ err: error }, 'courier presence not stamped');
    });
  const presenceTimer = setInterval(
    () => void stampCouriers([...couriersHere.keys()]),
    Math.floor((deps.courierPresenceGraceMs ?? 60_000) / 3),
  );
  presenceTimer.unref();
  deps.httpServer.on('close', () => clearInterval(presenceTimer));

  io.on('connection', (socket) => {
    const principal = socket.data.principal;
    const kind = screenKind(principal);
    metrics.socketsConnected.inc({ kind });
    socket.on('disconnect', () => metrics.socketsConnected.dec({ kind }));

    if (principal.kind === 'staff' && principal.staff.role === 'courier') {
      const courierId = principal.staff.id;
      couriersHere.set(courierId, (couriersHere.get(courierId) ?? 0) + 1);
      socket.on('disconnect', () => {
        const left = (couriersHere.get(courierId) ?? 1) - 1;
        if (left > 0) couriersHere.set(courierId, left);
        else {
          couriersHere.delete(courierId);
          void stampCouriers([courierId], socket);
        }
      });
      // A ready delivery may have been waiting for somebody to connect: offer it now, not at
      // the next sweep.
      const shopId = principal.staff.shopId;
      if (shopId !== null)
        deps.dispatch
          .offerWaiting(50, shopId)
          .catch((error: unknown) => unexpected(error, socket, 'courier:connect'));
    }

    socket.on('subscribe', async (raw, ack) => {
      if (typeof ack !== 'function') return;
      const request = SubscribeRequest.safeParse(raw);
      if (!request.success) {
        ack({
          ok: false,
          error: { code: 'request/invalid', message: 'subscribe needs { since: a seq >= 0 }.' },
        });
        return;
      }
      try {
        ack({ ok: true, data: await subscribe(socket, request.data.since) });
      } catch (error) {
        if (error instanceof AppError) logger.warn({ err: error }, 'subscribe refused');
        else unexpected(error, socket, 'subscribe');
        ack({ ok: false, error: errorOf(error) });
      }
    });

    socket.on('command', async (raw, ack) => {
      if (typeof ack !== 'function') return;
      const parsed = Command.safeParse(raw);
      if (!parsed.success) {
        metrics.commands.inc({ name: 'invalid', outcome: 'invalid' });
        ack({ ok: false, error: { code: 'request/invalid', message: 'The command is malformed.' } });
        return;
      }
      const command = parsed.data;
      let result: Ack<unknown>;
      try {
        result = await runCommand(socket, command);
      } catch (error) {
        // Outside runCommand's own catch (re-reading the staff member): answered all the same.
        unexpected(error, socket, 'command', command.name);
        result = { ok: false, error: errorOf(error) };
      }
      metrics.commands.inc({ name: command.name, outcome: result.ok ? 'ok' : result.error.code });
      ack(result);
    });

    socket.on('courier:position', async (raw, ack) => {
      if (typeof ack !== 'function') return;
      try {
        ack(await takePosition(socket, raw));
      } catch (error) {
        unexpected(error, socket, 'courier:position');
        ack({ ok: false, error: errorOf(error) });
      }
    });
  });

  // Subscribes share the relay position's read, each getting one started after its join.
  const relayState = readAfterCall(() => readRelayState(deps.db));

  async function subscribe(socket: HubSocket, since: number): Promise<SubscribeResult> {
    if (!deps.busAvailable()) {
      throw new AppError('service/unavailable', 'This hub node is reconnecting to its bus: try another one.');
    }
    const rooms = roomsFor(socket.data.principal);
    // Join first, then read: an event published from now on arrives live, and every event
    // sequenced before the read is in the replay. Overlap is possible, a gap is not.
    await socket.join(rooms);
    const state = await relayState();
    if (since < state.purgedUpTo) {
      metrics.snapshotReloads.inc();
      return { reload: true, reason: 'Your screen is older than the events the hub keeps: reload it.' };
    }
    const events = await replayEvents(deps.db, new Set(rooms), since, state.lastSeq, replayLimit);
    if (!events) {
      metrics.snapshotReloads.inc();
      return { reload: true, reason: 'Too much happened meanwhile: reload the screen.' };
    }
    metrics.eventsReplayed.inc(events.length);
    // A customer's replay is projected like their live events: no staff ids.
    const seen = socket.data.principal.kind === 'customer' ? events.map(forCustomer) : events;
    return { reload: false, rooms, events: seen, upTo: Math.max(state.lastSeq, since) };
  }

  async function runCommand(socket: HubSocket, command: Command): Promise<Ack<unknown>> {
    const principal = socket.data.principal;
    if (principal.kind !== 'staff') {
      return { ok: false, error: { code: 'auth/forbidden', message: 'Only staff send commands.' } };
    }
    // Re-read the staff member: a role change or deactivation applies to open sockets too.
    const staff = await deps.auth.staffById(principal.staff.id);
    if (!staff)
      return { ok: false, error: { code: 'auth/unauthenticated', message: 'Your session has ended.' } };
    const actor = staffActor(staff);
    try {
      switch (command.name) {
        case 'order:transition': {
          const { orderId, ...body } = command.payload;
          return {
            ok: true,
            data: await deps.orders.transition(orderId, body, actor, command.idempotencyKey),
          };
        }
        case 'order:accept_offer':
          return { ok: true, data: await deps.dispatch.accept(command.payload.orderId, actor) };
        case 'order:decline_offer':
          return { ok: true, data: await deps.dispatch.decline(command.payload.orderId, actor) };
        case 'order:assign_courier': {
          const { orderId, courierId } = command.payload;
          return {
            ok: true,
            data: await deps.orders.assignCourier(orderId, courierId, actor, command.idempotencyKey),
          };
        }
      }
    } catch (error) {
      if (!(error instanceof AppError)) unexpected(error, socket, 'command', command.name);
      return { ok: false, error: errorOf(error) };
    }
  }

  async function takePosition(socket: HubSocket, raw: unknown): Promise<Ack<{ accepted: boolean }>> {
    const principal = socket.data.principal;
    if (principal.kind !== 'staff' || principal.staff.role !== 'courier') {
      return { ok: false, error: { code: 'auth/forbidden', message: 'Only couriers share their position.' } };
    }
    const input = CourierPositionInput.safeParse(raw);
    if (!input.success) {
      return {
        ok: false,
        error: { code: 'request/invalid', message: 'A position is { lat, lng, accuracyM? }.' },
      };
    }
    // Throttled per socket: a phone sending every 100 ms costs the hub, not the customer's view.
    const now = Date.now();
    if (now - socket.data.lastPositionAt < positionIntervalMs) return { ok: true, data: { accepted: false } };
    socket.data.lastPositionAt = now;
    try {
      const courierId = principal.staff.id;
      const recorded = await recordPosition(deps.db, courierId, input.data);
      if (!recorded)
        return { ok: false, error: { code: 'courier/not_found', message: 'You are not a courier.' } };
      io.to([room.manager(recorded.shopId), ...recorded.orderIds.map((id) => room.order(id))]).emit(
        'courier:position',
        {
          courierId,
          shopId: recorded.shopId,
          position: { lat: input.data.lat, lng: input.data.lng },
          accuracyM: input.data.accuracyM ?? null,
          at: recorded.at,
        },
      );
      return { ok: true, data: { accepted: true } };
    } catch (error) {
      if (error instanceof AppError) logger.warn({ err: error }, 'courier position refused');
      else unexpected(error, socket, 'courier:position');
      return { ok: false, error: errorOf(error) };
    }
  }

  return io;
}

/**
 * Emits relayed events to their rooms: `io.local` for this node's sockets (each node does it for
 * its own, from one `relay:events` bus message per batch), `io` for every node through the adapter.
 */
export function emitEvents(io: Pick<HubSocketServer['local'], 'to'>, events: readonly EventEnvelope[]): void {
  for (const event of events) {
    const rooms = roomsForEvent(event);
    // Customers' rooms get the order without staff ids; no socket is in both kinds of room.
    const staff = rooms.filter((r) => !isCustomerRoom(r));
    const customers = rooms.filter(isCustomerRoom);
    if (staff.length > 0) io.to(staff).emit('event', event);
    if (customers.length > 0) io.to(customers).emit('event', forCustomer(event));
  }
}
