import { forCustomer } from '@ocp/hub/contract';
import { describe, expect, it } from 'vitest';
import { orderEvent, stockEvent, trackedOrder } from '../testing/fixtures.js';
import {
  applyCourierPosition,
  applyTrackingEvent,
  stageSteps,
  trackingFromSnapshot,
  type TrackingState,
} from './tracking-state.js';

function start(overrides: Parameters<typeof trackedOrder>[0] = {}): TrackingState {
  return trackingFromSnapshot({ seq: 10, order: trackedOrder(overrides), courierPosition: null });
}

describe('applyTrackingEvent', () => {
  it('moves the order to its new status and closes changes once the kitchen starts', () => {
    const state = start();
    const next = applyTrackingEvent(
      state,
      orderEvent('order.status_changed', trackedOrder({ status: 'preparing', version: 3 })),
    );
    expect(next.order.status).toBe('preparing');
    expect(next.order.version).toBe(3);
    expect(next.order.modifiable).toBe(false);
    // What the event does not carry stays: the shop's name and phone.
    expect(next.order.shopPhone).toBe('01 43 55 12 34');
  });

  it('applies a staff event as the hub projects it for customers: the refund shows, the dispute never', () => {
    const state = start({ status: 'cancelled', paymentStatus: 'paid', version: 4, modifiable: false });
    const {
      shopName: _n,
      shopPhone: _p,
      modifiable: _m,
      statusReason: _s,
      ...rest
    } = trackedOrder({
      status: 'cancelled',
      paymentStatus: 'paid',
      version: 5,
      refund: {
        status: 'failed',
        amountCents: 1980,
        failure: 'lost_or_stolen_card',
        updatedAt: '2026-11-25T19:05:00.000Z',
      },
    });
    const staffOrder = {
      ...rest,
      courierId: null,
      offer: null,
      dispute: {
        id: 'dp_1',
        status: 'needs_response' as const,
        reason: 'fraudulent',
        amountCents: 1980,
        evidenceDueBy: null,
        updatedAt: '2026-11-25T19:05:00.000Z',
      },
    };
    const event = forCustomer({
      seq: 50,
      type: 'order.modified' as const,
      shopId: staffOrder.shopId,
      orderId: staffOrder.id,
      version: 5,
      at: '2026-11-25T19:05:00.000Z',
      data: { fields: ['refund'], order: staffOrder },
    });
    const next = applyTrackingEvent(state, event);
    expect(next.order.version).toBe(5);
    expect(next.order.refund).toMatchObject({ status: 'failed', failure: 'lost_or_stolen_card' });
    expect(next.order).not.toHaveProperty('dispute');
  });

  it('never goes back to an older or equal version', () => {
    const state = start({ status: 'baking', version: 5, modifiable: false });
    const old = orderEvent('order.status_changed', trackedOrder({ status: 'preparing', version: 4 }));
    expect(applyTrackingEvent(state, old)).toBe(state);
    const same = orderEvent('order.modified', trackedOrder({ status: 'baking', version: 5 }));
    expect(applyTrackingEvent(state, same)).toBe(state);
  });

  it('takes modified lines and totals', () => {
    const state = start();
    const changed = trackedOrder({
      version: 3,
      lines: [
        {
          productId: 11,
          productName: 'Reine',
          quantity: 1,
          unitPriceCents: 1250,
          vatRateBp: 1000,
          notes: null,
        },
      ],
      totals: { totalCents: 1250, vatCents: 114, netCents: 1136 },
    });
    const next = applyTrackingEvent(state, orderEvent('order.modified', changed));
    expect(next.order.lines.map((l) => l.productName)).toEqual(['Reine']);
    expect(next.order.totals.totalCents).toBe(1250);
    expect(next.order.modifiable).toBe(true);
  });

  it('keeps the reason of a failed delivery and drops the courier', () => {
    let state = start({ status: 'out_for_delivery', version: 7, modifiable: false });
    state = applyCourierPosition(state, { position: { lat: 48.86, lng: 2.37 }, at: '2026-11-25T19:20:00Z' });
    expect(state.courier).not.toBeNull();
    const failed = orderEvent(
      'order.status_changed',
      trackedOrder({ status: 'delivery_failed', version: 8 }),
      {
        from: 'out_for_delivery',
        to: 'delivery_failed',
        reason: 'Personne à l’adresse',
        by: { kind: 'staff', id: null },
      },
    );
    const next = applyTrackingEvent(state, failed);
    expect(next.failureReason).toBe('Personne à l’adresse');
    expect(next.courier).toBeNull();
  });

  it('ignores other orders, stock events and malformed data', () => {
    const state = start();
    const other = orderEvent(
      'order.status_changed',
      trackedOrder({ id: '00000000-0000-4000-8000-000000000009', version: 9 }),
    );
    expect(applyTrackingEvent(state, other)).toBe(state);
    expect(applyTrackingEvent(state, stockEvent([]))).toBe(state);
    expect(applyTrackingEvent(state, { ...other, orderId: state.order.id, data: { order: 'x' } })).toBe(
      state,
    );
  });
});

