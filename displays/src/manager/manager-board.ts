import {
  CLOSED_DISPUTE_STATUSES,
  CourierPosition,
  OrderEventData,
  StockChangedData,
  type CourierState,
  type EventEnvelope,
  type ManagerSnapshot,
  type Order,
  type OrderDispute,
  type OrderRefund,
  type OrderStatus,
  type Position,
  type Shop,
  type StockLevel,
} from '@ocp/hub/contract';
import { promisedAt } from '../kitchen/kitchen-board';

/**
 * The manager's board as data: the shop's orders, stock and couriers from the snapshot, kept up to
 * date by the manager room's events and courier positions, and what the office screen shows of
 * them (columns by state, late orders, couriers' load, low stock, today's figures). Pure functions,
 * no Vue, no I/O: every rule is unit-tested without a browser.
 */

/** When an order first reached each step of today's figures (ISO instants, null: not reached). */
export type Milestones = {
  receivedAt: string | null;
  readyAt: string | null;
  outForDeliveryAt: string | null;
  /** Delivered, picked up, delivery failed or cancelled. */
  finishedAt: string | null;
};

export type ManagerBoardState = {
  shopId: number;
  orders: Record<string, Order>;
  milestones: Record<string, Milestones>;
  /** By ingredient id. */
  stock: Record<number, StockLevel>;
  /** By courier id. */
  couriers: Record<string, CourierState>;
};

export const FINISHED_STATUSES: readonly OrderStatus[] = [
  'delivered',
  'picked_up',
  'delivery_failed',
  'cancelled',
];

const NO_MILESTONES: Milestones = {
  receivedAt: null,
  readyAt: null,
  outForDeliveryAt: null,
  finishedAt: null,
};

export function managerBoardFromSnapshot(snapshot: ManagerSnapshot): ManagerBoardState {
  const orders: Record<string, Order> = {};
  for (const order of snapshot.orders) {
    const held = orders[order.id];
    if (order.shopId === snapshot.shopId && (!held || held.version < order.version)) orders[order.id] = order;
  }
  const milestones: Record<string, Milestones> = {};
  for (const { orderId, ...m } of snapshot.today.milestones) milestones[orderId] = m;
  return {
    shopId: snapshot.shopId,
    orders,
    milestones,
    stock: Object.fromEntries(snapshot.stock.map((s) => [s.ingredientId, s])),
    couriers: Object.fromEntries(snapshot.couriers.map((c) => [c.courierId, c])),
  };
}

/** The step an order's new status marks, if any: the first time it is reached counts. */
function milestoneOf(status: OrderStatus): keyof Milestones | null {
  if (status === 'received') return 'receivedAt';
  if (status === 'ready') return 'readyAt';
  if (status === 'out_for_delivery') return 'outForDeliveryAt';
  if (FINISHED_STATUSES.includes(status)) return 'finishedAt';
  return null;
}

/**
 * One event of the manager room applied to the board. Order events carry the whole order: an
 * older or equal version changes nothing (a snapshot may already hold it); a new status records
 * its milestone at the event's time. `stock.changed` carries absolute levels. Other shops' events
 * (an admin's socket may follow several) are ignored. The same state object comes back when
 * nothing changed.
 */
export function applyManagerEvent(state: ManagerBoardState, event: EventEnvelope): ManagerBoardState {
  if (event.shopId !== state.shopId) return state;
  if (event.type === 'stock.changed') return applyStock(state, event);
  if (!event.type.startsWith('order.')) return state;
  const parsed = OrderEventData.safeParse(event.data);
  if (!parsed.success) return state;
  const order = parsed.data.order;
  if (order.shopId !== state.shopId) return state;
  const held = state.orders[order.id];
  if (held && held.version >= order.version) return state;

  let milestones = state.milestones;
  const step = milestoneOf(order.status);
  const mine = state.milestones[order.id] ?? NO_MILESTONES;
  if (step && mine[step] === null) {
    milestones = { ...state.milestones, [order.id]: { ...mine, [step]: event.at } };
  }
  return { ...state, orders: { ...state.orders, [order.id]: order }, milestones };
}

