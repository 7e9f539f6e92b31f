import {
  MenuChangedData,
  OrderEventData,
  type EventEnvelope,
  type KitchenSnapshot,
  type MenuProduct,
  type Order,
  type OrderStatus,
  type Shop,
} from '@ocp/hub/contract';

/**
 * The kitchen board as data: what the pizza makers see, derived from the snapshot and the events
 * with pure functions (no Vue, no I/O), so every rule here is unit-tested without a browser.
 */

/** Why a ticket is highlighted: it just arrived, the customer or a manager changed or cancelled it. */
export type TicketMark = 'new' | 'modified' | 'cancelled';

export type Ticket = {
  order: Order;
  mark: TicketMark | null;
  /** Line indexes the cooks ticked off on this screen. */
  checked: number[];
};

export type KitchenBoardState = {
  shop: Shop;
  tickets: Record<string, Ticket>;
  products: Record<number, MenuProduct>;
  /** The last ticket bumped off the board on this screen, for recall. */
  lastGone: Ticket | null;
  /** A ticket that left the board, shown again on request (Backspace on a bump bar). */
  recalled: Ticket | null;
};

/** The statuses a kitchen works on; `ready` stays until the courier or the customer takes it. */
export const KITCHEN_STATUSES: readonly OrderStatus[] = ['received', 'preparing', 'baking', 'ready'];

const NEXT: Partial<Record<OrderStatus, OrderStatus>> = {
  received: 'preparing',
  preparing: 'baking',
  baking: 'ready',
};

export function nextKitchenStatus(status: OrderStatus): OrderStatus | null {
  return NEXT[status] ?? null;
}

export function kitchenBoardFromSnapshot(snapshot: KitchenSnapshot): KitchenBoardState {
  const tickets: Record<string, Ticket> = {};
  for (const order of snapshot.orders) {
    if (KITCHEN_STATUSES.includes(order.status)) tickets[order.id] = { order, mark: null, checked: [] };
  }
  return {
    shop: snapshot.shop,
    tickets,
    products: Object.fromEntries(snapshot.products.map((p) => [p.id, p])),
    lastGone: null,
    recalled: null,
  };
}

/**
 * One event applied to the board. An older or equal version of an order changes nothing (a
 * snapshot may already hold a change whose event arrives after it). A cancelled ticket stays on
 * the board, marked, until someone dismisses it: a cook must see it, not have it vanish.
 */
export function applyKitchenEvent(state: KitchenBoardState, event: EventEnvelope): KitchenBoardState {
  if (event.type === 'menu.changed') return applyMenuChange(state, event);
  if (!event.type.startsWith('order.')) return state;
  const parsed = OrderEventData.safeParse(event.data);
  if (!parsed.success) return state;
  const order = parsed.data.order;
  if (order.shopId !== state.shop.id) return state;
  const held = state.tickets[order.id];
  if (held && held.order.version >= order.version) return state;

  if (order.status === 'cancelled') {
    if (!held) return state; // never on this board (e.g. unpaid online order): nothing to tell
    return withTicket(state, { ...held, order, mark: 'cancelled' });
  }
  if (!KITCHEN_STATUSES.includes(order.status)) {
    if (!held) return state;
    const tickets = { ...state.tickets };
    delete tickets[order.id];
    return { ...state, tickets, lastGone: { ...held, order } };
  }
  if (!held) return withTicket(state, { order, mark: 'new', checked: [] });
  // "New" asks a cook to look; once the ticket has moved on someone has, and the banner would only
  // hide the lines. Modified and cancelled stay until dismissed: they say something changed.
  const movedOn = order.status !== held.order.status;
  const mark: TicketMark | null =
    event.type === 'order.modified' ? 'modified' : held.mark === 'new' && movedOn ? null : held.mark;
  // Changed lines make the ticks meaningless: the cooks start the ticket again.
  const checked = event.type === 'order.modified' ? [] : held.checked;
  return withTicket(state, { ...held, order, mark, checked });
}

/**
 * The back-office changed the menu: the recipe cards show the products as they are now. A product
 * taken off the menu leaves the cards, as it would after a reload; tickets keep their lines.
 */
function applyMenuChange(state: KitchenBoardState, event: EventEnvelope): KitchenBoardState {
  if (event.shopId !== state.shop.id) return state;
  const parsed = MenuChangedData.safeParse(event.data);
  if (!parsed.success || parsed.data.products.length === 0) return state;
  const products = { ...state.products };
  for (const { active, position: _position, ...product } of parsed.data.products) {
    if (!active) {
      delete products[product.id];
      continue;
    }
    // How many can be made is the stock's business: the event does not change it.
    products[product.id] = { ...product, available: state.products[product.id]?.available ?? 0 };
  }
  return { ...state, products };
}

