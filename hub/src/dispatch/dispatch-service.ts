import type { Order } from '../contract/index.js';
import type { DatabasePool, DatabaseTransactionConnection } from '../adapters/postgres.js';
import type { Actor } from '../domain/actor.js';
import { chooseCourier } from '../domain/dispatch.js';
import { appError } from '../errors.js';
import { appendOrderEvent } from '../orders/order-events.js';
import { toOrder } from '../orders/order-views.js';
import { findOrder, lockOrder, updateOrder } from '../orders/orders-repository.js';
import type { OutboxOptions } from '../outbox/outbox-repository.js';
import {
  closeOffer,
  dispatchContext,
  lockAwaitingCourier,
  lockExpiredOffers,
  offerExpiredFor,
  recordOffer,
} from './dispatch-repository.js';

export type DispatchService = ReturnType<typeof createDispatchService>;

/**
 * Offers ready deliveries to couriers, one at a time (DESIGN.md section 3). The standing offer
 * is part of the order (it bumps its version and every screen sees it); a courier accepts or
 * declines, and an offer left unanswered expires and goes to the next courier.
 */
export function createDispatchService(deps: {
  db: DatabasePool;
  onCommitted?: () => void;
  outbox?: OutboxOptions;
  /** A courier seen (screen connected) this recently gets offers; default one minute. */
  presenceGraceMs?: number;
}) {
  const { db } = deps;
  const presenceGraceMs = deps.presenceGraceMs ?? 60_000;
  async function transact<T>(fn: (tx: DatabaseTransactionConnection) => Promise<T>): Promise<T> {
    const result = await db.transaction(fn);
    deps.onCommitted?.();
    return result;
  }

  /**
   * Offers the order to the best courier, in the caller's transaction. `previous`: the courier
   * whose offer just ended, who must hear the order is no longer theirs to take.
   */
  async function offerNext(tx: DatabaseTransactionConnection, orderId: string, previous: string | null) {
    const ctx = await dispatchContext(tx, orderId, presenceGraceMs);
    if (!ctx || !ctx.order.ready) return;
    const choice = chooseCourier({
      order: {
        id: orderId,
        shopId: ctx.order.shopId,
        position: ctx.order.position,
        readyAt: new Date(ctx.order.readyAt),
      },
      shopPosition: ctx.order.shopPosition,
      couriers: ctx.couriers,
      carried: ctx.carried.map((c) => ({ ...c, readyAt: new Date(c.readyAt) })),
      skip: ctx.skip,
      settings: {
        batchRadiusM: ctx.order.batchRadiusM,
        batchWindowMs: ctx.order.batchWindowMinutes * 60_000,
      },
    });
    if (!choice) {
      if (previous === null) return; // nothing changed: still waiting for a courier
      await updateOrder(tx, orderId, { offer: null });
      await appendOrderEvent(
        tx,
        'order.offer_changed',
        orderId,
        { previousCourierId: previous, reason: null },
        deps.outbox,
      );
      return;
    }
    await recordOffer(tx, { orderId, courierId: choice.courierId, seconds: ctx.order.offerSeconds });
    await updateOrder(tx, orderId, {
      offer: { courierId: choice.courierId, seconds: ctx.order.offerSeconds },
    });
    await appendOrderEvent(
      tx,
      'order.offer_changed',
      orderId,
      { previousCourierId: previous, reason: choice.reason },
      deps.outbox,
    );
  }

  async function answer(orderId: string, actor: Actor, accept: boolean): Promise<Order> {
    if (actor.kind !== 'staff' || actor.role !== 'courier') {
      throw appError('auth/forbidden', 'Only couriers answer delivery offers.');
    }
    await transact(async (tx) => {
      const order = await lockOrder(tx, orderId);
      if (!order || order.shopId !== actor.shopId)
        throw appError('order/not_found', `There is no order ${orderId}.`);
      // Past its time the offer is somebody else's to take (or about to be): accepting it late
      // would have two couriers driving to the shop for one order.
      const expired =
        order.offeredCourierId === actor.staffId
          ? order.offerExpired
          : await offerExpiredFor(tx, orderId, actor.staffId);
      if (expired) {
        throw appError('order/offer_expired', 'This offer has expired: it goes to another courier.');
      }
      if (order.offeredCourierId !== actor.staffId) {
        throw appError('order/transition_not_allowed', 'This delivery is not offered to you (any more).');
      }
      await closeOffer(tx, orderId, accept ? 'accepted' : 'declined');
      if (accept) {
        await updateOrder(tx, orderId, { courierId: actor.staffId, offer: null });
        await appendOrderEvent(
          tx,
          'order.courier_assigned',
          orderId,
          { previousCourierId: null, via: 'offer' },
          deps.outbox,
        );
      } else {
        // One change, one event: the next offer, or none if nobody else can take it.
        await offerNext(tx, orderId, actor.staffId);
      }
    });
    const row = await findOrder(db, orderId);
    if (!row) throw appError('order/not_found', `There is no order ${orderId}.`);
    return toOrder(row);
  }

  return {
    offerNext,
    accept: (orderId: string, actor: Actor) => answer(orderId, actor, true),
    decline: (orderId: string, actor: Actor) => answer(orderId, actor, false),

    expireOffers,
    offerWaiting,
    /** Both sweeps: offers left unanswered move on; ready deliveries waiting get another try. */
    async tick(limit = 50): Promise<number> {
      return (await expireOffers(limit)) + (await offerWaiting(limit));
    },
  };

  /** Offers left unanswered go to the next courier (or none, and the order waits). */
  async function expireOffers(limit = 50): Promise<number> {
    return transact(async (tx) => {
      const expired = await lockExpiredOffers(tx, limit);
      for (const id of expired) {
        const order = await lockOrder(tx, id);
        await closeOffer(tx, id, 'expired');
        await offerNext(tx, id, order?.offeredCourierId ?? null);
      }
      return expired.length;
    });
  }

  /**
   * Ready deliveries nobody is offered get another try: a courier came free or connected.
   * `shopId`: only that shop's (its courier just connected). Returns the offers made.
   */
  async function offerWaiting(limit = 50, shopId?: number): Promise<number> {
    return transact(async (tx) => {
      let offered = 0;
      for (const id of await lockAwaitingCourier(tx, limit, shopId)) {
        await offerNext(tx, id, null);
        if ((await findOrder(tx, id))?.offer) offered += 1;
      }
      return offered;
    });
  }
}