function applyStock(state: ManagerBoardState, event: EventEnvelope): ManagerBoardState {
  const parsed = StockChangedData.safeParse(event.data);
  if (!parsed.success) return state;
  let stock: Record<number, StockLevel> | null = null;
  for (const item of parsed.data.items) {
    const held = (stock ?? state.stock)[item.ingredientId];
    if (!held || (held.onHand === item.onHand && held.reserved === item.reserved)) continue;
    stock ??= { ...state.stock };
    const available = item.onHand - item.reserved;
    stock[item.ingredientId] = {
      ...held,
      onHand: item.onHand,
      reserved: item.reserved,
      available,
      // The hub's rule (stock service): low at or below the threshold.
      low: available <= held.lowThreshold,
    };
  }
  return stock ? { ...state, stock } : state;
}

/**
 * A courier's position (ephemeral, not an event): kept when it is this shop's courier and newer
 * than the one held. A courier unknown to the snapshot is ignored (no name to show).
 */
export function applyCourierPosition(state: ManagerBoardState, raw: unknown): ManagerBoardState {
  const parsed = CourierPosition.safeParse(raw);
  if (!parsed.success) return state;
  const p = parsed.data;
  const held = state.couriers[p.courierId];
  if (p.shopId !== state.shopId || !held) return state;
  if (held.positionAt && Date.parse(held.positionAt) >= Date.parse(p.at)) return state;
  return {
    ...state,
    couriers: { ...state.couriers, [p.courierId]: { ...held, position: p.position, positionAt: p.at } },
  };
}

// ---------------------------------------------------------------------------------------------
// What the screen shows

/** Midnight, local time, of the day `now` is in: the start of "today". */
export function startOfDay(now: Date): Date {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d;
}

export type ColumnKey =
  | 'pending_payment'
  | 'received'
  | 'preparing'
  | 'baking'
  | 'ready'
  | 'out_for_delivery'
  | 'done'
  | 'cancelled';

export const COLUMNS: readonly ColumnKey[] = [
  'pending_payment',
  'received',
  'preparing',
  'baking',
  'ready',
  'out_for_delivery',
  'done',
  'cancelled',
];

/** Which column an order stands in; null for a finished order of another day. */
export function columnOf(order: Order, finishedAt: string | null, since: Date): ColumnKey | null {
  switch (order.status) {
    case 'delivered':
    case 'picked_up':
    case 'delivery_failed':
    case 'cancelled': {
      const at = Date.parse(finishedAt ?? order.updatedAt);
      if (at < since.getTime()) return null;
      return order.status === 'delivered' || order.status === 'picked_up' ? 'done' : 'cancelled';
    }
    default:
      return order.status;
  }
}

export type OrderCard = {
  order: Order;
  due: Date;
  late: boolean;
  /** Whole minutes past due (late) or left (not late), never negative. */
  minutes: number;
  finishedAt: string | null;
  /** Finished orders: delivered or picked up after the due time. */
  finishedLate: boolean;
};

export type Column = { key: ColumnKey; cards: OrderCard[]; late: number };

/**
 * Orders by state. In the columns still in progress the late orders come first, the most overdue
 * on top, then the others by due time; finished ones are the most recent first.
 */
