import { describe, expect, it } from 'vitest';
import { OrderStatus as OrderStatusEnum } from '../contract/index.js';
import type { OrderMode, OrderStatus, PaymentMethod } from '../contract/index.js';
import type { Actor } from './actor.js';
import { decideTransition, initialStatus, isCustomerEditable, type OrderFacts } from './lifecycle.js';

// Written from the lifecycle table of DESIGN.md section 3, not from lifecycle.ts.

const STATUSES: readonly OrderStatus[] = OrderStatusEnum.options;
const TERMINAL: readonly OrderStatus[] = ['delivered', 'delivery_failed', 'picked_up', 'cancelled'];
const BEFORE_KITCHEN: readonly OrderStatus[] = ['pending_payment', 'received'];
const MODES: readonly OrderMode[] = ['delivery', 'pickup'];

const ORDER_ID = 'order-1';
const COURIER_ID = 'courier-1';

const ACTORS = {
  kitchen1: { kind: 'staff', staffId: 'kitchen-1', role: 'kitchen', shopId: 1 },
  kitchen2: { kind: 'staff', staffId: 'kitchen-2', role: 'kitchen', shopId: 2 },
  counter1: { kind: 'staff', staffId: 'counter-1', role: 'counter', shopId: 1 },
  counter2: { kind: 'staff', staffId: 'counter-2', role: 'counter', shopId: 2 },
  manager1: { kind: 'staff', staffId: 'manager-1', role: 'manager', shopId: 1 },
  manager2: { kind: 'staff', staffId: 'manager-2', role: 'manager', shopId: 2 },
  admin: { kind: 'staff', staffId: 'admin', role: 'admin', shopId: null },
  assignedCourier: { kind: 'staff', staffId: COURIER_ID, role: 'courier', shopId: 1 },
  otherCourier: { kind: 'staff', staffId: 'courier-2', role: 'courier', shopId: 1 },
  ownCustomer: { kind: 'customer', orderId: ORDER_ID },
  otherCustomer: { kind: 'customer', orderId: 'order-2' },
  system: { kind: 'system' },
  payment: { kind: 'payment' },
} as const satisfies Record<string, Actor>;
type ActorName = keyof typeof ACTORS;
const ACTOR_NAMES = Object.keys(ACTORS) as ActorName[];

type Rule = {
  from: OrderStatus;
  to: OrderStatus;
  who: readonly ActorName[];
  /** Modes the move exists in; both when absent. */
  modes?: readonly OrderMode[];
  reasonRequired?: boolean;
};

/**
 * Every allowed (from, to, actor) for an order of shop 1. Creation rows of the table
 * ((new) → pending_payment / received) are not transitions: see initialStatus below.
 */
const ALLOWED: readonly Rule[] = [
  { from: 'pending_payment', to: 'received', who: ['payment'] },
  { from: 'received', to: 'preparing', who: ['kitchen1'] },
  { from: 'preparing', to: 'baking', who: ['kitchen1'] },
  { from: 'baking', to: 'ready', who: ['kitchen1'] },
  { from: 'ready', to: 'out_for_delivery', who: ['assignedCourier'], modes: ['delivery'] },
  { from: 'out_for_delivery', to: 'delivered', who: ['assignedCourier'], modes: ['delivery'] },
  {
    from: 'out_for_delivery',
    to: 'delivery_failed',
    who: ['assignedCourier'],
    modes: ['delivery'],
    reasonRequired: true,
  },
  { from: 'ready', to: 'picked_up', who: ['counter1'], modes: ['pickup'] },
  {
    from: 'pending_payment',
    to: 'cancelled',
    who: ['ownCustomer', 'counter1', 'manager1', 'admin', 'system'],
  },
  { from: 'received', to: 'cancelled', who: ['ownCustomer', 'counter1', 'manager1', 'admin'] },
  { from: 'preparing', to: 'cancelled', who: ['manager1', 'admin'], reasonRequired: true },
  { from: 'baking', to: 'cancelled', who: ['manager1', 'admin'], reasonRequired: true },
  { from: 'ready', to: 'cancelled', who: ['manager1', 'admin'], reasonRequired: true },
  { from: 'out_for_delivery', to: 'cancelled', who: ['manager1', 'admin'], reasonRequired: true },
];

