import type { EventEnvelope, Order, Shop } from '@ocp/hub/contract';

/** Test data for the screens' reducers: one shop and orders shaped like the hub's, varied per test. */
export const testShop: Shop = {
  id: 1,
  slug: 'paris-oberkampf',
  name: 'OC Pizza Oberkampf',
  address: '112 rue Oberkampf',
  postcode: '75011',
  city: 'Paris',
  phone: '01 43 55 12 34',
  position: { lat: 48.8656, lng: 2.3781 },
  openingHours: {},
  deliveryRadiusM: 2500,
  status: 'open',
  opensOn: null,
  codeLetter: 'A',
  kitchenWarnMinutes: 5,
  defaultLeadMinutes: 25,
  lastOrderMinutes: 15,
  closures: [],
};

let n = 0;
export function makeOrder(overrides: Partial<Order> = {}): Order {
  n += 1;
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    shopId: 1,
    shortCode: `A-${String(n).padStart(3, '0')}`,
    channel: 'web',
    mode: 'pickup',
    status: 'received',
    version: 1,
    customer: { name: 'Camille Martin', phone: '06 12 34 56 78', email: null },
    deliveryAddress: null,
    lines: [
      {
        productId: 1,
        productName: 'Margherita',
        quantity: 1,
        unitPriceCents: 990,
        vatRateBp: 1000,
        notes: null,
      },
    ],
    totals: { totalCents: 990, vatCents: 90, netCents: 900 },
    paymentMethod: 'at_counter',
    paymentStatus: 'unpaid',
    promisedAt: null,
    courierId: null,
    offer: null,
    notes: null,
    cancelReason: null,
    paymentFailure: null,
    refund: null,
    dispute: null,
    createdAt: '2026-11-25T19:00:00.000Z',
    updatedAt: '2026-11-25T19:00:00.000Z',
    ...overrides,
    promise: overrides.promise ?? promiseFor(overrides),
  };
}

/** The promise the hub's old rule gave: the requested time, else placed + the 25-minute lead. */
function promiseFor(o: Partial<Order>): Order['promise'] {
  const created = Date.parse(o.createdAt ?? '2026-11-25T19:00:00.000Z');
  const at = new Date(o.promisedAt ? Date.parse(o.promisedAt) : created + 25 * 60_000).toISOString();
  return { at, readyBy: at, routeMinutes: null, routeSource: null };
}

let seq = 100;
/** The event a hub would send for this order state. */
export function orderEvent(
  order: Order,
  type: EventEnvelope['type'] = 'order.status_changed',
): EventEnvelope {
  seq += 1;
  return {
    seq,
    type,
    shopId: order.shopId,
    orderId: order.id,
    version: order.version,
    at: order.updatedAt,
    data: { order },
  };
}
