import type { CreateOrderBody, MenuProduct, OrderMode, PaymentMethod } from '@ocp/hub/contract';
import { priceOrder, type OrderTotals } from '@ocp/hub/domain/pricing';

/** The order being taken at the counter, as plain data: every rule here is unit-tested. */
export type CartLine = {
  productId: number;
  name: string;
  unitPriceCents: number;
  vatRateBp: number;
  quantity: number;
  notes: string;
};

export type CounterDraft = {
  channel: 'phone' | 'counter';
  mode: OrderMode;
  phone: string;
  name: string;
  address: { line1: string; postcode: string; city: string; instructions: string };
  lines: CartLine[];
  paymentMethod: PaymentMethod;
  /** Minutes after now the customer is told it will be ready. */
  readyInMinutes: number;
};

export function emptyDraft(leadMinutes: number): CounterDraft {
  return {
    channel: 'phone',
    mode: 'pickup',
    phone: '',
    name: '',
    address: { line1: '', postcode: '', city: '', instructions: '' },
    lines: [],
    paymentMethod: 'at_counter',
    readyInMinutes: leadMinutes,
  };
}

/** Switching mode keeps the payment method sensible: at the counter for pick-up, at the door for delivery. */
export function setMode(draft: CounterDraft, mode: OrderMode): CounterDraft {
  const paymentMethod: PaymentMethod =
    mode === 'pickup'
      ? 'at_counter'
      : draft.paymentMethod === 'card_at_door'
        ? 'card_at_door'
        : 'cash_at_door';
  return { ...draft, mode, paymentMethod };
}

/** How many more of a product the cart may take: what the kitchen can still make, minus what is in it. */
export function remaining(draft: CounterDraft, product: MenuProduct): number {
  const inCart = draft.lines.filter((l) => l.productId === product.id).reduce((n, l) => n + l.quantity, 0);
  return Math.max(0, product.available - inCart);
}

export function addProduct(draft: CounterDraft, product: MenuProduct): CounterDraft {
  if (remaining(draft, product) <= 0) return draft;
  const index = draft.lines.findIndex((l) => l.productId === product.id && l.notes === '');
  if (index >= 0) return setQuantity(draft, index, draft.lines[index]!.quantity + 1);
  const line: CartLine = {
    productId: product.id,
    name: product.name,
    unitPriceCents: product.priceCents,
    vatRateBp: product.vatRateBp,
    quantity: 1,
    notes: '',
  };
  return { ...draft, lines: [...draft.lines, line] };
}

export function setQuantity(draft: CounterDraft, index: number, quantity: number): CounterDraft {
  if (!draft.lines[index]) return draft;
  if (quantity <= 0) return { ...draft, lines: draft.lines.filter((_, i) => i !== index) };
  return {
    ...draft,
    lines: draft.lines.map((l, i) => (i === index ? { ...l, quantity: Math.min(quantity, 50) } : l)),
  };
}

export function setNotes(draft: CounterDraft, index: number, notes: string): CounterDraft {
  if (!draft.lines[index]) return draft;
  return {
    ...draft,
    lines: draft.lines.map((l, i) => (i === index ? { ...l, notes: notes.slice(0, 200) } : l)),
  };
}

export function totals(draft: CounterDraft): OrderTotals {
  return priceOrder(draft.lines);
}

/** What still stops the order, in the order a person fixes it; empty when it can be sent. */
export function problems(draft: CounterDraft): Array<'lines' | 'name' | 'phone' | 'address'> {
  const out: Array<'lines' | 'name' | 'phone' | 'address'> = [];
  if (draft.lines.length === 0) out.push('lines');
  if (draft.name.trim() === '') out.push('name');
  if (!/^\+?[0-9 .-]{6,20}$/.test(draft.phone.trim())) out.push('phone');
  if (
    draft.mode === 'delivery' &&
    (draft.address.line1.trim().length < 3 ||
      !/^\d{5}$/.test(draft.address.postcode.trim()) ||
      draft.address.city.trim() === '')
  ) {
    out.push('address');
  }
  return out;
}

export function toCreateOrderBody(draft: CounterDraft, shopId: number, now: Date): CreateOrderBody {
  const a = draft.address;
  return {
    shopId,
    channel: draft.channel,
    mode: draft.mode,
    customer: { name: draft.name.trim(), phone: draft.phone.trim() },
    ...(draft.mode === 'delivery'
      ? {
          deliveryAddress: {
            line1: a.line1.trim(),
            postcode: a.postcode.trim(),
            city: a.city.trim(),
            ...(a.instructions.trim() ? { instructions: a.instructions.trim() } : {}),
          },
        }
      : {}),
    lines: draft.lines.map((l) => ({
      productId: l.productId,
      quantity: l.quantity,
      ...(l.notes.trim() ? { notes: l.notes.trim() } : {}),
    })),
    paymentMethod: draft.paymentMethod,
    promisedAt: new Date(now.getTime() + draft.readyInMinutes * 60_000).toISOString(),
  };
}
