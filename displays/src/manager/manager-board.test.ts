import { describe, expect, it } from 'vitest';
import type {
  CourierState,
  EventEnvelope,
  ManagerSnapshot,
  Order,
  OrderStatus,
  StockLevel,
} from '@ocp/hub/contract';
import {
  applyCourierPosition,
  applyManagerEvent,
  boardColumns,
  courierRows,
  lateOrders,
  lowStock,
  managerBoardFromSnapshot,
  mapPoints,
  paymentIssues,
  managerHeaderFigures,
  type ManagerBoardState,
} from './manager-board.js';
import { makeOrder, testShop } from '../testing/fixtures.js';

const shop = testShop;

/** 19:30 local time on the day of the tests' orders. */
const NOW = new Date(2026, 10, 25, 19, 30);
const at = (hours: number, minutes: number) => new Date(2026, 10, 25, hours, minutes).toISOString();
const YESTERDAY = new Date(2026, 10, 24, 21, 0).toISOString();

const COURIER_1 = '00000000-0000-4000-9000-000000000001';
const COURIER_2 = '00000000-0000-4000-9000-000000000002';
const COURIER_3 = '00000000-0000-4000-9000-000000000003';

const promise = (iso: string): Order['promise'] => ({
  at: iso,
  readyBy: iso,
  routeMinutes: null,
  routeSource: null,
});

const order = (overrides: Partial<Order> = {}): Order =>
  makeOrder({ createdAt: at(19, 0), updatedAt: at(19, 0), ...overrides });

function delivery(overrides: Partial<Order> = {}): Order {
  return order({
    mode: 'delivery',
    paymentMethod: 'cash_at_door',
    deliveryAddress: {
      line1: '24 rue de la Roquette',
      postcode: '75011',
      city: 'Paris',
      instructions: null,
      position: { lat: 48.8549, lng: 2.3736 },
    },
    ...overrides,
  });
}

function courier(id: string, name: string, overrides: Partial<CourierState> = {}): CourierState {
  return { courierId: id, name, onShift: true, position: null, positionAt: null, ...overrides };
}

function level(
  ingredientId: number,
  name: string,
  onHand: number,
  reserved: number,
  lowThreshold: number,
): StockLevel {
  const available = onHand - reserved;
  return {
    ingredientId,
    name,
    unit: 'g',
    onHand,
    reserved,
    available,
    lowThreshold,
    low: available <= lowThreshold,
  };
}

function snapshot(overrides: Partial<ManagerSnapshot> = {}): ManagerSnapshot {
  return {
    seq: 100,
    shopId: 1,
    orders: [],
    stock: [level(1, 'Mozzarella', 5000, 0, 1000), level(2, 'Basilic', 80, 0, 100)],
    couriers: [courier(COURIER_1, 'Livreur A1'), courier(COURIER_2, 'Livreur A2')],
    today: { since: at(0, 0), milestones: [] },
    ...overrides,
  };
}

let seq = 100;
function event(type: EventEnvelope['type'], o: Order, when = o.updatedAt): EventEnvelope {
  seq += 1;
  return { seq, type, shopId: o.shopId, orderId: o.id, version: o.version, at: when, data: { order: o } };
}

const bump = (o: Order, status: OrderStatus, changes: Partial<Order> = {}): Order => ({
  ...o,
  status,
  version: o.version + 1,
  ...changes,
});

/** Applies the order's way through the given statuses, one event per step at the given times. */
function walk(
  state: ManagerBoardState,
  o: Order,
  steps: Array<[OrderStatus, string]>,
): [ManagerBoardState, Order] {
  let s = applyManagerEvent(state, event('order.created', o, o.createdAt));
  let current = o;
  for (const [status, when] of steps) {
    current = bump(current, status, { updatedAt: when });
    s = applyManagerEvent(s, event('order.status_changed', current, when));
  }
  return [s, current];
}

const column = (s: ManagerBoardState, key: string) =>
  boardColumns(s, NOW)
    .find((c) => c.key === key)!
    .cards.map((c) => c.order.shortCode);

