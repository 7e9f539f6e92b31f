import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from './events.js';
import { applyOrderEvent, boardOrders, orderBoardFromSnapshot } from './order-board.js';
import type { Order } from './orders.js';

const ID_A = '0b7c6f1e-3c1a-4c8e-9a44-5d7f0c1e2a01';
const ID_B = '0b7c6f1e-3c1a-4c8e-9a44-5d7f0c1e2a02';
const ID_C = '0b7c6f1e-3c1a-4c8e-9a44-5d7f0c1e2a03';

function order(id: string, version: number, patch: Partial<Order> = {}): Order {
  return {
    id,
    shopId: 1,
    shortCode: `A-${id.slice(-3)}`,
    channel: 'web',
    mode: 'pickup',
    status: 'received',
    version,
    customer: { name: 'Ada', phone: '+33600000000', email: null },
    deliveryAddress: null,
    lines: [],
    totals: { totalCents: 1200, vatCents: 109, netCents: 1091 },
    paymentMethod: 'card_online',
    paymentStatus: 'paid',
    promisedAt: null,
    promise: {
      at: '2026-11-25T18:20:00.000Z',
      readyBy: '2026-11-25T18:20:00.000Z',
      routeMinutes: null,
      routeSource: null,
    },
    courierId: null,
    offer: null,
    notes: null,
    cancelReason: null,
    paymentFailure: null,
    refund: null,
    dispute: null,
    createdAt: '2026-11-25T18:00:00.000Z',
    updatedAt: '2026-11-25T18:00:00.000Z',
    ...patch,
  };
}

let nextSeq = 1;
function orderEvent(o: Order, type: EventEnvelope['type'] = 'order.status_changed'): EventEnvelope {
  return {
    seq: nextSeq++,
    type,
    shopId: o.shopId,
    orderId: o.id,
    version: o.version,
    at: o.updatedAt,
    data: { order: o },
  };
}

describe('orderBoardFromSnapshot', () => {
  it('indexes orders by id, keeping the highest version of a repeated order', () => {
    const board = orderBoardFromSnapshot([order(ID_A, 3), order(ID_B, 1), order(ID_A, 2)]);
    expect(Object.keys(board.orders).sort()).toEqual([ID_A, ID_B]);
    expect(board.orders[ID_A]?.version).toBe(3);
  });
});

describe('applyOrderEvent', () => {
  it('adds an order it does not hold, without mutating the previous board', () => {
    const before = orderBoardFromSnapshot([order(ID_A, 1)]);
    const after = applyOrderEvent(before, orderEvent(order(ID_B, 1), 'order.created'));
    expect(after).not.toBe(before);
    expect(after.orders[ID_B]?.version).toBe(1);
    expect(before.orders[ID_B]).toBeUndefined();
    // Untouched orders keep their identity, so screens re-render only what changed.
    expect(after.orders[ID_A]).toBe(before.orders[ID_A]);
  });

  it('replaces an order with a higher version', () => {
    const board = orderBoardFromSnapshot([order(ID_A, 1)]);
    const next = applyOrderEvent(board, orderEvent(order(ID_A, 2, { status: 'preparing' })));
    expect(next.orders[ID_A]).toMatchObject({ version: 2, status: 'preparing' });
  });

  it('never lets a version go back: an older event is ignored and the same board returned', () => {
    const board = orderBoardFromSnapshot([order(ID_A, 3, { status: 'baking' })]);
    const next = applyOrderEvent(board, orderEvent(order(ID_A, 2, { status: 'preparing' })));
    expect(next).toBe(board);
    expect(next.orders[ID_A]?.status).toBe('baking');
  });

  it('treats a duplicate (same version) as a no-op', () => {
    const v2 = order(ID_A, 2, { status: 'preparing' });
    const board = applyOrderEvent(orderBoardFromSnapshot([order(ID_A, 1)]), orderEvent(v2));
    const again = applyOrderEvent(board, orderEvent({ ...v2, status: 'ready' }));
    expect(again).toBe(board);
    expect(again.orders[ID_A]?.status).toBe('preparing');
  });

  it('ignores non-order event types and order events without a valid order', () => {
    const board = orderBoardFromSnapshot([order(ID_A, 1)]);
    const stock: EventEnvelope = {
      seq: nextSeq++,
      type: 'stock.changed',
      shopId: 1,
      at: '2026-11-25T18:00:00.000Z',
      data: { items: [], order: order(ID_A, 9) },
    };
    expect(applyOrderEvent(board, stock)).toBe(board);
    const malformed: EventEnvelope = { ...orderEvent(order(ID_A, 5)), data: { order: { id: ID_A } } };
    expect(applyOrderEvent(board, malformed)).toBe(board);
  });

  it('ends with the highest version of each order whatever the order and repetition of events', () => {
    const ids = [ID_A, ID_B, ID_C];
    const arbEvent = fc.record({
      idIndex: fc.integer({ min: 0, max: 2 }),
      version: fc.integer({ min: 1, max: 20 }),
    });
    fc.assert(
      fc.property(fc.array(arbEvent, { maxLength: 40 }), (specs) => {
        let board = orderBoardFromSnapshot([]);
        const highest = new Map<string, number>();
        for (const { idIndex, version } of specs) {
          const id = ids[idIndex]!;
          board = applyOrderEvent(board, orderEvent(order(id, version)));
          highest.set(id, Math.max(highest.get(id) ?? 0, version));
        }
        const held = Object.fromEntries(Object.values(board.orders).map((o) => [o.id, o.version]));
        expect(held).toEqual(Object.fromEntries(highest));
      }),
    );
  });
});

describe('boardOrders', () => {
  it('sorts by creation instant, then short code, and applies the filter', () => {
    const board = orderBoardFromSnapshot([
      // 18:30 in Paris is 17:30Z: earlier than the two 18:00Z orders despite its text.
      order(ID_A, 1, { shortCode: 'A-003', createdAt: '2026-11-25T18:30:00.000+01:00' }),
      order(ID_B, 1, { shortCode: 'A-002', createdAt: '2026-11-25T18:00:00.000Z' }),
      order(ID_C, 1, { shortCode: 'A-001', createdAt: '2026-11-25T18:00:00.000Z', status: 'ready' }),
    ]);
    expect(boardOrders(board).map((o) => o.shortCode)).toEqual(['A-003', 'A-001', 'A-002']);
    expect(boardOrders(board, (o) => o.status === 'received').map((o) => o.shortCode)).toEqual([
      'A-003',
      'A-002',
    ]);
  });
});
