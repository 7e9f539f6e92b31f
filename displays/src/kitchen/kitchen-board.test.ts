import { describe, expect, it } from 'vitest';
import type { AdminProduct, EventEnvelope, KitchenSnapshot, MenuProduct, Order } from '@ocp/hub/contract';
import { makeOrder, orderEvent, testShop } from '../testing/fixtures.js';
import {
  allDayCounts,
  applyKitchenEvent,
  boardGrid,
  dismissTicket,
  kitchenBoardFromSnapshot,
  lateness,
  recallLast,
  toggleLine,
  visibleTickets,
  type KitchenBoardState,
} from './kitchen-board.js';

const shop = testShop;
const order = (overrides: Partial<Order> = {}): Order =>
  makeOrder({
    lines: [
      {
        productId: 1,
        productName: 'Margherita',
        quantity: 2,
        unitPriceCents: 990,
        vatRateBp: 1000,
        notes: null,
      },
      {
        productId: 2,
        productName: 'Reine',
        quantity: 1,
        unitPriceCents: 1190,
        vatRateBp: 1000,
        notes: 'sans olives',
      },
    ],
    ...overrides,
  });
const event = (type: EventEnvelope['type'], o: Order) => orderEvent(o, type);

function board(orders: Order[] = []): KitchenBoardState {
  const snapshot: KitchenSnapshot = { seq: 100, shopId: 1, shop, orders, products: [] };
  return kitchenBoardFromSnapshot(snapshot);
}

const bump = (o: Order, status: Order['status']): Order => ({ ...o, status, version: o.version + 1 });

describe('kitchen board state', () => {
  it('shows only kitchen statuses from the snapshot, unmarked', () => {
    const s = board([
      order(),
      order({ status: 'pending_payment' }),
      order({ status: 'ready' }),
      order({ status: 'delivered' }),
    ]);
    expect(
      Object.values(s.tickets)
        .map((t) => t.order.status)
        .sort(),
    ).toEqual(['ready', 'received']);
    expect(Object.values(s.tickets).every((t) => t.mark === null)).toBe(true);
  });

  it('a new order appears marked new; an unpaid online order waits until it is received', () => {
    const unpaid = order({ status: 'pending_payment' });
    let s = applyKitchenEvent(board(), event('order.created', unpaid));
    expect(s.tickets[unpaid.id]).toBeUndefined();
    s = applyKitchenEvent(s, event('order.status_changed', bump(unpaid, 'received')));
    expect(s.tickets[unpaid.id]?.mark).toBe('new');
  });

  it('the "new" banner goes once the ticket moves on; a modified one stays until seen', () => {
    const o = order();
    let s = applyKitchenEvent(board(), event('order.created', o));
    expect(s.tickets[o.id]?.mark).toBe('new');
    s = applyKitchenEvent(s, event('order.status_changed', bump(o, 'preparing')));
    expect(s.tickets[o.id]?.mark).toBeNull();

    const m = order();
    let t = applyKitchenEvent(board([m]), event('order.modified', { ...m, version: 2 }));
    t = applyKitchenEvent(t, event('order.status_changed', { ...m, status: 'preparing', version: 3 }));
    expect(t.tickets[m.id]?.mark).toBe('modified');
  });

  it('the tickets share the board: one alone, three side by side, eight in two rows, twenty in four', () => {
    expect(boardGrid(0)).toEqual({ columns: 1, rows: 1 });
    expect(boardGrid(1)).toEqual({ columns: 1, rows: 1 });
    expect(boardGrid(3)).toEqual({ columns: 3, rows: 1 });
    expect(boardGrid(8)).toEqual({ columns: 4, rows: 2 });
    expect(boardGrid(12)).toEqual({ columns: 4, rows: 3 });
    expect(boardGrid(20)).toEqual({ columns: 6, rows: 4 });
  });

  it('ignores duplicates and older versions, so replays and snapshots overlap safely', () => {
    const o = order();
    const s1 = applyKitchenEvent(board([o]), event('order.status_changed', bump(o, 'preparing')));
    const again = applyKitchenEvent(s1, event('order.status_changed', bump(o, 'preparing')));
    expect(again).toBe(s1);
    const older = applyKitchenEvent(s1, event('order.created', o));
    expect(older).toBe(s1);
    expect(s1.tickets[o.id]?.order.status).toBe('preparing');
  });

  it('marks a ticket modified by the customer and clears its ticks; dismissing removes the mark', () => {
    const o = order();
    let s = toggleLine(board([o]), o.id, 0);
    expect(s.tickets[o.id]?.checked).toEqual([0]);
    const changed: Order = { ...o, version: 2, lines: o.lines.slice(0, 1) };
    s = applyKitchenEvent(s, event('order.modified', changed));
    expect(s.tickets[o.id]?.mark).toBe('modified');
    expect(s.tickets[o.id]?.checked).toEqual([]);
    s = dismissTicket(s, o.id);
    expect(s.tickets[o.id]?.mark).toBeNull();
  });

  it('keeps a cancelled ticket on the board, marked, until dismissed', () => {
    const o = order({ status: 'preparing' });
    let s = applyKitchenEvent(
      board([o]),
      event('order.status_changed', { ...o, status: 'cancelled', version: 2 }),
    );
    expect(s.tickets[o.id]?.mark).toBe('cancelled');
    expect(visibleTickets(s, new Date('2026-11-25T19:10:00Z'))[0]?.next).toBeNull();
    expect(allDayCounts(s)).toEqual([]);
    s = dismissTicket(s, o.id);
    expect(s.tickets[o.id]).toBeUndefined();
  });

  it('a ticket leaving the kitchen (handed over) goes, and can be recalled', () => {
    const o = order({ status: 'ready', version: 4 });
    let s = applyKitchenEvent(
      board([o]),
      event('order.status_changed', { ...o, status: 'picked_up', version: 5 }),
    );
    expect(s.tickets[o.id]).toBeUndefined();
    s = recallLast(s);
    expect(s.recalled?.order.id).toBe(o.id);
  });

  it('orders tickets by due time: promised time first, else creation plus the lead time', () => {
    const early = order({ promisedAt: '2026-11-25T19:20:00.000Z' });
    const noPromise = order({ createdAt: '2026-11-25T18:50:00.000Z' }); // due 19:15
    const late = order({ promisedAt: '2026-11-25T20:00:00.000Z' });
    const tickets = visibleTickets(board([late, early, noPromise]), new Date('2026-11-25T19:00:00Z'));
    expect(tickets.map((t) => t.order.id)).toEqual([noPromise.id, early.id, late.id]);
    expect(tickets[0]?.ageMinutes).toBe(10);
  });

  it('colours by lateness with the shop threshold: amber 5 minutes before due, red once late', () => {
    const o = order({ promisedAt: '2026-11-25T19:30:00.000Z' });
    expect(lateness(o, shop, new Date('2026-11-25T19:24:59Z'))).toBe('on_time');
    expect(lateness(o, shop, new Date('2026-11-25T19:25:00Z'))).toBe('due_soon');
    expect(lateness(o, shop, new Date('2026-11-25T19:30:01Z'))).toBe('late');
    expect(lateness(o, { ...shop, kitchenWarnMinutes: 10 }, new Date('2026-11-25T19:21:00Z'))).toBe(
      'due_soon',
    );
  });

  it('counts all-day pizzas over received and preparing tickets only', () => {
    const a = order();
    const b = order({ status: 'preparing', lines: [{ ...order().lines[0]!, quantity: 3 }] });
    const c = order({ status: 'baking' });
    expect(allDayCounts(board([a, b, c]))).toEqual([
      { productId: 1, name: 'Margherita', count: 5 },
      { productId: 2, name: 'Reine', count: 1 },
    ]);
  });

  it('ignores events of another shop and non-order events', () => {
    const s = board();
    const other = order({ shopId: 2 });
    expect(applyKitchenEvent(s, event('order.created', other))).toBe(s);
    expect(
      applyKitchenEvent(s, { seq: 1, type: 'stock.changed', shopId: 1, at: '', data: { items: [] } }),
    ).toBe(s);
  });
});

