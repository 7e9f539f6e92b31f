import { describe, expect, it } from 'vitest';
import type { EventEnvelope, Order } from '@ocp/hub/contract';
import { makeOrder, orderEvent } from '../testing/fixtures.js';
import {
  applyCourierEvent,
  courierViewFromSnapshot,
  deliveries,
  navigationUrl,
  offers,
  offerSecondsLeft,
  sharesPosition,
  toCollect,
} from './courier-view.js';
import { enqueue, pendingOrders, settle } from './pending-commands.js';

const me = '11111111-1111-4111-8111-111111111111';
const other = '22222222-2222-4222-8222-222222222222';
const order = (overrides: Partial<Order> = {}): Order =>
  makeOrder({
    mode: 'delivery',
    status: 'ready',
    version: 4,
    deliveryAddress: {
      line1: '24 rue de la Roquette',
      postcode: '75011',
      city: 'Paris',
      instructions: null,
      position: { lat: 48.8549, lng: 2.3736 },
    },
    lines: [
      { productId: 1, productName: 'Reine', quantity: 2, unitPriceCents: 1190, vatRateBp: 1000, notes: null },
    ],
    totals: { totalCents: 2380, vatCents: 216, netCents: 2164 },
    paymentMethod: 'cash_at_door',
    ...overrides,
  });
const event = (o: Order, type: EventEnvelope['type'] = 'order.offer_changed') => orderEvent(o, type);
const empty = () => courierViewFromSnapshot({ seq: 0, courierId: me, shopId: 1, orders: [] });

describe('courier view', () => {
  it('counts down the seconds left to answer an offer, never below zero', () => {
    const o = order({ offer: { courierId: me, expiresAt: '2026-11-25T19:21:00.000Z' } });
    expect(offerSecondsLeft(o, new Date('2026-11-25T19:20:40.000Z'))).toBe(20);
    expect(offerSecondsLeft(o, new Date('2026-11-25T19:20:58.200Z'))).toBe(1);
    expect(offerSecondsLeft(o, new Date('2026-11-25T19:21:03.000Z'))).toBe(0);
    expect(offerSecondsLeft(order({ offer: null }), new Date())).toBe(0);
  });

  it('an offer to me appears, an offer moved to someone else disappears', () => {
    const o = order({ offer: { courierId: me, expiresAt: '2026-11-25T19:21:00.000Z' }, version: 5 });
    let s = applyCourierEvent(empty(), event(o));
    expect(offers(s).map((x) => x.id)).toEqual([o.id]);
    s = applyCourierEvent(
      s,
      event({ ...o, version: 6, offer: { courierId: other, expiresAt: o.offer!.expiresAt } }),
    );
    expect(s.orders).toEqual({});
  });

  it('an accepted order is a delivery; out for delivery first; an older version changes nothing', () => {
    const a = order({ courierId: me, version: 6 });
    const b = order({ courierId: me, status: 'out_for_delivery', version: 7 });
    let s = applyCourierEvent(
      applyCourierEvent(empty(), event(a, 'order.courier_assigned')),
      event(b, 'order.status_changed'),
    );
    expect(deliveries(s).map((x) => x.id)).toEqual([b.id, a.id]);
    expect(sharesPosition(s)).toBe(true);
    const stale = applyCourierEvent(s, event({ ...a, version: 5, courierId: null }));
    expect(stale).toBe(s);
    s = applyCourierEvent(s, event({ ...b, status: 'delivered', version: 8 }, 'order.status_changed'));
    expect(sharesPosition(s)).toBe(false);
    expect(deliveries(s).map((x) => x.id)).toEqual([a.id]);
  });

  it('says what to collect and how', () => {
    expect(toCollect(order())).toEqual({ how: 'cash', cents: 2380 });
    expect(toCollect(order({ paymentMethod: 'card_at_door' }))).toEqual({ how: 'card', cents: 2380 });
    expect(toCollect(order({ paymentMethod: 'card_online', paymentStatus: 'paid' }))).toEqual({
      how: 'paid',
    });
  });

  it('opens navigation to the position, or to the address when unknown', () => {
    expect(navigationUrl(order())).toContain('destination=48.8549%2C2.3736');
    const noPos = order({
      deliveryAddress: {
        line1: '3 rue Oberkampf',
        postcode: '75011',
        city: 'Paris',
        instructions: null,
        position: null,
      },
    });
    expect(navigationUrl(noPos)).toContain(encodeURIComponent('3 rue Oberkampf, 75011 Paris'));
  });

  it('queues a command once per idempotency key and clears it when settled', () => {
    const command = {
      name: 'order:transition' as const,
      idempotencyKey: 'k-000001',
      payload: { orderId: 'o1', to: 'delivered' as const },
    };
    let q = enqueue([], { command, label: 'Livrée', at: '' });
    q = enqueue(q, { command, label: 'Livrée', at: '' });
    expect(q).toHaveLength(1);
    expect(pendingOrders(q)).toEqual(new Set(['o1']));
    expect(settle(q, 'k-000001')).toEqual([]);
  });
});
