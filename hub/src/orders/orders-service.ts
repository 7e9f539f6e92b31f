import type {
  CreateOrderBody,
  Shop,
  ShopClosedDetails,
  CreatedOrder,
  ModifyOrderBody,
  Order,
  OrderPromise,
  OrderStatus,
  Position,
  TrackedOrder,
  TransitionBody,
} from '../contract/index.js';
import type { DatabasePool, DatabaseTransactionConnection } from '../adapters/postgres.js';
import { actorRef, worksAt, type Actor } from '../domain/actor.js';
import {
  CUSTOMER_EDITABLE_STATUSES,
  decideTransition,
  initialStatus,
  isCustomerEditable,
  type OrderFacts,
} from '../domain/lifecycle.js';
import { paymentDueAtHandover, type Collected } from '../domain/payment-collection.js';
import { PAYMENT_WINDOW_MS } from '../domain/payment-expiry.js';
import { priceOrder } from '../domain/pricing.js';
import { promisedTimeProblem } from '../domain/promised-time.js';
import { decideOrderTime, isOpenAtSoon, timeSlots } from '../domain/opening-hours.js';
import { isoWithParisOffset } from '../domain/paris-time.js';
import {
  ingredientsNeeded,
  planConsumption,
  planOrderWaste,
  planRelease,
  planReservation,
  stockEffectOf,
  type PlannedMovement,
} from '../domain/stock.js';
import type { DeliveryService } from '../delivery/delivery-service.js';
import { closeOffer } from '../dispatch/dispatch-repository.js';
import type { DispatchService } from '../dispatch/dispatch-service.js';
import { appError } from '../errors.js';
import type { MenuCache } from '../menu/menu-cache.js';
import type { ProductRow } from '../menu/menu-repository.js';
import { appendEvent, type OutboxOptions } from '../outbox/outbox-repository.js';
import { requestRefund } from '../payments/payments-repository.js';
import {
  applyMovements,
  levelsShortAtCommit,
  orderHoldings,
  reserveStock,
  type StockRow,
} from '../stock/stock-repository.js';
import {
  claimCommand,
  recordCollectedPayment,
  findOrder,
  findCustomerOrders,
  findOrderByTokenHash,
  lockExpiredUnpaid,
  lockOrder,
  lockOrderByTokenHash,
  recordStatus,
  replaceLines,
  updateOrder,
  type LockedOrder,
  type NewLine,
  type OrderRow,
} from './orders-repository.js';
import {
  appendOrderEvent as appendEventOfOrder,
  allWritten,
  forgetWritten,
  insertOrderWithEvent,
  lastWritten,
  modifyPromisedAtByToken,
} from './order-events.js';
import { hashTrackingToken } from './tracking-token.js';
import { toOrder, toTracked } from './order-views.js';

export type Clock = { now: () => Date };
export type OrdersService = ReturnType<typeof createOrdersService>;

type Deps = {
  db: DatabasePool;
  clock: Clock;
  /** Shops and products, cached (menu/menu-cache.ts). */
  menu: Pick<MenuCache, 'shop' | 'shops' | 'products'>;
  newTrackingToken: () => string;
  /** Where customers open their tracking page; the token is appended. */
  trackingUrl: (token: string) => string;
  /** Called after each commit that appended events: wakes the relay without a NOTIFY. */
  onCommitted?: () => void;
  /** The orders a commit changed, as its events carry them (this node's kitchen queues). */
  onOrdersCommitted?: (orders: readonly OrderRow[]) => void;
  /** Benchmark only (config.benchDisableOutbox): events are not written. */
  outbox?: OutboxOptions;
  /** Offers ready deliveries to couriers, in the transaction of the move to `ready`. */
  dispatch?: Pick<DispatchService, 'offerNext'>;
  /** Geocoding and the delivery zone (outside any transaction: it may call Google). */
  delivery: Pick<DeliveryService, 'requireDeliverable'>;
  /** Called after a commit that recorded a refund to make (a paid order was cancelled). */
  onRefundRequested?: () => void;
  /** Sends the order confirmation with the tracking link (after the commit; never blocks it). */
  confirmations?: { orderCreated: (order: Order, shopName: string, trackingUrl: string) => void };
  /** The one promised time of a new order (eta/eta-service.ts), computed once at placing. */
  promises: {
    promiseFor: (order: {
      shop: Shop;
      mode: Order['mode'];
      requestedAt: string | null;
      lines: ReadonlyArray<{ productId: number; quantity: number }>;
      destination: Position | null;
    }) => Promise<OrderPromise>;
  };
  couriers: {
    isCourierOfShop: (
      tx: DatabaseTransactionConnection,
      courierId: string,
      shopId: number,
    ) => Promise<boolean>;
  };
};

