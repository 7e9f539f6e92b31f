import { z } from 'zod';
import { ErrorCode } from './errors.js';
import { EventEnvelope } from './events.js';
import { OrderStatus } from './enums.js';
import { IdempotencyKey } from './orders.js';
import { Position } from './shops.js';

/** Ack of every client command: `{ ok: true, data } | { ok: false, error: { code, message } }`. */
export const AckError = z.object({ code: ErrorCode, message: z.string() });
export type AckError = z.infer<typeof AckError>;
export type Ack<T> = { ok: true; data: T } | { ok: false; error: AckError };

/** Sent once connected, after loading a snapshot if needed: "I have applied everything up to `since`". */
export const SubscribeRequest = z.strictObject({ since: z.number().int().nonnegative() });
export type SubscribeRequest = z.infer<typeof SubscribeRequest>;

export const SubscribeResult = z.discriminatedUnion('reload', [
  z.object({
    reload: z.literal(false),
    /** The rooms the server put this socket in (for display and debugging only). */
    rooms: z.array(z.string()),
    /** Events after `since` for these rooms, in `seq` order. */
    events: z.array(EventEnvelope),
    /** The replay covers every event up to this seq; later ones arrive live. */
    upTo: z.number().int().nonnegative(),
  }),
  /** `since` is older than what the hub keeps, or too far behind: load the snapshot again. */
  z.object({ reload: z.literal(true), reason: z.string() }),
]);
export type SubscribeResult = z.infer<typeof SubscribeResult>;

export const TransitionCommand = z.strictObject({
  name: z.literal('order:transition'),
  idempotencyKey: IdempotencyKey,
  payload: z.strictObject({
    orderId: z.uuid(),
    to: OrderStatus,
    reason: z.string().trim().min(1).max(300).optional(),
    expectedVersion: z.number().int().positive().optional(),
    collected: z.enum(['cash', 'card']).optional(),
  }),
});
export const AssignCourierCommand = z.strictObject({
  name: z.literal('order:assign_courier'),
  idempotencyKey: IdempotencyKey,
  payload: z.strictObject({ orderId: z.uuid(), courierId: z.uuid() }),
});
export const OfferAnswerCommand = z.strictObject({
  name: z.enum(['order:accept_offer', 'order:decline_offer']),
  idempotencyKey: IdempotencyKey,
  payload: z.strictObject({ orderId: z.uuid() }),
});
export const Command = z.union([TransitionCommand, AssignCourierCommand, OfferAnswerCommand]);
export type Command = z.infer<typeof Command>;

export const CourierPositionInput = z.strictObject({
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
  accuracyM: z.number().nonnegative().max(10_000).optional(),
});
export type CourierPositionInput = z.infer<typeof CourierPositionInput>;

/** Ephemeral: not in the outbox, not replayed; the last one is kept in PostgreSQL. */
export const CourierPosition = z.object({
  courierId: z.uuid(),
  shopId: z.number().int(),
  position: Position,
  accuracyM: z.number().nullable(),
  at: z.string(),
});
export type CourierPosition = z.infer<typeof CourierPosition>;

/** Why the server asks a client to resubscribe from its last seq (e.g. the bus reconnected). */
export const ResyncNotice = z.object({ reason: z.string() });
export type ResyncNotice = z.infer<typeof ResyncNotice>;

/** Socket.IO event maps, for typed servers and clients. */
export type ServerToClientEvents = {
  event: (event: EventEnvelope) => void;
  resync: (notice: ResyncNotice) => void;
  'courier:position': (position: CourierPosition) => void;
};
export type ClientToServerEvents = {
  subscribe: (request: unknown, ack: (result: Ack<SubscribeResult>) => void) => void;
  command: (command: unknown, ack: (result: Ack<unknown>) => void) => void;
  'courier:position': (position: unknown, ack: (result: Ack<{ accepted: boolean }>) => void) => void;
};

/**
 * What a client may present at the handshake (`auth` of socket.io). Staff are known by their
 * session cookie; customers by their order's tracking token; anyone may follow a shop's menu.
 */
export const HandshakeAuth = z.object({
  trackingToken: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/)
    .optional(),
  /** The shop whose public menu availability an anonymous visitor follows. */
  menuShopId: z.number().int().positive().optional(),
  /** For admins (all shops): the shop to follow. */
  shopId: z.number().int().positive().optional(),
});
export type HandshakeAuth = z.infer<typeof HandshakeAuth>;
