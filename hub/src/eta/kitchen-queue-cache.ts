import type { EventEnvelope, Order, OrderPromise, OrderStatus } from '../contract/index.js';
import type { QueuedOrder } from '../domain/eta.js';

/** The statuses of a ticket on the kitchen board (what the queue read returns). */
const IN_KITCHEN: ReadonlySet<OrderStatus> = new Set(['received', 'preparing', 'baking']);

/** A ticket as the queue read gives it, with the order's version (to never apply an older change). */
export type KitchenTicket = QueuedOrder & { id: string; version: number; createdAt: string };

/** What the copy needs of an order, as a committed write or a relayed event carries it. */
export type WrittenOrder = Pick<Order, 'id' | 'shopId' | 'status' | 'version' | 'createdAt'> & {
  lines: QueuedOrder['lines'];
  promise: Pick<OrderPromise, 'readyBy'>;
};

type ShopQueue = {
  tickets: Map<string, HeldTicket>;
  /** The last version applied of every order seen since the read, left the kitchen or not. */
  versions: Map<string, number>;
  readAt: number;
  /** Some tickets were left out (more than `limit` of a kind): one leaving means reading again. */
  truncated: boolean;
};

const started = (status: OrderStatus) => status === 'preparing' || status === 'baking';

/** Whether `a` comes after `b` on the board: started by placing, waiting by due then placing. */
function after(a: HeldTicket, b: HeldTicket): boolean {
  if (!started(a.status) && a.dueMs !== b.dueMs) return a.dueMs > b.dueMs;
  return a.placedMs > b.placedMs;
}

/** A ticket with its times parsed once, not at every promise's walk. */
type HeldTicket = KitchenTicket & { dueMs: number; placedMs: number };

function held(ticket: KitchenTicket): HeldTicket {
  return {
    ...ticket,
    dueMs: ticket.readyBy ? Date.parse(ticket.readyBy) : Number.NEGATIVE_INFINITY,
    placedMs: Date.parse(ticket.createdAt),
  };
}

/**
 * How long a node trusts its copy without reading it again. The events keep it current; the
 * read only bounds how long a change they did not carry is missed. At a shop's pace (an order a
 * minute) nearly every promise reads; under a rush of hundreds a second, one read per node in five
 * seconds serves them all.
 */
export const KITCHEN_QUEUE_REFRESH_MS = 5000;

export type KitchenQueueCache = ReturnType<typeof createKitchenQueueCache>;

/**
 * Each node's copy of every shop's kitchen queue, for the promise of each new order and the
 * tracking page's queue. Reading it from PostgreSQL for every order cost more than the order's
 * own transaction (issue 11: 1.2 ms of PostgreSQL and the hub's parsing of up to 400 tickets).
 *
 * The copy is read once, then kept current by the order changes this node commits (applied as
 * soon as they commit: a node's next promise counts its last order) and by the relayed events of
 * every node's (milliseconds later). It is read again after `refreshMs`: a change the events do
 * not carry (an order written by plain SQL, a bus message lost while Redis restarts) is
 * forgotten within that. Changes apply only by increasing version, so a late or repeated event
 * never takes an order back. A change that lands while the read runs is applied over it.
 */
export function createKitchenQueueCache(deps: {
  read: (shopId: number) => Promise<readonly KitchenTicket[]>;
  now: () => number;
  refreshMs: number;
  /**
   * Tickets of one kind (started, waiting) kept at most, the first on the board: what the read
   * returns at most (KITCHEN_QUEUE_LIMIT). A kitchen that far behind gets promises hours out
   * anyway; the bound keeps each promise's walk short when nobody bumps tickets (a benchmark).
   */
  limit: number;
}) {
  const shops = new Map<number, ShopQueue>();
  const reading = new Map<number, { done: Promise<ShopQueue>; arrived: WrittenOrder[] }>();

  function applyTo(queue: ShopQueue, order: WrittenOrder): void {
    if ((queue.versions.get(order.id) ?? 0) >= order.version) return;
    queue.versions.set(order.id, order.version);
    const was = queue.tickets.get(order.id);
    // A ticket leaving its kind may let one left out come in: only the database knows which.
    if (
      queue.truncated &&
      was &&
      (!IN_KITCHEN.has(order.status) || started(was.status) !== started(order.status))
    ) {
      queue.readAt = Number.NEGATIVE_INFINITY;
    }
    if (!IN_KITCHEN.has(order.status)) {
      queue.tickets.delete(order.id);
      return;
    }
    const ticket = held({
      id: order.id,
      status: order.status,
      lines: order.lines,
      readyBy: order.promise.readyBy,
      createdAt: order.createdAt,
      version: order.version,
    });
    queue.tickets.set(order.id, ticket);
    if (queue.tickets.size > deps.limit) keepFirst(queue, started(ticket.status));
  }

  /**
   * Drops the last ticket of a kind when it has more than `limit`. One pass without copying: in a
   * queue over the bound it runs for every change of every order (issue 11).
   */
  function keepFirst(queue: ShopQueue, ofStarted: boolean): void {
    let count = 0;
    let last: HeldTicket | undefined;
    for (const t of queue.tickets.values()) {
      if (started(t.status) !== ofStarted) continue;
      count++;
      if (!last || after(t, last)) last = t;
    }
    if (count <= deps.limit || !last) return;
    queue.tickets.delete(last.id);
    queue.truncated = true;
  }

  function read(shopId: number): Promise<ShopQueue> {
    const running = reading.get(shopId);
    if (running) return running.done;
    const arrived: WrittenOrder[] = [];
    const startedAt = deps.now();
    const done = deps
      .read(shopId)
      .then((tickets) => {
        const startedCount = tickets.filter((t) => started(t.status)).length;
        const queue: ShopQueue = {
          tickets: new Map(),
          versions: new Map(),
          readAt: startedAt,
          // The read returns at most `limit` of each kind: a full kind may have left some out.
          truncated: startedCount >= deps.limit || tickets.length - startedCount >= deps.limit,
        };
        for (const t of tickets) {
          queue.tickets.set(t.id, held(t));
          queue.versions.set(t.id, t.version);
        }
        // Committed while the read ran: maybe after its snapshot, maybe before (then it is no
        // newer than what was read, and the version check skips it).
        for (const order of arrived) applyTo(queue, order);
        shops.set(shopId, queue);
        return queue;
      })
      .finally(() => reading.delete(shopId));
    reading.set(shopId, { done, arrived });
    return done;
  }

  function applyOrders(orders: Iterable<WrittenOrder>): void {
    for (const order of orders) {
      const queue = shops.get(order.shopId);
      if (queue) applyTo(queue, order);
      reading.get(order.shopId)?.arrived.push(order);
    }
  }

  return {
    /** The shop's tickets in the kitchen now (received, preparing, baking), in no order. */
    async tickets(shopId: number): Promise<KitchenTicket[]> {
      const kept = shops.get(shopId);
      const queue = kept && deps.now() - kept.readAt < deps.refreshMs ? kept : await read(shopId);
      return [...queue.tickets.values()];
    },
    applyOrders,
    /** Relayed events (every node's writes): each order event carries the order after the change. */
    applyEvents(events: readonly EventEnvelope[]): void {
      for (const event of events) {
        // Our own relay's envelopes, already checked when built: no parse on this hot path.
        const order = event.type.startsWith('order.')
          ? (event.data.order as WrittenOrder | undefined)
          : undefined;
        if (order && typeof order.id === 'string' && typeof order.version === 'number') applyOrders([order]);
      }
    },
  };
}
