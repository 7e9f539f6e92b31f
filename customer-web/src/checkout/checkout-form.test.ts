import { describe, expect, it } from 'vitest';
import {
  checkCheckout,
  emptyDraft,
  fitPaymentMethod,
  paymentMethodsFor,
  problemsFromIssues,
} from './checkout-form.js';

const now = new Date('2026-11-25T18:00:00Z');
const lines = [{ productId: 10, quantity: 2 }];
const context = { shopId: 1, lines, onlineCard: true, now };

function filled() {
  return {
    ...emptyDraft('delivery'),
    address: { line1: '10 rue de la Roquette', postcode: '75011', city: 'Paris', instructions: 'code 1234' },
    name: ' Camille Martin ',
    phone: '06 12 34 56 78',
    email: '',
  };
}

describe('payment methods', () => {
  it('offers the door for deliveries, the counter for pick-up, and the card online only when configured', () => {
    expect(paymentMethodsFor('delivery', true)).toEqual(['card_online', 'cash_at_door', 'card_at_door']);
    expect(paymentMethodsFor('pickup', false)).toEqual(['at_counter']);
  });

  it('moves to a method that fits when the mode changes', () => {
    const draft = { ...filled(), paymentMethod: 'card_at_door' as const };
    expect(fitPaymentMethod({ ...draft, mode: 'pickup' }, false).paymentMethod).toBe('at_counter');
    expect(fitPaymentMethod({ ...draft, paymentMethod: 'card_online' }, false).paymentMethod).toBe(
      'cash_at_door',
    );
    expect(fitPaymentMethod(draft, true).paymentMethod).toBe('card_at_door');
  });
});

describe('checkCheckout', () => {
  it('builds the body the hub takes, trimmed, without empty optional fields', () => {
    const check = checkCheckout(filled(), context);
    expect(check).toEqual({
      ok: true,
      body: {
        shopId: 1,
        channel: 'web',
        mode: 'delivery',
        customer: { name: 'Camille Martin', phone: '06 12 34 56 78' },
        deliveryAddress: {
          line1: '10 rue de la Roquette',
          postcode: '75011',
          city: 'Paris',
          instructions: 'code 1234',
        },
        lines,
        paymentMethod: 'cash_at_door',
      },
    });
  });

  it('sends a wanted time and leaves the address out of a pick-up', () => {
    const draft = {
      ...filled(),
      mode: 'pickup' as const,
      paymentMethod: 'at_counter' as const,
      when: '2026-11-25T19:45:00+01:00',
    };
    const check = checkCheckout(draft, context);
    expect(check.ok && check.body.promisedAt).toBe('2026-11-25T19:45:00+01:00');
    expect(check.ok && check.body.deliveryAddress).toBeUndefined();
  });

  it('says field by field what to fix', () => {
    const draft = {
      ...emptyDraft('delivery'),
      address: { line1: '', postcode: '7501', city: 'Paris', instructions: '' },
      phone: '12',
      email: 'camille@',
      when: '2026-11-25T17:00:00+01:00',
      paymentMethod: 'at_counter' as const,
    };
    const check = checkCheckout(draft, { ...context, lines: [] });
    expect(check).toEqual({
      ok: false,
      problems: {
        lines: 'required',
        name: 'required',
        phone: 'phone',
        email: 'email',
        line1: 'required',
        postcode: 'postcode',
        when: 'past',
        paymentMethod: 'method',
      },
    });
  });
});

describe('problemsFromIssues', () => {
  it('maps the hub’s field paths to the form', () => {
    expect(
      problemsFromIssues([
        { path: 'customer.phone', message: 'a phone number of 6 to 20 digits' },
        { path: 'deliveryAddress.postcode', message: 'a 5-digit French postcode' },
        { path: 'lines.0.quantity', message: 'Too big' },
        { path: 'somethingElse', message: '?' },
      ]),
    ).toEqual({ phone: 'phone', postcode: 'postcode', lines: 'invalid' });
  });
});