describe('manager board state', () => {
  it('starts from the snapshot: orders by state, finished ones only when finished today', () => {
    const waiting = order({ status: 'pending_payment', paymentMethod: 'card_online' });
    const baking = order({ status: 'baking' });
    const deliveredToday = delivery({ status: 'delivered', updatedAt: at(18, 40) });
    const pickedUpYesterday = order({ status: 'picked_up', createdAt: YESTERDAY, updatedAt: YESTERDAY });
    const cancelled = order({ status: 'cancelled', updatedAt: at(18, 0) });
    const s = managerBoardFromSnapshot(
      snapshot({
        orders: [waiting, baking, deliveredToday, pickedUpYesterday, cancelled],
        today: {
          since: at(0, 0),
          milestones: [
            {
              orderId: deliveredToday.id,
              receivedAt: at(18, 0),
              readyAt: at(18, 15),
              outForDeliveryAt: at(18, 20),
              finishedAt: at(18, 40),
            },
            {
              orderId: pickedUpYesterday.id,
              receivedAt: YESTERDAY,
              readyAt: YESTERDAY,
              outForDeliveryAt: null,
              finishedAt: YESTERDAY,
            },
          ],
        },
      }),
    );
    const columns = boardColumns(s, NOW);
    expect(Object.fromEntries(columns.map((c) => [c.key, c.cards.length]))).toEqual({
      pending_payment: 1,
      received: 0,
      preparing: 0,
      baking: 1,
      ready: 0,
      out_for_delivery: 0,
      done: 1,
      cancelled: 1,
    });
    expect(column(s, 'done')).toEqual([deliveredToday.shortCode]);
  });

  it('moves an order between columns as events come, and ignores duplicates and older versions', () => {
    const o = order();
    let s = managerBoardFromSnapshot(snapshot());
    s = applyManagerEvent(s, event('order.created', o));
    expect(column(s, 'received')).toEqual([o.shortCode]);
    const preparing = bump(o, 'preparing');
    const s2 = applyManagerEvent(s, event('order.status_changed', preparing));
    expect(column(s2, 'received')).toEqual([]);
    expect(column(s2, 'preparing')).toEqual([o.shortCode]);
    expect(applyManagerEvent(s2, event('order.status_changed', preparing))).toBe(s2);
    expect(applyManagerEvent(s2, event('order.created', o))).toBe(s2);
    const cancelled = bump(preparing, 'cancelled', { cancelReason: 'client absent' });
    const s3 = applyManagerEvent(s2, event('order.status_changed', cancelled, at(19, 20)));
    expect(column(s3, 'preparing')).toEqual([]);
    expect(column(s3, 'cancelled')).toEqual([o.shortCode]);
  });

  it("ignores another shop's orders and stock (an admin's socket may follow every shop)", () => {
    const s = managerBoardFromSnapshot(snapshot());
    const elsewhere = order({ shopId: 2 });
    expect(applyManagerEvent(s, event('order.created', elsewhere))).toBe(s);
    const stock: EventEnvelope = {
      seq: 999,
      type: 'stock.changed',
      shopId: 2,
      at: at(19, 0),
      data: { items: [{ ingredientId: 1, onHand: 10, reserved: 0 }] },
    };
    expect(applyManagerEvent(s, stock)).toBe(s);
  });

  it('puts late orders first in their column, the most overdue on top; late = past promised, or placed + lead time', () => {
    // Due 19:40 (promised), 19:25 (19:00 + 25 min: late), 19:10 (promised: most late), 19:35.
    const later = order({ status: 'preparing', promisedAt: at(19, 40) });
    const lateByLead = order({ status: 'preparing', createdAt: at(19, 0) });
    const mostLate = order({ status: 'preparing', promisedAt: at(19, 10) });
    const soon = order({ status: 'preparing', createdAt: at(19, 10) });
    const s = managerBoardFromSnapshot(snapshot({ orders: [later, lateByLead, mostLate, soon] }));
    const preparing = boardColumns(s, NOW).find((c) => c.key === 'preparing')!;
    expect(preparing.cards.map((c) => c.order.id)).toEqual([mostLate.id, lateByLead.id, soon.id, later.id]);
    expect(preparing.cards.map((c) => [c.late, c.minutes])).toEqual([
      [true, 20],
      [true, 5],
      [false, 5],
      [false, 10],
    ]);
    expect(preparing.late).toBe(2);
    expect(lateOrders(boardColumns(s, NOW)).map((c) => c.order.id)).toEqual([mostLate.id, lateByLead.id]);
    // A finished order is never late, whatever its due time.
    const done = order({ status: 'picked_up', promisedAt: at(19, 0), updatedAt: at(19, 20) });
    const s2 = managerBoardFromSnapshot(snapshot({ orders: [done] }));
    const card = boardColumns(s2, NOW).find((c) => c.key === 'done')!.cards[0]!;
    expect([card.late, card.finishedLate]).toEqual([false, true]);
  });

  it('applies absolute stock levels and flags an ingredient low at or below its threshold', () => {
    const s = managerBoardFromSnapshot(snapshot());
    expect(lowStock(s).map((l) => l.name)).toEqual(['Basilic']);
    const changed: EventEnvelope = {
      seq: 500,
      type: 'stock.changed',
      shopId: 1,
      at: at(19, 0),
      data: { items: [{ ingredientId: 1, onHand: 1200, reserved: 200 }] },
    };
    const s2 = applyManagerEvent(s, changed);
    expect(s2.stock[1]).toMatchObject({ onHand: 1200, reserved: 200, available: 1000, low: true });
    // Mozzarella at its threshold (ratio 1) comes after basil (80 / 100).
    expect(lowStock(s2).map((l) => l.name)).toEqual(['Basilic', 'Mozzarella']);
    // The same absolute levels again change nothing; an unknown ingredient is ignored.
    expect(applyManagerEvent(s2, { ...changed, seq: 501 })).toBe(s2);
    const unknown = { ...changed, seq: 502, data: { items: [{ ingredientId: 99, onHand: 1, reserved: 0 }] } };
    expect(applyManagerEvent(s2, unknown)).toBe(s2);
    const restocked = {
      ...changed,
      seq: 503,
      data: { items: [{ ingredientId: 1, onHand: 6000, reserved: 0 }] },
    };
    expect(lowStock(applyManagerEvent(s2, restocked)).map((l) => l.name)).toEqual(['Basilic']);
  });

  it("keeps a courier's newest position, for this shop's couriers only", () => {
    const s = managerBoardFromSnapshot(snapshot());
    const fix = {
      courierId: COURIER_1,
      shopId: 1,
      position: { lat: 48.86, lng: 2.37 },
      accuracyM: 8,
      at: at(19, 20),
    };
    const s2 = applyCourierPosition(s, fix);
    expect(s2.couriers[COURIER_1]).toMatchObject({
      position: { lat: 48.86, lng: 2.37 },
      positionAt: at(19, 20),
    });
    expect(applyCourierPosition(s2, { ...fix, position: { lat: 1, lng: 1 }, at: at(19, 10) })).toBe(s2);
    expect(applyCourierPosition(s2, { ...fix, shopId: 2, at: at(19, 25) })).toBe(s2);
    expect(applyCourierPosition(s2, { ...fix, courierId: COURIER_3, at: at(19, 25) })).toBe(s2);
    expect(applyCourierPosition(s2, { courierId: COURIER_1, lat: 3 })).toBe(s2);
  });

  it('gives each courier their activity and load: delivering, assigned, idle, off shift', () => {
    const carried = delivery({ status: 'out_for_delivery', courierId: COURIER_1 });
    const waiting = delivery({ status: 'ready', courierId: COURIER_1 });
    const assigned = delivery({ status: 'baking', courierId: COURIER_2 });
    const finished = delivery({ status: 'delivered', courierId: COURIER_3, updatedAt: at(19, 0) });
    const s = managerBoardFromSnapshot(
      snapshot({
        orders: [carried, waiting, assigned, finished],
        couriers: [
          courier(COURIER_3, 'Zoé', { onShift: false }),
          courier(COURIER_2, 'Bruno'),
          courier(COURIER_1, 'Ahmed'),
          courier('00000000-0000-4000-9000-000000000004', 'Chloé'),
        ],
      }),
    );
    expect(courierRows(s).map((c) => [c.name, c.activity, c.load, c.carrying])).toEqual([
      ['Ahmed', 'delivering', 2, 1],
      ['Bruno', 'assigned', 1, 0],
      ['Chloé', 'idle', 0, 0],
      ['Zoé', 'off_shift', 0, 0],
    ]);
    expect(courierRows(s)[0]!.codes).toEqual([carried.shortCode, waiting.shortCode]);
  });

  it("computes today's figures from the milestones, live as orders move", () => {
    let s = managerBoardFromSnapshot(snapshot());
    expect(managerHeaderFigures(s, NOW)).toEqual({
      lateNow: 0,
      lateCodes: [],
      finishedLate: 0,
      tone: 'ok',
      onTimeBad: false,
      orders: 0,
      avgPrepMinutes: null,
      prepCount: 0,
      avgDeliveryMinutes: null,
      deliveredCount: 0,
      onTimeCount: 0,
      onTimeShare: null,
    });
    // Delivered by its promised time: prep 18:30 → 18:42 (12 min), delivery 18:45 → 19:05 (20 min).
    [s] = walk(s, delivery({ createdAt: at(18, 30), promisedAt: at(19, 15) }), [
      ['preparing', at(18, 33)],
      ['baking', at(18, 36)],
      ['ready', at(18, 42)],
      ['out_for_delivery', at(18, 45)],
      ['delivered', at(19, 5)],
    ]);
    // No promised time: due 18:40 + 25 min = 19:05; delivered 19:20, late. Prep 18 min, delivery 10 min.
    [s] = walk(s, delivery({ createdAt: at(18, 40) }), [
      ['preparing', at(18, 45)],
      ['ready', at(18, 58)],
      ['out_for_delivery', at(19, 10)],
      ['delivered', at(19, 20)],
    ]);
    // Still baking: counts as an order, not in the averages. Cancelled: not counted at all.
    [s] = walk(s, order({ createdAt: at(19, 10) }), [['baking', at(19, 20)]]);
    [s] = walk(s, order({ createdAt: at(19, 12) }), [['cancelled', at(19, 13)]]);
    // An order of yesterday delivered today counts in the averages, not in today's orders.
    [s] = walk(s, delivery({ createdAt: YESTERDAY, promisedAt: null }), [
      ['ready', at(0, 5)],
      ['out_for_delivery', at(0, 10)],
      ['delivered', at(0, 16)],
    ]);
    const figures = managerHeaderFigures(s, NOW);
    expect(figures.orders).toBe(3);
    // Prep: 12, 18, and the night order received yesterday 21:00 → 00:05 (185 min).
    expect(figures.prepCount).toBe(3);
    expect(figures.avgPrepMinutes).toBeCloseTo((12 + 18 + 185) / 3, 1);
    expect(figures.deliveredCount).toBe(3);
    expect(figures.avgDeliveryMinutes).toBeCloseTo((20 + 10 + 6) / 3, 1);
    expect(figures.onTimeCount).toBe(1);
    expect(figures.onTimeShare).toBeCloseTo(1 / 3, 5);
    // Two deliveries served late today (the 19:05 one and the night one): never "all on time".
    expect(figures).toMatchObject({ finishedLate: 2, tone: 'late_today', onTimeBad: true });
  });

  it('header figures agree with the cards: one late order makes the badge late, whatever else', () => {
    let s = managerBoardFromSnapshot(snapshot());
    // Promised 19:10, still baking at NOW: late now, and its card says so too.
    const late = order({ createdAt: at(18, 50), promise: promise(at(19, 10)) });
    [s] = walk(s, late, [['baking', at(19, 0)]]);
    const onTime = order({ createdAt: at(19, 0), promise: promise(at(23, 50)) });
    [s] = walk(s, onTime, [['preparing', at(19, 5)]]);
    const header = managerHeaderFigures(s, NOW);
    expect(header).toMatchObject({ lateNow: 1, lateCodes: [late.shortCode], tone: 'late_now' });
    expect(lateOrders(boardColumns(s, NOW)).map((c) => c.order.shortCode)).toEqual(header.lateCodes);
    // Only "ok" when nothing is late now nor today.
    const clean = managerHeaderFigures(managerBoardFromSnapshot(snapshot()), NOW);
    expect(clean.tone).toBe('ok');
    expect(clean.onTimeBad).toBe(false);
  });

  it('records a milestone once, at the first time the step is reached, and keeps the snapshot’s', () => {
    const o = delivery({ status: 'ready', version: 4 });
    const s = managerBoardFromSnapshot(
      snapshot({
        orders: [o],
        today: {
          since: at(0, 0),
          milestones: [
            {
              orderId: o.id,
              receivedAt: at(19, 0),
              readyAt: at(19, 12),
              outForDeliveryAt: null,
              finishedAt: null,
            },
          ],
        },
      }),
    );
    // Reassigning a courier is an order event at the same status: the ready time stays.
    const reassigned = { ...o, version: 5, courierId: COURIER_2 };
    const s2 = applyManagerEvent(s, event('order.courier_assigned', reassigned, at(19, 20)));
    expect(s2.milestones[o.id]?.readyAt).toBe(at(19, 12));
    expect(s2.orders[o.id]?.courierId).toBe(COURIER_2);
  });

  it('draws the shop, deliveries still to make and couriers on shift with a position', () => {
    const toDeliver = delivery({ status: 'out_for_delivery', courierId: COURIER_1, createdAt: at(18, 50) });
    const noPosition = delivery({ status: 'ready', deliveryAddress: null });
    const delivered = delivery({ status: 'delivered', updatedAt: at(19, 0) });
    const pickup = order({ status: 'ready' });
    const s = managerBoardFromSnapshot(
      snapshot({
        orders: [toDeliver, noPosition, delivered, pickup],
        couriers: [
          courier(COURIER_1, 'Ahmed', { position: { lat: 48.86, lng: 2.375 }, positionAt: at(19, 28) }),
          courier(COURIER_2, 'Bruno', {
            onShift: false,
            position: { lat: 48.8, lng: 2.3 },
            positionAt: at(12, 0),
          }),
          courier(COURIER_3, 'Chloé'),
        ],
      }),
    );
    const points = mapPoints(s, shop, NOW);
    expect(points.map((p) => [p.kind, p.label])).toEqual([
      ['shop', 'OC Pizza Oberkampf'],
      ['delivery', toDeliver.shortCode],
      ['courier', 'Ahmed'],
    ]);
    expect(points[1]).toMatchObject({ status: 'out_for_delivery', late: true, courierId: COURIER_1 });
    expect(points[2]).toMatchObject({ activity: 'delivering', position: { lat: 48.86, lng: 2.375 } });
  });
});