describe('menu changes from the back-office', () => {
  const margherita: MenuProduct = {
    id: 1,
    slug: 'margherita',
    name: 'Margherita',
    kind: 'pizza',
    description: '',
    priceCents: 990,
    vatRateBp: 1000,
    photoUrl: null,
    available: 12,
    recipe: [
      { ingredientId: 3, ingredientName: 'Mozzarella', unit: 'g', quantity: 120, allergens: ['milk'] },
    ],
    steps: ['Étaler le pâton'],
    prepMinutes: 3,
    bakeMinutes: 2,
    allergens: ['milk'],
    mayContain: [],
  };
  const withMenu = () =>
    kitchenBoardFromSnapshot({ seq: 100, shopId: 1, shop, orders: [order()], products: [margherita] });
  const edited = (changes: Partial<AdminProduct>): AdminProduct => {
    const { available: _available, ...rest } = margherita;
    return { ...rest, active: true, position: 0, ...changes };
  };
  const menuChanged = (products: AdminProduct[], shopId = 1): EventEnvelope => ({
    seq: 101,
    type: 'menu.changed',
    shopId,
    at: '2026-11-25T12:00:00.000Z',
    data: { products },
  });

  it('a changed recipe replaces the recipe card; the count of what can be made stays', () => {
    const steps = ['Étaler le pâton à 30 cm', 'Mozzarella : 140 g'];
    const recipe = [
      { ingredientId: 3, ingredientName: 'Mozzarella', unit: 'g' as const, quantity: 140, allergens: [] },
    ];
    // The allergens changed with it (a lactose-free mozzarella): the card says so.
    const s = applyKitchenEvent(withMenu(), menuChanged([edited({ steps, recipe, allergens: [] })]));
    expect(s.products[1]).toEqual({ ...margherita, steps, recipe, allergens: [] });
    expect(Object.keys(s.tickets)).toHaveLength(1);
  });

  it('a new product gets its card; one taken off the menu loses it', () => {
    let s = applyKitchenEvent(
      withMenu(),
      menuChanged([edited({ id: 9, slug: 'nouvelle', name: 'Nouvelle' })]),
    );
    expect(s.products[9]?.name).toBe('Nouvelle');
    expect(s.products[9]?.available).toBe(0);
    s = applyKitchenEvent(s, menuChanged([edited({ active: false })]));
    expect(s.products[1]).toBeUndefined();
    expect(s.products[9]).toBeDefined();
  });

  it("ignores another shop's event and malformed data", () => {
    const s = withMenu();
    expect(applyKitchenEvent(s, menuChanged([edited({ name: 'Autre' })], 2))).toBe(s);
    expect(applyKitchenEvent(s, { ...menuChanged([]), data: { products: 'nope' } })).toBe(s);
  });
});