const STAFF_CHANNELS = new Set(['phone', 'counter']);

const parisWhen = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Paris',
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  hour: '2-digit',
  minute: '2-digit',
});

/** How many times a `shop/closed` answer offers instead. */
const NEXT_SLOTS = 6;

/** Work a transaction leaves for after its commit. */
export type Effects = { refund: boolean };

export function createOrdersService(deps: Deps) {
  const { db, clock } = deps;
  // Side effects stay out of the transaction callback: slonik retries it on serialization errors.
  // What the callback asks for after the commit is collected per attempt and acted on once.
  async function transact<T>(
    fn: (tx: DatabaseTransactionConnection, effects: Effects) => Promise<T>,
  ): Promise<T> {
    let effects: Effects = { refund: false };
    let committed: DatabaseTransactionConnection | undefined;
    const result = await db.transaction((tx) => {
      effects = { refund: false };
      committed = tx;
      forgetWritten(tx);
      return fn(tx, effects);
    });
    deps.onCommitted?.();
    if (committed) deps.onOrdersCommitted?.(allWritten(committed));
    if (effects.refund) deps.onRefundRequested?.();
    return result;
  }

  async function priceLines(
    lines: CreateOrderBody['lines'],
  ): Promise<{ lines: NewLine[]; products: ProductRow[] }> {
    const ids = [...new Set(lines.map((l) => l.productId))];
    const products = await deps.menu.products(ids);
    const byId = new Map(products.filter((p) => p.active).map((p) => [p.id, p]));
    const unknown = ids.filter((id) => !byId.has(id));
    if (unknown.length > 0) {
      throw appError('menu/product_unknown', `Product ${unknown.join(', ')} is not on the menu.`, {
        productIds: unknown,
      });
    }
    // Prices come from the menu at the time of ordering, never from the client.
    return {
      products,
      lines: lines.map((l) => {
        const p = byId.get(l.productId)!;
        return {
          productId: p.id,
          productName: p.name,
          quantity: l.quantity,
          unitPriceCents: p.priceCents,
          vatRateBp: p.vatRateBp,
          notes: l.notes ?? null,
        };
      }),
    };
  }

  /** What `lines` need of the shop's stock, by ingredient. */
  function needsOf(lines: readonly NewLine[], products: readonly ProductRow[]) {
    return ingredientsNeeded(lines, new Map(products.map((p) => [p.id, p.recipe])));
  }

  /** `stock/insufficient` naming the pizzas of `lines` that do not fit in `levels` (as locked). */
  function insufficient(
    lines: readonly NewLine[],
    products: readonly ProductRow[],
    levels: readonly StockRow[],
  ): Error {
    const plan = planReservation(needsOf(lines, products), levels);
    // reserve_stock and planReservation disagree on what fits: a bug, never the customer's fault.
    if (plan.ok) return new Error('reserve_stock refused lines that planReservation accepts');
    const recipes = new Map(products.map((p) => [p.id, p.recipe]));
    const short = new Set(plan.shortIngredientIds);
    const names = lines
      .filter((l) => (recipes.get(l.productId) ?? []).some((r) => short.has(r.ingredientId)))
      .map((l) => l.productName);
    const ingredients = products
      .flatMap((p) => p.recipe)
      .filter((r) => short.has(r.ingredientId))
      .map((r) => r.ingredientName);
    return appError(
      'stock/insufficient',
      `Not enough ${[...new Set(ingredients)].join(', ')} left to make ${[...new Set(names)].join(', ')}.`,
      { products: [...new Set(names)], ingredientIds: plan.shortIngredientIds },
    );
  }

  /** Reserves the ingredients of `lines` now, or throws `stock/insufficient` naming the first pizza that does not fit. */
  async function reserve(
    tx: DatabaseTransactionConnection,
    shopId: number,
    orderId: string,
    lines: readonly NewLine[],
    products: readonly ProductRow[],
  ): Promise<void> {
    const needs = needsOf(lines, products);
    if (needs.length === 0) return;
    const reserved = await reserveStock(tx, shopId, orderId, needs, deps.outbox?.disabled !== true);
    if (!reserved.ok) throw insufficient(lines, products, reserved.levels);
  }

  async function changeStock(
    tx: DatabaseTransactionConnection,
    shopId: number,
    orderId: string,
    movements: readonly PlannedMovement[],
  ): Promise<void> {
    if (movements.length === 0) return;
    const rows = await applyMovements(tx, shopId, movements, { orderId });
    // Stock events carry no orderId: they are the shop's, for its menu and manager screens.
    await appendEvent(tx, { type: 'stock.changed', shopId, data: { items: rows } }, deps.outbox);
  }

  const appendOrderEvent = (
    tx: DatabaseTransactionConnection,
    type: Parameters<typeof appendEventOfOrder>[1],
    orderId: string,
    data: Record<string, unknown>,
  ) => appendEventOfOrder(tx, type, orderId, data, deps.outbox);

  async function applyStockEffect(
    tx: DatabaseTransactionConnection,
    order: LockedOrder,
    to: OrderStatus,
  ): Promise<void> {
    const effect = stockEffectOf(order.status, to);
    if (!effect) return;
    const holdings = await orderHoldings(tx, order.id);
    const plan =
      effect === 'consume'
        ? planConsumption(holdings)
        : effect === 'release'
          ? planRelease(holdings)
          : planOrderWaste(holdings);
    await changeStock(tx, order.shopId, order.id, plan);
  }

  async function move(
    tx: DatabaseTransactionConnection,
    order: LockedOrder,
    to: OrderStatus,
    actor: Actor,
    reason: string | null,
    effects: Effects,
    collected?: Collected,
  ): Promise<void> {
    const facts: OrderFacts = order;
    const decision = decideTransition(facts, to, actor, reason);
    if (!decision.ok) throw appError(decision.code, decision.message);
    if (paymentDueAtHandover(order, to)) {
      if (!collected) {
        throw appError(
          'order/invalid',
          'This order is not paid yet: say how the payment was collected (cash or card).',
        );
      }
      // Money taken at handover is recorded with the move, in the same transaction.
      await recordCollectedPayment(tx, order.id, collected);
    }
    await applyStockEffect(tx, order, to);
    // Money taken online goes back when the order is cancelled: the refund is recorded with the
    // cancellation, so it cannot be forgotten, and made with Stripe after the commit.
    if (to === 'cancelled' && order.paymentStatus === 'paid' && order.paymentIntentId) {
      const requested = await requestRefund(tx, {
        orderId: order.id,
        paymentIntentId: order.paymentIntentId,
        amountCents: order.totalCents,
      });
      if (requested) effects.refund = true;
    }
    // A cancelled order withdraws the offer standing for it.
    const withdraw = to === 'cancelled' && order.offeredCourierId !== null;
    if (withdraw) await closeOffer(tx, order.id, 'withdrawn');
    await updateOrder(tx, order.id, {
      status: to,
      ...(to === 'cancelled' ? { cancelReason: reason } : {}),
      ...(withdraw ? { offer: null } : {}),
    });
    const by = actorRef(actor);
    await recordStatus(tx, { orderId: order.id, from: order.status, to, actor: by, reason });
    await appendOrderEvent(tx, 'order.status_changed', order.id, {
      from: order.status,
      to,
      reason,
      by,
      ...(withdraw ? { previousCourierId: order.offeredCourierId } : {}),
    });
    // A delivery nobody carries yet is offered to a courier as soon as it is ready.
    if (to === 'ready' && order.mode === 'delivery' && order.courierId === null) {
      await deps.dispatch?.offerNext(tx, order.id, null);
    }
  }

  /**
   * The order a write answers with: as its transaction's last event carried it (built by
   * PostgreSQL with the event, no second read); read in the transaction when the write appended
   * none (a replayed command).
   */
  async function written(tx: DatabaseTransactionConnection, id: string): Promise<OrderRow> {
    const row = lastWritten(tx, id) ?? (await findOrder(tx, id));
    if (!row) throw appError('order/not_found', `There is no order ${id}.`);
    return row;
  }

  async function lockByToken(tx: DatabaseTransactionConnection, token: string): Promise<LockedOrder> {
    const order = await lockOrderByTokenHash(tx, hashTrackingToken(token));
    if (!order) throw appError('order/not_found', 'No order has this tracking link.');
    return order;
  }

  /** The ids of the shops that take an order for this time (their hours and closures). */
  async function shopsTaking(promisedAt: string): Promise<number[]> {
    const now = clock.now();
    const at = new Date(promisedAt);
    return (await deps.menu.shops()).filter((s) => isOpenAtSoon(s, now, at)).map((s) => s.id);
  }

  /** A statement committed on its own (no transaction): the relay and this node's queues learn of it. */
  function committedAlone(row: OrderRow): OrderRow {
    deps.onCommitted?.();
    deps.onOrdersCommitted?.([row]);
    return row;
  }

  /** The order of a tracking link, if its shop takes this new time (like the time of a new order). */
  async function orderTakingTime(tokenHash: Buffer, promisedAt: string): Promise<OrderRow> {
    const current = await findOrderByTokenHash(db, tokenHash);
    if (!current) throw appError('order/not_found', 'No order has this tracking link.');
    const shop = await deps.menu.shop(current.shopId);
    if (shop) checkOpen(shop, promisedAt);
    return current;
  }

  function checkPromisedAt(promisedAt: string | undefined): void {
    const problem = promisedAt ? promisedTimeProblem(promisedAt, clock.now()) : null;
    if (problem) throw appError('order/invalid', problem);
  }

  /**
   * A customer's order (or new time) only while the shop takes it: as soon as possible while
   * open and before its last-order time, a promised time within its hours and outside its
   * closures. The refusal says when it opens next and which times may be asked for instead.
   */
  function checkOpen(shop: Shop, promisedAt: string | undefined): void {
    const now = clock.now();
    const decision = decideOrderTime(shop, now, promisedAt ? new Date(promisedAt) : null);
    if (decision.ok) return;
    const details: ShopClosedDetails = {
      nextOpening: decision.nextOpening?.toISOString() ?? null,
      nextSlots: timeSlots(shop, now).slice(0, NEXT_SLOTS).map(isoWithParisOffset),
    };
    const again = decision.nextOpening
      ? `it takes orders again on ${parisWhen.format(decision.nextOpening)} (Paris time)`
      : 'it takes no orders in the coming week';
    const why =
      decision.reason === 'closed_at_time'
        ? `${shop.name} is closed at the time asked for: choose a time within its opening hours (${again})`
        : decision.reason === 'closure'
          ? `${shop.name} is exceptionally closed today: ${again}`
          : `${shop.name} is closed now or past its last-order time: ${again}, or order for a later time`;
    throw appError('shop/closed', `${why}.`, details);
  }

  async function isReplay(
    tx: DatabaseTransactionConnection,
    actor: Actor,
    key: string | undefined,
    name: string,
    orderId: string,
  ): Promise<boolean> {
    if (!key) return false;
    const principal = actor.kind === 'staff' ? `staff:${actor.staffId}` : actor.kind;
    const claim = await claimCommand(tx, { principal, key, name, orderId });
    if (claim === 'reused') {
      throw appError('request/invalid', 'This idempotency key was already used for another command.');
    }
    return claim === 'replayed';
  }

  const lockedMessage =
    'The kitchen has started this order: it can no longer be changed or cancelled online.';

  return {
    /** `customerId`: the customer account logged in, if any; its order history links to it. */
    async create(
      body: CreateOrderBody,
      actor: Actor | null,
      customerId: string | null = null,
    ): Promise<CreatedOrder> {
      if (STAFF_CHANNELS.has(body.channel)) {
        const mayTake =
          actor?.kind === 'staff' &&
          (actor.role === 'counter' || actor.role === 'manager' || actor.role === 'admin') &&
          worksAt(actor, body.shopId);
        if (!actor)
          throw appError(
            'auth/unauthenticated',
            `A ${body.channel} order is entered by staff: log in first.`,
          );
        if (!mayTake)
          throw appError('auth/forbidden', `Only counter staff of this shop enter ${body.channel} orders.`);
      }
      checkPromisedAt(body.promisedAt);
      const shop = await deps.menu.shop(body.shopId);
      if (!shop) throw appError('shop/not_found', `There is no shop ${body.shopId}.`);
      if (shop.status !== 'open') {
        throw appError(
          'shop/not_open',
          `${shop.name} opens on ${shop.opensOn}: it does not take orders yet.`,
        );
      }
      // Staff taking a phone or counter order are at the shop: they decide whether the oven is
      // still on (the last customer at 22:31, a party's order for Monday). See decisions.md.
      if (!STAFF_CHANNELS.has(body.channel)) checkOpen(shop, body.promisedAt);
      const { lines, products } = await priceLines(body.lines);
      const totals = priceOrder(lines);
      const status = initialStatus(body.paymentMethod);
      const token = deps.newTrackingToken();
      const address = body.deliveryAddress;
      const located = address ? await deps.delivery.requireDeliverable(shop, address) : null;
      const estimate = await deps.promises.promiseFor({
        shop,
        mode: body.mode,
        requestedAt: body.promisedAt ?? null,
        lines,
        destination: located?.position ?? address?.position ?? null,
      });
      // Only the promise is stored: the queue and kitchen minutes were the estimate's inputs.
      const promise: OrderPromise = {
        at: estimate.at,
        readyBy: estimate.readyBy,
        routeMinutes: estimate.routeMinutes,
        routeSource: estimate.routeSource,
      };

      // One statement, committed on its own: one round trip for the whole order. The stock is
      // reserved by its commit, so the shop's stock rows, which every order of the shop locks,
      // are never held across a round trip. Online orders hold their ingredients while the
      // customer pays (15 minutes at most).
      const row = await insertOrderWithEvent(
        db,
        {
          shopId: shop.id,
          codeLetter: shop.codeLetter,
          lines,
          actor: actor ? actorRef(actor) : { kind: 'customer', id: null },
          channel: body.channel,
          mode: body.mode,
          status,
          customerId,
          customerName: body.customer.name,
          customerPhone: body.customer.phone,
          customerEmail: body.customer.email ?? null,
          delivery: address
            ? {
                line1: address.line1,
                postcode: address.postcode,
                city: address.city,
                instructions: address.instructions ?? null,
                lat: located?.position?.lat ?? null,
                lng: located?.position?.lng ?? null,
              }
            : null,
          totalCents: totals.totalCents,
          vatCents: totals.vatCents,
          paymentMethod: body.paymentMethod,
          promisedAt: body.promisedAt ?? null,
          promise,
          notes: body.notes ?? null,
          trackingTokenHash: hashTrackingToken(token),
        },
        needsOf(lines, products),
        deps.outbox,
      ).catch((error: unknown) => {
        const levels = levelsShortAtCommit(error);
        if (!levels) throw error;
        throw insufficient(lines, products, levels);
      });
      const order = toOrder(committedAlone(row));
      const trackingUrl = deps.trackingUrl(token);
      deps.confirmations?.orderCreated(order, shop.name, trackingUrl);
      return { order, trackingToken: token, trackingUrl };
    },

    async get(id: string, actor: Actor): Promise<Order> {
      const row = await findOrder(db, id);
      const visible =
        row &&
        actor.kind === 'staff' &&
        worksAt(actor, row.shopId) &&
        (actor.role !== 'courier' || row.courierId === actor.staffId);
      // Someone else's order answers like a missing one: ids of other shops are not confirmed.
      if (!visible) throw appError('order/not_found', `There is no order ${id}.`);
      return toOrder(row);
    },

    async listForCustomer(customerId: string): Promise<TrackedOrder[]> {
      return (await findCustomerOrders(db, customerId, 50)).map(toTracked);
    },

    async track(token: string): Promise<TrackedOrder> {
      const row = await findOrderByTokenHash(db, hashTrackingToken(token));
      if (!row) throw appError('order/not_found', 'No order has this tracking link.');
      return toTracked(row);
    },

    async modifyByCustomer(token: string, body: ModifyOrderBody): Promise<TrackedOrder> {
      checkPromisedAt(body.promisedAt);
      const keys = Object.keys(body);
      if (body.promisedAt && keys.length === 1 && keys[0] === 'promisedAt') {
        // The most frequent change (a later time), in one statement instead of a transaction.
        // The hours are checked first against every shop, so the statement itself keeps the
        // order only if its shop takes that time: no read of the order before it (issue 11).
        const hash = hashTrackingToken(token);
        const open = await shopsTaking(body.promisedAt);
        const row = await modifyPromisedAtByToken(
          db,
          hash,
          body.promisedAt,
          CUSTOMER_EDITABLE_STATUSES,
          open,
          deps.outbox,
        );
        if (row) return toTracked(committedAlone(row));
        // Nothing changed: say why, from the order as it is now (a shop the list did not have
        // yet, e.g. added since the cache was filled, is checked by its own hours and then taken).
        const current = await orderTakingTime(hash, body.promisedAt);
        if (!open.includes(current.shopId)) {
          const again = await modifyPromisedAtByToken(
            db,
            hash,
            body.promisedAt,
            CUSTOMER_EDITABLE_STATUSES,
            [current.shopId],
            deps.outbox,
          );
          if (again) return toTracked(committedAlone(again));
        }
        throw appError('order/locked', lockedMessage);
      }
      if (body.promisedAt) await orderTakingTime(hashTrackingToken(token), body.promisedAt);
      const priced = body.lines ? await priceLines(body.lines) : null;
      let located: Awaited<ReturnType<Deps['delivery']['requireDeliverable']>> | null = null;
      if (body.deliveryAddress) {
        const current = await findOrderByTokenHash(db, hashTrackingToken(token));
        const shop = current ? await deps.menu.shop(current.shopId) : null;
        if (current && shop && current.mode === 'delivery') {
          located = await deps.delivery.requireDeliverable(shop, body.deliveryAddress);
        }
      }
      const row = await transact(async (tx) => {
        const order = await lockByToken(tx, token);
        if (!isCustomerEditable(order.status)) throw appError('order/locked', lockedMessage);
        const changes: Parameters<typeof updateOrder>[2] = {};
        if (priced) {
          if (order.paymentStatus === 'paid') {
            throw appError(
              'order/locked',
              'This order is already paid online: cancel it and order again to change it.',
            );
          }
          const { lines, products } = priced;
          // Give back what the order holds, then take what the new lines need; if they do not
          // fit, the transaction rolls back and the order keeps its old lines and reservation.
          await changeStock(tx, order.shopId, order.id, planRelease(await orderHoldings(tx, order.id)));
          await reserve(tx, order.shopId, order.id, lines, products);
          await replaceLines(tx, order.id, lines);
          changes.totals = priceOrder(lines);
        }
        if (body.deliveryAddress) {
          if (order.mode !== 'delivery')
            throw appError('order/invalid', 'A pick-up order has no delivery address.');
          const a = body.deliveryAddress;
          changes.delivery = {
            line1: a.line1,
            postcode: a.postcode,
            city: a.city,
            instructions: a.instructions ?? null,
            lat: located?.position?.lat ?? null,
            lng: located?.position?.lng ?? null,
          };
        }
        if (body.promisedAt) changes.promisedAt = body.promisedAt;
        await updateOrder(tx, order.id, changes);
        return appendOrderEvent(tx, 'order.modified', order.id, { fields: Object.keys(body) });
      });
      return toTracked(row);
    },

    async cancelByCustomer(token: string, reason: string | null): Promise<TrackedOrder> {
      const row = await transact(async (tx, effects) => {
        const order = await lockByToken(tx, token);
        if (!isCustomerEditable(order.status) && order.status !== 'cancelled') {
          throw appError('order/locked', lockedMessage);
        }
        await move(tx, order, 'cancelled', { kind: 'customer', orderId: order.id }, reason, effects);
        return written(tx, order.id);
      });
      return toTracked(row);
    },

    /**
     * `idempotencyKey`: a retried command with the same key (same staff member) is answered with
     * the order as it is now and never applied twice.
     */
    async transition(
      id: string,
      body: TransitionBody,
      actor: Actor,
      idempotencyKey?: string,
    ): Promise<Order> {
      const row = await transact(async (tx, effects) => {
        const order = await lockOrder(tx, id);
        if (!order || (actor.kind === 'staff' && !worksAt(actor, order.shopId))) {
          throw appError('order/not_found', `There is no order ${id}.`);
        }
        if (await isReplay(tx, actor, idempotencyKey, 'order:transition', id)) return written(tx, id);
        if (body.expectedVersion !== undefined && body.expectedVersion !== order.version) {
          throw appError(
            'order/version_conflict',
            `This order changed meanwhile (now version ${order.version}, status ${order.status}): reload it.`,
          );
        }
        await move(tx, order, body.to, actor, body.reason ?? null, effects, body.collected);
        return written(tx, id);
      });
      return toOrder(row);
    },

    async assignCourier(
      id: string,
      courierId: string,
      actor: Actor,
      idempotencyKey?: string,
    ): Promise<Order> {
      const row = await transact(async (tx) => {
        const order = await lockOrder(tx, id);
        if (!order || actor.kind !== 'staff' || !worksAt(actor, order.shopId)) {
          throw appError('order/not_found', `There is no order ${id}.`);
        }
        if (await isReplay(tx, actor, idempotencyKey, `order:assign_courier:${courierId}`, id))
          return written(tx, id);
        if (actor.role !== 'manager' && actor.role !== 'admin') {
          throw appError('auth/forbidden', 'Only a manager assigns couriers.');
        }
        if (order.mode !== 'delivery') throw appError('order/invalid', 'A pick-up order needs no courier.');
        if (!['received', 'preparing', 'baking', 'ready'].includes(order.status)) {
          throw appError(
            'order/transition_not_allowed',
            `An order that is ${order.status} cannot get a courier.`,
          );
        }
        if (!(await deps.couriers.isCourierOfShop(tx, courierId, order.shopId))) {
          throw appError('courier/not_found', 'This courier does not work for this shop.');
        }
        // A manager's choice overrides dispatch: the offer standing, if any, is withdrawn.
        if (order.offeredCourierId) await closeOffer(tx, order.id, 'withdrawn');
        await updateOrder(tx, order.id, { courierId, offer: null });
        return appendOrderEvent(tx, 'order.courier_assigned', order.id, {
          previousCourierId: order.courierId ?? order.offeredCourierId,
        });
      });
      return toOrder(row);
    },

    /**
     * For the payments service, inside its own transaction (the webhook's): the order's status
     * moves by the same rules as everywhere else, with its stock, history and event.
     */
    moveLocked: move,
    appendOrderEvent,

    /** Cancels unpaid online orders older than the payment window; returns how many. */
    async expireUnpaid(limit = 100): Promise<number> {
      const cutoff = new Date(clock.now().getTime() - PAYMENT_WINDOW_MS);
      return transact(async (tx, effects) => {
        const orders = await lockExpiredUnpaid(tx, cutoff, limit);
        for (const order of orders) {
          await move(
            tx,
            order,
            'cancelled',
            { kind: 'system' },
            'Online payment not received within 15 minutes.',
            effects,
          );
        }
        return orders.length;
      });
    },
  };
}