export function boardColumns(state: ManagerBoardState, now: Date): Column[] {
  const since = startOfDay(now);
  const columns = new Map<ColumnKey, OrderCard[]>(COLUMNS.map((k) => [k, []]));
  for (const order of Object.values(state.orders)) {
    const finishedAt = state.milestones[order.id]?.finishedAt ?? null;
    const key = columnOf(order, finishedAt, since);
    if (!key) continue;
    // Lateness is measured against the time promised to the customer, never another estimate.
    const due = promisedAt(order);
    const finished = FINISHED_STATUSES.includes(order.status);
    const late = !finished && now.getTime() > due.getTime();
    const end = finished ? Date.parse(finishedAt ?? order.updatedAt) : now.getTime();
    columns.get(key)!.push({
      order,
      due,
      late,
      minutes: Math.max(0, Math.floor(Math.abs(now.getTime() - due.getTime()) / 60_000)),
      finishedAt,
      finishedLate: finished && order.status !== 'cancelled' && end > due.getTime(),
    });
  }
  return COLUMNS.map((key) => {
    const cards = columns.get(key)!;
    if (key === 'done' || key === 'cancelled') {
      cards.sort((a, b) => finishedTime(b) - finishedTime(a) || byCode(a, b));
    } else {
      cards.sort(
        (a, b) => Number(b.late) - Number(a.late) || a.due.getTime() - b.due.getTime() || byCode(a, b),
      );
    }
    return { key, cards, late: cards.filter((c) => c.late).length };
  });
}

function finishedTime(card: OrderCard): number {
  return Date.parse(card.finishedAt ?? card.order.updatedAt);
}

function byCode(a: OrderCard, b: OrderCard): number {
  return a.order.shortCode.localeCompare(b.order.shortCode);
}

/** Every order in progress that is past due, the most overdue first. */
export function lateOrders(columns: Column[]): OrderCard[] {
  return columns
    .flatMap((c) => c.cards.filter((card) => card.late))
    .sort((a, b) => a.due.getTime() - b.due.getTime() || byCode(a, b));
}

export type CourierActivity = 'delivering' | 'assigned' | 'idle' | 'off_shift';

export type CourierRow = CourierState & {
  activity: CourierActivity;
  /** Orders assigned and not yet finished. */
  load: number;
  /** Of which out for delivery. */
  carrying: number;
  /** Short codes of the orders assigned, in the order they were placed. */
  codes: string[];
};

const ACTIVE_FOR_COURIER: readonly OrderStatus[] = [
  'received',
  'preparing',
  'baking',
  'ready',
  'out_for_delivery',
];
const ACTIVITY_ORDER: Record<CourierActivity, number> = { delivering: 0, assigned: 1, idle: 2, off_shift: 3 };

/**
 * Each courier with what they are doing: out delivering, assigned orders still at the shop, free
 * (on shift, nothing assigned) or off shift; their load is the orders assigned and not finished.
 */
export function courierRows(state: ManagerBoardState): CourierRow[] {
  const assigned = new Map<string, Order[]>();
  for (const order of Object.values(state.orders)) {
    if (!order.courierId || !ACTIVE_FOR_COURIER.includes(order.status)) continue;
    assigned.set(order.courierId, [...(assigned.get(order.courierId) ?? []), order]);
  }
  return Object.values(state.couriers)
    .map((courier) => {
      const orders = (assigned.get(courier.courierId) ?? []).sort(
        (a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt),
      );
      const carrying = orders.filter((o) => o.status === 'out_for_delivery').length;
      const activity: CourierActivity =
        carrying > 0 ? 'delivering' : orders.length > 0 ? 'assigned' : courier.onShift ? 'idle' : 'off_shift';
      return { ...courier, activity, load: orders.length, carrying, codes: orders.map((o) => o.shortCode) };
    })
    .sort(
      (a, b) => ACTIVITY_ORDER[a.activity] - ACTIVITY_ORDER[b.activity] || a.name.localeCompare(b.name, 'fr'),
    );
}

/** Ingredients at or below their low threshold, the scarcest (relative to its threshold) first. */
export function lowStock(state: ManagerBoardState): StockLevel[] {
  const ratio = (s: StockLevel) => (s.lowThreshold > 0 ? s.available / s.lowThreshold : s.available);
  return Object.values(state.stock)
    .filter((s) => s.low)
    .sort((a, b) => ratio(a) - ratio(b) || a.name.localeCompare(b.name, 'fr'));
}

export type HeaderTone = 'ok' | 'late_today' | 'late_now';

