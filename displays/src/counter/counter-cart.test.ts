import { describe, expect, it } from 'vitest';
import type { MenuProduct } from '@ocp/hub/contract';
import {
  addProduct,
  emptyDraft,
  problems,
  remaining,
  setMode,
  setNotes,
  setQuantity,
  toCreateOrderBody,
  totals,
} from './counter-cart.js';

const product = (id: number, available: number, priceCents = 1090): MenuProduct => ({
  id,
  slug: `p${id}`,
  name: `Pizza ${id}`,
  kind: 'pizza',
  description: '',
  priceCents,
  vatRateBp: 1000,
  photoUrl: null,
  available,
  recipe: [],
  steps: [],
  prepMinutes: 4,
  bakeMinutes: 2,
  allergens: [],
  mayContain: [],
});

describe('counter cart', () => {
  it('adds products up to what the kitchen can still make', () => {
    const p = product(1, 2);
    let d = addProduct(emptyDraft(25), p);
    d = addProduct(d, p);
    expect(remaining(d, p)).toBe(0);
    expect(addProduct(d, p)).toBe(d);
    expect(d.lines).toEqual([expect.objectContaining({ productId: 1, quantity: 2 })]);
  });

  it('a line with notes stays apart; quantity 0 removes the line', () => {
    const p = product(1, 10);
    let d = setNotes(addProduct(emptyDraft(25), p), 0, 'sans olives');
    d = addProduct(d, p);
    expect(d.lines.map((l) => [l.quantity, l.notes])).toEqual([
      [1, 'sans olives'],
      [1, ''],
    ]);
    d = setQuantity(d, 0, 0);
    expect(d.lines).toHaveLength(1);
  });

  it('prices in integer cents with VAT included', () => {
    let d = addProduct(emptyDraft(25), product(1, 5, 1090));
    d = setQuantity(d, 0, 3);
    expect(totals(d)).toEqual({ totalCents: 3270, vatCents: 297, netCents: 2973 });
  });

  it('switching to delivery pays at the door, back to pick-up at the counter', () => {
    const d = setMode(emptyDraft(25), 'delivery');
    expect(d.paymentMethod).toBe('cash_at_door');
    expect(setMode(d, 'pickup').paymentMethod).toBe('at_counter');
  });

  it('says what is missing, and builds the API body once complete', () => {
    let d = setMode(emptyDraft(25), 'delivery');
    expect(problems(d)).toEqual(['lines', 'name', 'phone', 'address']);
    d = { ...addProduct(d, product(7, 3)), name: ' Jules ', phone: '06 12 34 56 78' };
    d = { ...d, address: { line1: '3 rue Oberkampf', postcode: '75011', city: 'Paris', instructions: '' } };
    expect(problems(d)).toEqual([]);
    const body = toCreateOrderBody(d, 1, new Date('2026-11-25T19:00:00Z'));
    expect(body).toMatchObject({
      shopId: 1,
      channel: 'phone',
      mode: 'delivery',
      customer: { name: 'Jules', phone: '06 12 34 56 78' },
      deliveryAddress: { line1: '3 rue Oberkampf', postcode: '75011', city: 'Paris' },
      lines: [{ productId: 7, quantity: 1 }],
      paymentMethod: 'cash_at_door',
      promisedAt: '2026-11-25T19:25:00.000Z',
    });
  });
});
