import { describe, expect, it } from 'vitest';
import { estimateEta, remainingKitchenMinutes, straightLineMinutes } from './eta.js';

const products = new Map([
  [1, { prepMinutes: 4, bakeMinutes: 8 }],
  [2, { prepMinutes: 2, bakeMinutes: 10 }],
  [3, { prepMinutes: 0, bakeMinutes: 0 }],
]);
const now = new Date('2026-11-25T18:00:00.000Z');
const base = {
  now,
  products,
  makers: 1,
  handoverMinutes: 3,
  routeMinutes: 12,
  source: 'route' as const,
};
const twoPizzas = [
  { productId: 1, quantity: 2 },
  { productId: 2, quantity: 1 },
  { productId: 3, quantity: 2 },
];

describe('ETA', () => {
  it('adds preparation of every pizza, the longest bake, handover and the route', () => {
    const eta = estimateEta({
      ...base,
      order: { status: 'received', mode: 'delivery', promisedAt: null, lines: twoPizzas },
      ahead: [],
    });
    // prep 4*2 + 2 = 10, bake max(8, 10) = 10, handover 3, route 12 -> 35 minutes
    expect(eta.kitchenMinutes).toBe(20);
    expect(eta.at).toBe('2026-11-25T18:35:00.000Z');
    expect(eta.stage).toBe('kitchen');
    expect(eta.routeMinutes).toBe(12);
  });

  it('waits for the orders ahead, shared between the pizza makers', () => {
    const ahead = [
      { status: 'received' as const, lines: [{ productId: 1, quantity: 3 }] },
      { status: 'preparing' as const, lines: [{ productId: 1, quantity: 2 }] },
    ];
    const order = {
      status: 'received' as const,
      mode: 'pickup' as const,
      promisedAt: null,
      lines: twoPizzas,
    };
    const alone = estimateEta({ ...base, order, ahead: [] });
    const queued = estimateEta({ ...base, order, ahead });
    const twoMakers = estimateEta({ ...base, order, ahead, makers: 2 });
    expect(queued.ordersAhead).toBe(2);
    // 12 + 4 minutes of preparation ahead
    expect(queued.kitchenMinutes - alone.kitchenMinutes).toBe(16);
    expect(twoMakers.kitchenMinutes).toBeLessThan(queued.kitchenMinutes);
    expect(queued.routeMinutes).toBeNull();
  });

  it('ignores the queue once the kitchen started this order', () => {
    const order = {
      status: 'baking' as const,
      mode: 'delivery' as const,
      promisedAt: null,
      lines: twoPizzas,
    };
    const eta = estimateEta({ ...base, order, ahead: [{ status: 'received', lines: twoPizzas }] });
    expect(eta.ordersAhead).toBe(0);
    expect(eta.kitchenMinutes).toBe(5);
  });

  it('on the way: only the route from where the courier is', () => {
    const order = {
      status: 'out_for_delivery' as const,
      mode: 'delivery' as const,
      promisedAt: '2026-11-25T19:30:00.000Z',
      lines: twoPizzas,
    };
    const eta = estimateEta({ ...base, order, ahead: [], routeMinutes: 6 });
    expect(eta.stage).toBe('on_the_way');
    expect(eta.at).toBe('2026-11-25T18:06:00.000Z');
  });

  it('a slot booked for later is the expected time', () => {
    const order = {
      status: 'received' as const,
      mode: 'delivery' as const,
      promisedAt: '2026-11-25T20:00:00.000Z',
      lines: twoPizzas,
    };
    expect(estimateEta({ ...base, order, ahead: [] }).at).toBe('2026-11-25T20:00:00.000Z');
  });

  it('has no time once finished, and keeps the source label', () => {
    const order = {
      status: 'delivered' as const,
      mode: 'delivery' as const,
      promisedAt: null,
      lines: twoPizzas,
    };
    const eta = estimateEta({ ...base, order, ahead: [], source: 'estimate' });
    expect(eta).toMatchObject({ at: null, stage: 'done', source: 'estimate' });
  });

  it('kitchen minutes shrink as the order moves on', () => {
    const lines = twoPizzas;
    const r = remainingKitchenMinutes({ status: 'received', lines }, products);
    const p = remainingKitchenMinutes({ status: 'preparing', lines }, products);
    const b = remainingKitchenMinutes({ status: 'baking', lines }, products);
    const ready = remainingKitchenMinutes({ status: 'ready', lines }, products);
    expect([r, p, b, ready]).toEqual([20, 15, 5, 0]);
  });

  it('straight-line estimate: 1 km as the crow flies at 18 km/h is about 5 minutes', () => {
    const from = { lat: 48.8566, lng: 2.3522 };
    const to = { lat: 48.8656, lng: 2.3522 }; // ~1 km north
    expect(straightLineMinutes(from, to, 18)).toBe(5);
    expect(straightLineMinutes(from, from, 18)).toBe(0);
  });
});