/** Every figure of the manager's header, from one pass over the same orders: they cannot disagree. */
export type ManagerHeaderFigures = {
  /** Orders in progress past their promised time, the most overdue first. */
  lateNow: number;
  lateCodes: string[];
  /** Orders finished today (delivered or picked up) after their promised time. */
  finishedLate: number;
  /**
   * `late_now`: something is late now (red); `late_today`: nothing late now but today's record is
   * not clean (amber); `ok`: nothing late now nor today — the only state that says "all on time".
   */
  tone: HeaderTone;
  /** Orders placed today, not cancelled. */
  orders: number;
  /** Mean minutes from received to ready, over orders that became ready today; null: none yet. */
  avgPrepMinutes: number | null;
  prepCount: number;
  /** Mean minutes from out for delivery to delivered, over today's deliveries; null: none yet. */
  avgDeliveryMinutes: number | null;
  deliveredCount: number;
  /** Deliveries of today made by their promised time. */
  onTimeCount: number;
  /** onTimeCount / deliveredCount, 0..1; null: nothing delivered yet. */
  onTimeShare: number | null;
  /** The on-time share is below the shop's goal (80 %): the figure turns red. */
  onTimeBad: boolean;
};

/** Below this share of deliveries on time the figure turns red. */
export const ON_TIME_GOAL = 0.8;

/**
 * The header's figures (late badge, today's counts, on-time share) from the board's orders and
 * milestones at `now`. Late means past the promised time (order.promise.at), in progress or
 * finished today, the same rule as the cards' flags (boardColumns).
 */
export function managerHeaderFigures(state: ManagerBoardState, now: Date): ManagerHeaderFigures {
  const since = startOfDay(now).getTime();
  let orders = 0;
  const prep: number[] = [];
  const delivery: number[] = [];
  let delivered = 0;
  let onTime = 0;
  let finishedLate = 0;
  const late: { code: string; due: number }[] = [];
  for (const order of Object.values(state.orders)) {
    const m = state.milestones[order.id] ?? NO_MILESTONES;
    const due = promisedAt(order).getTime();
    const finishedAt = m.finishedAt ?? (FINISHED_STATUSES.includes(order.status) ? order.updatedAt : null);
    if (Date.parse(order.createdAt) >= since && order.status !== 'cancelled') orders += 1;
    if (!FINISHED_STATUSES.includes(order.status)) {
      if (now.getTime() > due) late.push({ code: order.shortCode, due });
    } else if (
      (order.status === 'delivered' || order.status === 'picked_up') &&
      finishedAt &&
      Date.parse(finishedAt) >= since &&
      Date.parse(finishedAt) > due
    ) {
      finishedLate += 1;
    }
    if (m.receivedAt && m.readyAt && Date.parse(m.readyAt) >= since) {
      prep.push(Date.parse(m.readyAt) - Date.parse(m.receivedAt));
    }
    if (order.status === 'delivered' && m.finishedAt && Date.parse(m.finishedAt) >= since) {
      delivered += 1;
      if (Date.parse(m.finishedAt) <= due) onTime += 1;
      if (m.outForDeliveryAt) delivery.push(Date.parse(m.finishedAt) - Date.parse(m.outForDeliveryAt));
    }
  }
  late.sort((a, b) => a.due - b.due || a.code.localeCompare(b.code));
  const onTimeShare = delivered > 0 ? onTime / delivered : null;
  return {
    lateNow: late.length,
    lateCodes: late.map((l) => l.code),
    finishedLate,
    tone: late.length > 0 ? 'late_now' : finishedLate > 0 ? 'late_today' : 'ok',
    orders,
    avgPrepMinutes: meanMinutes(prep),
    prepCount: prep.length,
    avgDeliveryMinutes: meanMinutes(delivery),
    deliveredCount: delivered,
    onTimeCount: onTime,
    onTimeShare,
    onTimeBad: onTimeShare !== null && onTimeShare < ON_TIME_GOAL,
  };
}

