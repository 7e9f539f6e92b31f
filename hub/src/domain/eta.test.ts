import { describe, expect, it } from 'vitest';
import {
  estimatePromise,
  queueAhead,
  type QueuedOrder,
  remainingKitchenMinutes,
  straightLineMinutes,
  trackingEta,
  type PromiseInput,
} from './eta.js';

const products = new Map([
  [1, { prepMinutes: 4, bakeMinutes: 8 }],
  [2, { prepMinutes: 2, bakeMinutes: 10 }],
  [3, { prepMinutes: 0, bakeMinutes: 0 }],
]);
const now = new Date('2026-11-25T18:00:00.000Z');
const twoPizzas = [
  { productId: 1, quantity: 2 },
  { productId: 2, quantity: 1 },
  { productId: 3, quantity: 2 },
];
const base: PromiseInput = {
  now,
  mode: 'delivery',
  requestedAt: null,
  lines: twoPizzas,
  ahead: [],
  products,
  makers: 1,
  passMinutes: 5,
  handoverMinutes: 3,
  driveMinutes: 12,
  routeSource: 'route',
};
const minutes = (a: string, b: string) => (Date.parse(a) - Date.parse(b)) / 60_000;

describe('the promise of a new order', () => {
  it('adds preparation of every pizza, the longest bake, the pass, then the route leg', () => {
    const p = estimatePromise(base);
    // prep 4*2 + 2 = 10, bake max(8, 10) = 10, pass 5 -> kitchen 25; handover 3 + drive 12 -> 15
    expect(p.kitchenMinutes).toBe(25);
    expect(p.routeMinutes).toBe(15);
    expect(p.at).toBe('2026-11-25T18:40:00.000Z');
    // The kitchen works to the promise minus the route: the two differ by exactly the route.
    expect(p.readyBy).toBe('2026-11-25T18:25:00.000Z');
    expect(minutes(p.at, p.readyBy)).toBe(p.routeMinutes);
    expect(p.routeSource).toBe('route');
  });

  it('a pick-up is promised for when it is ready: kitchen and customer see the same time', () => {
    const p = estimatePromise({ ...base, mode: 'pickup', driveMinutes: null, routeSource: null });
    expect(p.at).toBe('2026-11-25T18:25:00.000Z');
    expect(p.readyBy).toBe(p.at);
    expect(p.routeMinutes).toBeNull();
    expect(p.routeSource).toBeNull();
  });

  it('rounds up to the next five minutes, never promising sooner than the kitchen can', () => {
    // One quick pizza: 3 + 2 + pass 5 = 10 minutes from 18:02 -> 18:12 -> promised 18:15.
    const p = estimatePromise({
      ...base,
      now: new Date('2026-11-25T18:02:00.000Z'),
      mode: 'pickup',
      lines: [{ productId: 9, quantity: 1 }],
      products: new Map([[9, { prepMinutes: 3, bakeMinutes: 2 }]]),
      driveMinutes: null,
    });
    expect(p.at).toBe('2026-11-25T18:15:00.000Z');
    expect(minutes(p.at, '2026-11-25T18:02:00.000Z')).toBeGreaterThanOrEqual(p.kitchenMinutes);
  });

  it('waits for the orders ahead in the kitchen, shared between the pizza makers', () => {
    const ahead = [
      {
        status: 'received' as const,
        lines: [{ productId: 1, quantity: 3 }],
        readyBy: '2026-11-25T18:10:00.000Z',
      },
      { status: 'preparing' as const, lines: [{ productId: 1, quantity: 2 }], readyBy: null },
      { status: 'baking' as const, lines: [{ productId: 1, quantity: 5 }], readyBy: null },
    ];
    const alone = estimatePromise({ ...base, mode: 'pickup' });
    const queued = estimatePromise({ ...base, mode: 'pickup', ahead });
    const twoMakers = estimatePromise({ ...base, mode: 'pickup', ahead, makers: 2 });
    expect(queued.ordersAhead).toBe(3);
    // 12 minutes for the received one, half of 8 for the one being prepared, none for the oven's.
    expect(queued.kitchenMinutes - alone.kitchenMinutes).toBe(16);
    expect(Date.parse(queued.at)).toBeGreaterThan(Date.parse(alone.at));
    expect(twoMakers.kitchenMinutes).toBeLessThan(queued.kitchenMinutes);
  });

  it('an order booked for later does not hold up one for as soon as possible', () => {
    const later = {
      status: 'received' as const,
      lines: [{ productId: 1, quantity: 6 }],
      readyBy: '2026-11-25T21:00:00.000Z',
    };
    const p = estimatePromise({ ...base, ahead: [later] });
    expect(p.ordersAhead).toBe(0);
    expect(p.at).toBe(estimatePromise(base).at);
  });

  it('each order counted ahead can bring the next one due in', () => {
    const soon = (readyBy: string) => ({
      status: 'received' as const,
      lines: [{ productId: 1, quantity: 2 }],
      readyBy,
    });
    // Alone this order is ready at 18:25; the first is due before, and its 8 minutes make ours
    // 18:33, which brings in the one due at 18:30; the one at 18:50 stays after.
    const q = queueAhead(
      [soon('2026-11-25T18:50:00.000Z'), soon('2026-11-25T18:30:00.000Z'), soon('2026-11-25T18:20:00.000Z')],
      products,
      1,
      Date.parse('2026-11-25T18:25:00.000Z'),
    );
    expect(q).toEqual({ count: 2, minutes: 16 });
    // A placed order's due time is fixed: only what is due before it (or with it, placed before).
    const placed = queueAhead(
      [
        { ...soon('2026-11-25T18:25:00.000Z'), createdAt: '2026-11-25T17:59:00.000Z' },
        { ...soon('2026-11-25T18:25:00.000Z'), createdAt: '2026-11-25T18:01:00.000Z' },
        soon('2026-11-25T18:20:00.000Z'),
        soon('2026-11-25T18:30:00.000Z'),
      ],
      products,
      1,
      Date.parse('2026-11-25T18:25:00.000Z'),
      Date.parse('2026-11-25T18:00:00.000Z'),
    );
    expect(placed).toEqual({ count: 2, minutes: 16 });
    // Times kept parsed by the caller (each node's queue copy) walk the same way.
    const parsed = (o: QueuedOrder): QueuedOrder => ({
      ...o,
      dueMs: Date.parse(o.readyBy!),
      ...(o.createdAt ? { placedMs: Date.parse(o.createdAt) } : {}),
    });
    const tickets = [
      { ...soon('2026-11-25T18:25:00.000Z'), createdAt: '2026-11-25T17:59:00.000Z' },
      { ...soon('2026-11-25T18:25:00.000Z'), createdAt: '2026-11-25T18:01:00.000Z' },
      soon('2026-11-25T18:20:00.000Z'),
    ];
    const own = [Date.parse('2026-11-25T18:25:00.000Z'), Date.parse('2026-11-25T18:00:00.000Z')] as const;
    expect(queueAhead(tickets.map(parsed), products, 1, ...own)).toEqual(
      queueAhead(tickets, products, 1, ...own),
    );
  });

  it('a requested time is the promise, and the kitchen is due that time minus the route', () => {
    const requestedAt = new Date('2026-11-25T20:00:00.000Z');
    const p = estimatePromise({ ...base, requestedAt });
    expect(p.at).toBe('2026-11-25T20:00:00.000Z');
    expect(p.readyBy).toBe('2026-11-25T19:45:00.000Z');
    const pickup = estimatePromise({ ...base, requestedAt, mode: 'pickup' });
    expect(pickup.at).toBe(pickup.readyBy);
  });

  it('labels a straight-line drive as an estimate', () => {
    expect(estimatePromise({ ...base, routeSource: 'estimate' }).routeSource).toBe('estimate');
  });
});