type Code = 'order/transition_not_allowed' | 'auth/forbidden' | 'order/locked' | 'order/invalid';
type Expected = { ok: true } | { ok: false; codes: readonly Code[] };

function expected(
  mode: OrderMode,
  from: OrderStatus,
  to: OrderStatus,
  who: ActorName,
  reason: string | undefined,
): Expected {
  const rule = ALLOWED.find(
    (r) => r.from === from && r.to === to && r.who.includes(who) && (r.modes ?? MODES).includes(mode),
  );
  if (rule) return rule.reasonRequired && !reason ? { ok: false, codes: ['order/invalid'] } : { ok: true };
  if (TERMINAL.includes(from)) return { ok: false, codes: ['order/transition_not_allowed'] };
  if (to === 'cancelled') {
    if (BEFORE_KITCHEN.includes(from)) return { ok: false, codes: ['auth/forbidden'] };
    // The customer and the counter learn the order is locked; for anyone else locked or forbidden will do.
    if (who === 'ownCustomer' || who === 'counter1') return { ok: false, codes: ['order/locked'] };
    return { ok: false, codes: ['order/locked', 'auth/forbidden'] };
  }
  const moveRules = ALLOWED.filter((r) => r.from === from && r.to === to);
  if (moveRules.some((r) => (r.modes ?? MODES).includes(mode)))
    return { ok: false, codes: ['auth/forbidden'] };
  if (moveRules.length > 0) {
    // The move exists, but for the other mode only.
    return { ok: false, codes: ['order/transition_not_allowed', 'auth/forbidden'] };
  }
  return { ok: false, codes: ['order/transition_not_allowed'] };
}

function order(mode: OrderMode, status: OrderStatus, shopId = 1): OrderFacts {
  return { id: ORDER_ID, shopId, mode, status, courierId: mode === 'delivery' ? COURIER_ID : null };
}

describe('the test table itself', () => {
  it('covers every order status of the contract', () => {
    expect([...STATUSES].sort()).toEqual([...OrderStatusEnum.options].sort());
  });
});

describe.each(MODES)('decideTransition, %s order of shop 1, against the DESIGN.md table', (mode) => {
  describe.each([
    ['without a reason', undefined],
    ['with a reason', 'Le client a appelé pour annuler'],
  ] as const)('%s', (_label, reason) => {
    it.each(STATUSES)('from %s: every (to, actor) pair', (from) => {
      const mismatches: string[] = [];
      for (const to of STATUSES) {
        for (const who of ACTOR_NAMES) {
          const want = expected(mode, from, to, who, reason);
          const got = decideTransition(order(mode, from), to, ACTORS[who], reason);
          if (want.ok !== got.ok) {
            mismatches.push(`${from} → ${to} by ${who}: expected ${want.ok ? 'allowed' : 'refused'}`);
          } else if (!want.ok && !got.ok) {
            if (!want.codes.includes(got.code)) {
              mismatches.push(
                `${from} → ${to} by ${who}: got ${got.code}, expected ${want.codes.join(' or ')}`,
              );
            }
            if (got.message.trim() === '') mismatches.push(`${from} → ${to} by ${who}: empty message`);
          }
        }
      }
      expect(mismatches).toEqual([]);
    });
  });
});