describe('payment issues', () => {
  const dispute = (
    status: NonNullable<Order['dispute']>['status'],
    dueBy: string | null,
    updatedAt = at(18, 0),
  ) => ({
    id: `dp_${status}`,
    status,
    reason: 'fraudulent',
    amountCents: 1980,
    evidenceDueBy: dueBy,
    updatedAt,
  });
  const refund = (status: NonNullable<Order['refund']>['status']) => ({
    status,
    amountCents: 1980,
    failure: status === 'failed' ? 'expired_or_canceled_card' : null,
    updatedAt: at(18, 30),
  });
  const inDays = (days: number) => new Date(NOW.getTime() + days * 24 * 3600_000).toISOString();

  it('lists open disputes by deadline (urgent within two days), then failed refunds, pending ones, closed disputes', () => {
    const orders = [
      order({ id: 'a', shortCode: 'A-001', dispute: dispute('needs_response', inDays(6)) }),
      order({ id: 'b', shortCode: 'A-002', dispute: dispute('warning_needs_response', inDays(1)) }),
      order({
        id: 'c',
        shortCode: 'A-003',
        status: 'cancelled',
        paymentStatus: 'paid',
        refund: refund('failed'),
      }),
      order({
        id: 'd',
        shortCode: 'A-004',
        status: 'cancelled',
        paymentStatus: 'paid',
        refund: refund('pending'),
      }),
      order({
        id: 'e',
        shortCode: 'A-005',
        status: 'cancelled',
        paymentStatus: 'refunded',
        refund: refund('succeeded'),
      }),
      order({ id: 'f', shortCode: 'A-006', dispute: dispute('lost', null, at(19, 0)) }),
      order({ id: 'g', shortCode: 'A-007', dispute: dispute('won', null, YESTERDAY) }),
      order({ id: 'h', shortCode: 'A-008' }),
    ];
    const issues = paymentIssues(managerBoardFromSnapshot(snapshot({ orders })), NOW);
    expect(issues.map((i) => [i.order.shortCode, i.kind])).toEqual([
      ['A-002', 'dispute'],
      ['A-001', 'dispute'],
      ['A-003', 'refund'],
      ['A-004', 'refund'],
      ['A-006', 'dispute'],
    ]);
    expect(issues.map((i) => (i.kind === 'dispute' ? i.urgent : i.failed))).toEqual([
      true,
      false,
      true,
      false,
      false,
    ]);
  });

  it('follows the live events of the manager room', () => {
    const held = order({ id: '00000000-0000-4000-8000-00000000ab10', shortCode: 'A-010', version: 3 });
    const s = managerBoardFromSnapshot(snapshot({ orders: [held] }));
    expect(paymentIssues(s, NOW)).toEqual([]);
    const disputed = { ...held, version: 4, dispute: dispute('needs_response', inDays(3)) };
    const event: EventEnvelope = {
      seq: 99,
      type: 'order.modified',
      shopId: held.shopId,
      orderId: held.id,
      version: 4,
      at: at(19, 20),
      data: { fields: ['dispute'], order: disputed },
    };
    expect(paymentIssues(applyManagerEvent(s, event), NOW)).toMatchObject([
      { kind: 'dispute', open: true, urgent: false, dispute: { status: 'needs_response' } },
    ]);
  });
});