function meanMinutes(durationsMs: number[]): number | null {
  if (durationsMs.length === 0) return null;
  const mean = durationsMs.reduce((sum, d) => sum + Math.max(0, d), 0) / durationsMs.length;
  return Math.round(mean / 6_000) / 10;
}

export type MapPoint =
  | { kind: 'shop'; id: string; position: Position; label: string }
  | {
      kind: 'courier';
      id: string;
      position: Position;
      label: string;
      activity: CourierActivity;
      at: string | null;
    }
  | {
      kind: 'delivery';
      id: string;
      position: Position;
      label: string;
      status: OrderStatus;
      late: boolean;
      courierId: string | null;
    };

/**
 * What the map draws: the shop, each courier's last known position (off-shift couriers without
 * an order are left out), and the address of every delivery still to make.
 */
export function mapPoints(state: ManagerBoardState, shop: Shop, now: Date): MapPoint[] {
  const points: MapPoint[] = [
    { kind: 'shop', id: `shop-${shop.id}`, position: shop.position, label: shop.name },
  ];
  for (const order of Object.values(state.orders)) {
    const position = order.deliveryAddress?.position;
    if (order.mode !== 'delivery' || !position || FINISHED_STATUSES.includes(order.status)) continue;
    points.push({
      kind: 'delivery',
      id: order.id,
      position,
      label: order.shortCode,
      status: order.status,
      late: now.getTime() > promisedAt(order).getTime(),
      courierId: order.courierId,
    });
  }
  for (const courier of courierRows(state)) {
    if (!courier.position || courier.activity === 'off_shift') continue;
    points.push({
      kind: 'courier',
      id: courier.courierId,
      position: courier.position,
      label: courier.name,
      activity: courier.activity,
      at: courier.positionAt,
    });
  }
  return points;
}

// ---------------------------------------------------------------------------------------------
// Money to watch: disputes and refunds

export type PaymentIssue =
  | {
      kind: 'dispute';
      order: Order;
      dispute: OrderDispute;
      open: boolean;
      /** Open and its evidence is due within two days (or already past due). */
      urgent: boolean;
    }
  | { kind: 'refund'; order: Order; refund: OrderRefund; failed: boolean };

/** Two days: evidence takes gathering (receipts, courier's proof of delivery). */
const URGENT_MS = 48 * 3600_000;

/**
 * What the manager must act on about money, most pressing first: open disputes by evidence
 * deadline, then refunds Stripe could not make (the customer must be paid back another way), then
 * refunds still pending. Disputes closed today stay listed, so their outcome is seen.
 */
export function paymentIssues(state: ManagerBoardState, now: Date): PaymentIssue[] {
  const since = startOfDay(now).getTime();
  const issues: { issue: PaymentIssue; rank: number; at: number }[] = [];
  for (const order of Object.values(state.orders)) {
    const dispute = order.dispute;
    if (dispute) {
      const open = !CLOSED_DISPUTE_STATUSES.includes(dispute.status);
      const due = dispute.evidenceDueBy ? Date.parse(dispute.evidenceDueBy) : Number.POSITIVE_INFINITY;
      if (open || Date.parse(dispute.updatedAt) >= since) {
        const urgent = open && due - now.getTime() <= URGENT_MS;
        issues.push({
          issue: { kind: 'dispute', order, dispute, open, urgent },
          rank: open ? 0 : 3,
          at: open ? due : -Date.parse(dispute.updatedAt),
        });
      }
    }
    const refund = order.refund;
    if (refund && refund.status !== 'succeeded') {
      const failed = refund.status === 'failed' || refund.status === 'canceled';
      issues.push({
        issue: { kind: 'refund', order, refund, failed },
        rank: failed ? 1 : 2,
        at: Date.parse(refund.updatedAt),
      });
    }
  }
  return issues
    .sort(
      (a, b) =>
        a.rank - b.rank || a.at - b.at || a.issue.order.shortCode.localeCompare(b.issue.order.shortCode),
    )
    .map((i) => i.issue);
}
