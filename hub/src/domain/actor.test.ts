import { describe, expect, it } from 'vitest';
import type { StaffRole } from '../contract/index.js';
import { actorRef, isManagerOf, worksAt, type Actor, type StaffActor } from './actor.js';

const staff = (role: StaffRole, shopId: number | null, staffId = `${role}-${shopId}`): StaffActor => ({
  kind: 'staff',
  staffId,
  role,
  shopId,
});

describe('worksAt', () => {
  it('places a group admin in every shop', () => {
    for (const shopId of [1, 2, 8]) expect(worksAt(staff('admin', null), shopId)).toBe(true);
  });

  it.each<StaffRole>(['manager', 'kitchen', 'counter', 'courier'])(
    'places a %s in their own shop only',
    (role) => {
      expect(worksAt(staff(role, 1), 1)).toBe(true);
      expect(worksAt(staff(role, 1), 2)).toBe(false);
    },
  );
});

describe('isManagerOf', () => {
  it('gives a manager the rights on their own shop only', () => {
    expect(isManagerOf(staff('manager', 1), 1)).toBe(true);
    expect(isManagerOf(staff('manager', 1), 2)).toBe(false);
  });

  it('gives a group admin the manager rights on every shop', () => {
    for (const shopId of [1, 2, 8]) expect(isManagerOf(staff('admin', null), shopId)).toBe(true);
  });

  it.each<StaffRole>(['kitchen', 'counter', 'courier'])(
    'does not make a %s of the shop a manager',
    (role) => {
      expect(isManagerOf(staff(role, 1), 1)).toBe(false);
    },
  );

  it('does not make a customer, the system or the payment provider a manager', () => {
    const others: Actor[] = [{ kind: 'customer', orderId: 'o-1' }, { kind: 'system' }, { kind: 'payment' }];
    for (const actor of others) expect(isManagerOf(actor, 1)).toBe(false);
  });
});

describe('actorRef (who is recorded in the order history)', () => {
  it('records staff by their staff id', () => {
    expect(actorRef(staff('kitchen', 1, 'abc-123'))).toEqual({ kind: 'staff', id: 'abc-123' });
  });

  it('records the customer, the system and the payment provider without an id', () => {
    expect(actorRef({ kind: 'customer', orderId: 'o-1' })).toEqual({ kind: 'customer', id: null });
    expect(actorRef({ kind: 'system' })).toEqual({ kind: 'system', id: null });
    expect(actorRef({ kind: 'payment' })).toEqual({ kind: 'payment', id: null });
  });
});