describe('applyCourierPosition', () => {
  it('moves the courier while out for delivery, ignoring positions older than the one shown', () => {
    const state = start({ status: 'out_for_delivery', version: 7, modifiable: false });
    const a = applyCourierPosition(state, { position: { lat: 1, lng: 1 }, at: '2026-11-25T19:20:10Z' });
    const b = applyCourierPosition(a, { position: { lat: 2, lng: 2 }, at: '2026-11-25T19:20:05Z' });
    expect(b.courier?.position).toEqual({ lat: 1, lng: 1 });
    const c = applyCourierPosition(a, { position: { lat: 3, lng: 3 }, at: '2026-11-25T19:20:20Z' });
    expect(c.courier?.position).toEqual({ lat: 3, lng: 3 });
    const kitchen = start({ status: 'baking' });
    expect(applyCourierPosition(kitchen, { position: { lat: 1, lng: 1 }, at: '2026-11-25T19:20:10Z' })).toBe(
      kitchen,
    );
  });
});

describe('stageSteps', () => {
  const states = (order: Parameters<typeof stageSteps>[0]) =>
    stageSteps(order).map((s) => `${s.status}:${s.state}`);

  it('marks earlier stages done and highlights the current one', () => {
    expect(states({ mode: 'delivery', status: 'baking' })).toEqual([
      'received:done',
      'preparing:done',
      'baking:current',
      'ready:todo',
      'out_for_delivery:todo',
      'delivered:todo',
    ]);
  });

  it('shows a delivered or collected order with every stage done, none current', () => {
    expect(stageSteps({ mode: 'pickup', status: 'picked_up' }).map((s) => s.state)).toEqual([
      'done',
      'done',
      'done',
      'done',
      'done',
    ]);
    const delivered = stageSteps({ mode: 'delivery', status: 'delivered' });
    expect(delivered.map((s) => s.status).at(-1)).toBe('delivered');
    expect(delivered.every((s) => s.state === 'done')).toBe(true);
  });

  it('has no current stage before payment or after a cancellation; a failed delivery stops on the way', () => {
    expect(stageSteps({ mode: 'pickup', status: 'pending_payment' }).every((s) => s.state === 'todo')).toBe(
      true,
    );
    expect(stageSteps({ mode: 'delivery', status: 'cancelled' }).every((s) => s.state === 'todo')).toBe(true);
    expect(states({ mode: 'delivery', status: 'delivery_failed' }).slice(3)).toEqual([
      'ready:done',
      'out_for_delivery:current',
      'delivered:todo',
    ]);
  });
});

describe('a failed delivery after a reload', () => {
  it('shows the reason the order carries', () => {
    const state = trackingFromSnapshot({
      seq: 10,
      order: trackedOrder({
        status: 'delivery_failed',
        statusReason: 'Personne à l’adresse',
        modifiable: false,
      }),
      courierPosition: null,
    });
    expect(state.failureReason).toBe('Personne à l’adresse');
  });
});