describe('what the tracking page says', () => {
  const promise = {
    at: '2026-11-25T18:40:00.000Z',
    readyBy: '2026-11-25T18:25:00.000Z',
    routeMinutes: 15,
    routeSource: 'estimate' as const,
  };

  it('is the promised time itself, even once the kitchen has fallen behind', () => {
    const late = new Date('2026-11-25T18:55:00.000Z');
    for (const status of ['received', 'baking', 'out_for_delivery'] as const) {
      const eta = trackingEta({
        now: late,
        order: { status, lines: twoPizzas, promise },
        ahead: [],
        products,
        makers: 1,
      });
      expect(eta.at).toBe(promise.at);
    }
  });

  it('counts the orders the kitchen takes first while this one waits', () => {
    const ahead = [{ status: 'preparing' as const, lines: twoPizzas, readyBy: '2026-11-25T18:20:00.000Z' }];
    const waiting = trackingEta({
      now,
      order: { status: 'received', lines: twoPizzas, promise },
      ahead,
      products,
      makers: 1,
    });
    expect(waiting).toMatchObject({ stage: 'kitchen', ordersAhead: 1, routeMinutes: 15, source: 'estimate' });
    const started = trackingEta({
      now,
      order: { status: 'baking', lines: twoPizzas, promise },
      ahead,
      products,
      makers: 1,
    });
    expect(started).toMatchObject({ ordersAhead: 0, kitchenMinutes: 5 });
    const onTheWay = trackingEta({
      now,
      order: { status: 'out_for_delivery', lines: twoPizzas, promise },
      ahead,
      products,
      makers: 1,
    });
    expect(onTheWay.stage).toBe('on_the_way');
  });

  it('has no time once finished', () => {
    const eta = trackingEta({
      now,
      order: { status: 'delivered', lines: twoPizzas, promise },
      ahead: [],
      products,
      makers: 1,
    });
    expect(eta).toMatchObject({ at: null, stage: 'done' });
  });
});

describe('kitchen work and drives', () => {
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