describe('decideTransition, the cases people meet', () => {
  it('lets the kitchen of the shop bump an order through its three stages', () => {
    expect(decideTransition(order('pickup', 'received'), 'preparing', ACTORS.kitchen1)).toEqual({ ok: true });
    expect(decideTransition(order('pickup', 'preparing'), 'baking', ACTORS.kitchen1)).toEqual({ ok: true });
    expect(decideTransition(order('pickup', 'baking'), 'ready', ACTORS.kitchen1)).toEqual({ ok: true });
  });

  it('refuses a bump from the kitchen of another shop, a manager or an admin', () => {
    for (const who of ['kitchen2', 'manager1', 'admin'] as const) {
      expect(decideTransition(order('pickup', 'received'), 'preparing', ACTORS[who])).toMatchObject({
        ok: false,
        code: 'auth/forbidden',
      });
    }
  });

  it('refuses to skip a kitchen stage, even for the kitchen', () => {
    expect(decideTransition(order('pickup', 'received'), 'ready', ACTORS.kitchen1)).toMatchObject({
      ok: false,
      code: 'order/transition_not_allowed',
    });
    expect(decideTransition(order('pickup', 'baking'), 'preparing', ACTORS.kitchen1)).toMatchObject({
      ok: false,
      code: 'order/transition_not_allowed',
    });
  });

  it('receives an online-card order only when the payment is confirmed', () => {
    expect(decideTransition(order('delivery', 'pending_payment'), 'received', ACTORS.payment)).toEqual({
      ok: true,
    });
    for (const who of ['ownCustomer', 'counter1', 'manager1', 'admin', 'system'] as const) {
      expect(decideTransition(order('delivery', 'pending_payment'), 'received', ACTORS[who])).toMatchObject({
        ok: false,
        code: 'auth/forbidden',
      });
    }
  });

  it('lets a manager cancel an order the kitchen started only with a reason', () => {
    const started = order('delivery', 'baking');
    expect(decideTransition(started, 'cancelled', ACTORS.manager1)).toMatchObject({
      ok: false,
      code: 'order/invalid',
    });
    expect(decideTransition(started, 'cancelled', ACTORS.manager1, null)).toMatchObject({
      ok: false,
      code: 'order/invalid',
    });
    expect(decideTransition(started, 'cancelled', ACTORS.manager1, '')).toMatchObject({
      ok: false,
      code: 'order/invalid',
    });
    expect(decideTransition(started, 'cancelled', ACTORS.manager1, 'Four en panne')).toEqual({ ok: true });
  });

  it('lets a manager cancel a received order without a reason', () => {
    expect(decideTransition(order('pickup', 'received'), 'cancelled', ACTORS.manager1)).toEqual({ ok: true });
  });

  it('tells the customer and the counter the order is locked once the kitchen started, reason or not', () => {
    for (const from of ['preparing', 'baking', 'ready'] as const) {
      for (const who of ['ownCustomer', 'counter1'] as const) {
        expect(decideTransition(order('pickup', from), 'cancelled', ACTORS[who], 'trop long')).toMatchObject({
          ok: false,
          code: 'order/locked',
        });
      }
    }
  });

  it('lets the customer cancel their own order only', () => {
    expect(decideTransition(order('delivery', 'received'), 'cancelled', ACTORS.ownCustomer)).toEqual({
      ok: true,
    });
    expect(decideTransition(order('delivery', 'received'), 'cancelled', ACTORS.otherCustomer)).toMatchObject({
      ok: false,
      code: 'auth/forbidden',
    });
  });

  it('lets the system cancel an unpaid order, and nothing else', () => {
    expect(decideTransition(order('delivery', 'pending_payment'), 'cancelled', ACTORS.system)).toEqual({
      ok: true,
    });
    expect(decideTransition(order('delivery', 'received'), 'cancelled', ACTORS.system)).toMatchObject({
      ok: false,
    });
    expect(decideTransition(order('delivery', 'ready'), 'cancelled', ACTORS.system, 'expired')).toMatchObject(
      {
        ok: false,
      },
    );
  });

  it('lets an admin (no shop) cancel the orders of any shop, like a manager', () => {
    for (const shopId of [1, 2, 7]) {
      expect(decideTransition(order('pickup', 'received', shopId), 'cancelled', ACTORS.admin)).toEqual({
        ok: true,
      });
      expect(decideTransition(order('pickup', 'ready', shopId), 'cancelled', ACTORS.admin, 'raison')).toEqual(
        {
          ok: true,
        },
      );
    }
  });

  it('gives shop 2 staff the rights on shop 2 orders that shop 1 staff have on shop 1 orders', () => {
    expect(decideTransition(order('pickup', 'received', 2), 'preparing', ACTORS.kitchen2)).toEqual({
      ok: true,
    });
    expect(decideTransition(order('pickup', 'received', 2), 'preparing', ACTORS.kitchen1)).toMatchObject({
      ok: false,
      code: 'auth/forbidden',
    });
    expect(decideTransition(order('pickup', 'ready', 2), 'picked_up', ACTORS.counter2)).toEqual({ ok: true });
    expect(decideTransition(order('pickup', 'ready', 2), 'picked_up', ACTORS.counter1)).toMatchObject({
      ok: false,
      code: 'auth/forbidden',
    });
    expect(decideTransition(order('pickup', 'baking', 2), 'cancelled', ACTORS.manager2, 'raison')).toEqual({
      ok: true,
    });
    expect(
      decideTransition(order('pickup', 'baking', 2), 'cancelled', ACTORS.manager1, 'raison'),
    ).toMatchObject({ ok: false });
    expect(decideTransition(order('pickup', 'received', 2), 'cancelled', ACTORS.counter2)).toEqual({
      ok: true,
    });
  });

  it('a failed delivery needs a reason', () => {
    expect(
      decideTransition(order('delivery', 'out_for_delivery'), 'delivery_failed', ACTORS.assignedCourier),
    ).toMatchObject({
      ok: false,
      code: 'order/invalid',
    });
  });

  it('lets only the assigned courier pick up, deliver or fail a delivery', () => {
    expect(decideTransition(order('delivery', 'ready'), 'out_for_delivery', ACTORS.assignedCourier)).toEqual({
      ok: true,
    });
    expect(
      decideTransition(order('delivery', 'ready'), 'out_for_delivery', ACTORS.otherCourier),
    ).toMatchObject({
      ok: false,
      code: 'auth/forbidden',
    });
    for (const to of ['delivered', 'delivery_failed'] as const) {
      expect(
        decideTransition(order('delivery', 'out_for_delivery'), to, ACTORS.assignedCourier, 'client absent'),
      ).toEqual({ ok: true });
      expect(decideTransition(order('delivery', 'out_for_delivery'), to, ACTORS.otherCourier)).toMatchObject({
        ok: false,
        code: 'auth/forbidden',
      });
    }
  });

  it('does not let any courier take a ready delivery order that has no courier yet', () => {
    const unassigned: OrderFacts = { ...order('delivery', 'ready'), courierId: null };
    for (const who of ['assignedCourier', 'otherCourier'] as const) {
      expect(decideTransition(unassigned, 'out_for_delivery', ACTORS[who])).toMatchObject({
        ok: false,
        code: 'order/transition_not_allowed',
      });
    }
  });

  it('refuses to hand a delivery order over the counter and to send a pick-up order out', () => {
    expect(decideTransition(order('delivery', 'ready'), 'picked_up', ACTORS.counter1)).toMatchObject({
      ok: false,
      code: 'order/transition_not_allowed',
    });
    expect(
      decideTransition(order('pickup', 'ready'), 'out_for_delivery', ACTORS.assignedCourier),
    ).toMatchObject({
      ok: false,
      code: 'order/transition_not_allowed',
    });
  });

  it('does not send a pick-up order out even if a courier id was left on it', () => {
    const pickupWithCourier: OrderFacts = { ...order('pickup', 'ready'), courierId: COURIER_ID };
    expect(decideTransition(pickupWithCourier, 'out_for_delivery', ACTORS.assignedCourier)).toMatchObject({
      ok: false,
      code: 'order/transition_not_allowed',
    });
  });

  it('accepts nothing, not even a manager cancel with a reason, once an order is finished', () => {
    for (const from of TERMINAL) {
      for (const to of STATUSES) {
        for (const who of ['manager1', 'admin'] as const) {
          expect(decideTransition(order('delivery', from), to, ACTORS[who], 'raison')).toMatchObject({
            ok: false,
            code: 'order/transition_not_allowed',
          });
        }
      }
    }
  });
});

describe('initialStatus', () => {
  it('makes an online card order wait for its payment', () => {
    expect(initialStatus('card_online')).toBe('pending_payment');
  });

  it.each<PaymentMethod>(['cash_at_door', 'card_at_door', 'at_counter'])(
    'sends a %s order straight to the kitchen queue',
    (method) => {
      expect(initialStatus(method)).toBe('received');
    },
  );
});

describe('isCustomerEditable', () => {
  it.each(STATUSES)('%s', (status) => {
    expect(isCustomerEditable(status)).toBe(status === 'pending_payment' || status === 'received');
  });
});