function withTicket(state: KitchenBoardState, ticket: Ticket): KitchenBoardState {
  return { ...state, tickets: { ...state.tickets, [ticket.order.id]: ticket } };
}

/** Seen: the highlight goes; a cancelled ticket leaves the board. */
export function dismissTicket(state: KitchenBoardState, orderId: string): KitchenBoardState {
  const held = state.tickets[orderId];
  if (!held) return state;
  if (held.mark === 'cancelled') {
    const tickets = { ...state.tickets };
    delete tickets[orderId];
    return { ...state, tickets };
  }
  if (held.mark === null) return state;
  return withTicket(state, { ...held, mark: null });
}

export function toggleLine(state: KitchenBoardState, orderId: string, line: number): KitchenBoardState {
  const held = state.tickets[orderId];
  if (!held || line < 0 || line >= held.order.lines.length) return state;
  const checked = held.checked.includes(line)
    ? held.checked.filter((l) => l !== line)
    : [...held.checked, line].sort();
  return withTicket(state, { ...held, checked });
}

/** Backspace on a bump bar: the ticket last bumped off the board comes back into view. */
export function recallLast(state: KitchenBoardState): KitchenBoardState {
  return state.lastGone ? { ...state, recalled: state.lastGone } : state;
}

export function clearRecall(state: KitchenBoardState): KitchenBoardState {
  return state.recalled ? { ...state, recalled: null } : state;
}

/**
 * When the kitchen must have the order ready: its promise's ready-by, the promised time minus the
 * route leg (a pick-up: the promised time itself, the number the customer was given).
 */
export function dueAt(order: Order): Date {
  return new Date(order.promise.readyBy);
}

/** The time promised to the customer: arrival at the door, or ready at the counter. */
export function promisedAt(order: Order): Date {
  return new Date(order.promise.at);
}

export type Lateness = 'on_time' | 'due_soon' | 'late';

export function lateness(order: Order, shop: Shop, now: Date): Lateness {
  const due = dueAt(order).getTime();
  if (now.getTime() > due) return 'late';
  if (now.getTime() >= due - shop.kitchenWarnMinutes * 60_000) return 'due_soon';
  return 'on_time';
}

export type TicketView = Ticket & {
  due: Date;
  lateness: Lateness;
  /** Minutes since the order was placed. */
  ageMinutes: number;
  next: OrderStatus | null;
};

/** The tickets in the order the cooks work them: first due first, then by short code. */
export function visibleTickets(state: KitchenBoardState, now: Date): TicketView[] {
  return Object.values(state.tickets)
    .map((t) => ({
      ...t,
      due: dueAt(t.order),
      lateness: t.mark === 'cancelled' ? ('on_time' as const) : lateness(t.order, state.shop, now),
      ageMinutes: Math.max(0, Math.floor((now.getTime() - new Date(t.order.createdAt).getTime()) / 60_000)),
      next: t.mark === 'cancelled' ? null : nextKitchenStatus(t.order.status),
    }))
    .sort((a, b) => a.due.getTime() - b.due.getTime() || a.order.shortCode.localeCompare(b.order.shortCode));
}

export type AllDayCount = { productId: number; name: string; count: number };

/** How many of each product are still to make: lines of received and preparing tickets. */
export function allDayCounts(state: KitchenBoardState): AllDayCount[] {
  const counts = new Map<number, AllDayCount>();
  for (const { order, mark } of Object.values(state.tickets)) {
    if (mark === 'cancelled' || (order.status !== 'received' && order.status !== 'preparing')) continue;
    for (const line of order.lines) {
      const held = counts.get(line.productId) ?? {
        productId: line.productId,
        name: line.productName,
        count: 0,
      };
      held.count += line.quantity;
      counts.set(line.productId, held);
    }
  }
  return [...counts.values()].sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
}

/** The customer's first name only: enough to call out a pick-up, no more on a wall screen. */
export function firstName(fullName: string): string {
  return fullName.trim().split(/\s+/)[0] ?? '';
}

export type BoardGrid = { columns: number; rows: number };

/**
 * How the tickets share the board: few tickets grow to fill it (one large, three side by side), many
 * wrap into rows so each stays wide enough to read from two metres; past four rows the board scrolls.
 */
export function boardGrid(count: number): BoardGrid {
  if (count <= 0) return { columns: 1, rows: 1 };
  const columns = count <= 4 ? count : count <= 8 ? Math.ceil(count / 2) : Math.min(6, Math.ceil(count / 3));
  return { columns, rows: Math.ceil(count / columns) };
}
