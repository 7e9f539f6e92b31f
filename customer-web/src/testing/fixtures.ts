import type { EventEnvelope, MenuProduct, MenuSnapshot, Shop, TrackedOrder } from '@ocp/hub/contract';

/** Test data shaped like the hub's: one shop, a small menu, an order as its customer sees it. */
export const PATON = 1;
export const MOZZA = 2;
export const TOMATO = 3;
export const HAM = 4;

export const testShop: Shop = {
  id: 1,
  slug: 'paris-oberkampf',
  name: 'OC Pizza Oberkampf',
  address: '112 rue Oberkampf',
  postcode: '75011',
  city: 'Paris',
  phone: '01 43 55 12 34',
  position: { lat: 48.8656, lng: 2.3781 },
  openingHours: { '3': ['11:30-14:30', '18:30-22:30'] },
  deliveryRadiusM: 2500,
  status: 'open',
  opensOn: null,
  codeLetter: 'A',
  kitchenWarnMinutes: 5,
  defaultLeadMinutes: 25,
  lastOrderMinutes: 15,
  closures: [],
};

export function product(
  id: number,
  slug: string,
  priceCents: number,
  recipe: Array<[ingredientId: number, quantity: number]>,
  available: number,
): MenuProduct {
  return {
    id,
    slug,
    name: slug[0]!.toUpperCase() + slug.slice(1),
    kind: recipe.length ? 'pizza' : 'drink',
    description: '',
    priceCents,
    vatRateBp: 1000,
    photoUrl: null,
    available,
    recipe: recipe.map(([ingredientId, quantity]) => ({
      ingredientId,
      ingredientName: `ingredient ${ingredientId}`,
      unit: 'g',
      quantity,
      allergens: [],
    })),
    steps: [],
    prepMinutes: 3,
    bakeMinutes: 2,
    allergens: [],
    mayContain: [],
  };
}

/** Margherita: 1 pâton, 80 g tomato, 120 g mozzarella. Reine: + 50 g ham. Cola: no recipe. */
export function menuSnapshot(levels: {
  paton: number;
  mozza: number;
  tomato: number;
  ham: number;
}): MenuSnapshot {
  const count = (recipe: Array<[number, number]>) =>
    Math.min(
      ...recipe.map(([id, q]) => {
        const have = {
          [PATON]: levels.paton,
          [MOZZA]: levels.mozza,
          [TOMATO]: levels.tomato,
          [HAM]: levels.ham,
        }[id]!;
        return Math.floor(have / q);
      }),
    );
  const margherita: Array<[number, number]> = [
    [PATON, 1],
    [TOMATO, 80],
    [MOZZA, 120],
  ];
  const reine: Array<[number, number]> = [...margherita, [HAM, 50]];
  return {
    seq: 40,
    shopId: 1,
    products: [
      product(10, 'margherita', 990, margherita, count(margherita)),
      product(11, 'reine', 1250, reine, count(reine)),
      product(12, 'cola', 350, [], 999),
    ],
    levels: [
      { ingredientId: PATON, available: levels.paton },
      { ingredientId: MOZZA, available: levels.mozza },
      { ingredientId: TOMATO, available: levels.tomato },
      { ingredientId: HAM, available: levels.ham },
    ],
  };
}

let seq = 40;
export function stockEvent(
  items: Array<{ ingredientId: number; onHand: number; reserved: number }>,
  overrides: Partial<EventEnvelope> = {},
): EventEnvelope {
  seq += 1;
  return {
    seq,
    type: 'stock.changed',
    shopId: 1,
    at: '2026-11-25T19:00:00.000Z',
    data: { items },
    ...overrides,
  };
}

export function trackedOrder(overrides: Partial<TrackedOrder> = {}): TrackedOrder {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    shopId: 1,
    shortCode: 'A-042',
    channel: 'web',
    mode: 'delivery',
    status: 'received',
    version: 2,
    customer: { name: 'Camille Martin', phone: '06 12 34 56 78', email: 'camille@example.fr' },
    deliveryAddress: {
      line1: '10 rue de la Roquette',
      postcode: '75011',
      city: 'Paris',
      instructions: null,
      position: { lat: 48.855, lng: 2.373 },
    },
    lines: [
      {
        productId: 10,
        productName: 'Margherita',
        quantity: 2,
        unitPriceCents: 990,
        vatRateBp: 1000,
        notes: null,
      },
    ],
    totals: { totalCents: 1980, vatCents: 180, netCents: 1800 },
    paymentMethod: 'cash_at_door',
    paymentStatus: 'unpaid',
    promisedAt: null,
    promise: {
      at: '2026-11-25T19:20:00.000Z',
      readyBy: '2026-11-25T19:05:00.000Z',
      routeMinutes: 15,
      routeSource: 'route',
    },
    notes: null,
    cancelReason: null,
    paymentFailure: null,
    refund: null,
    createdAt: '2026-11-25T18:50:00.000Z',
    updatedAt: '2026-11-25T18:50:00.000Z',
    shopName: 'OC Pizza Oberkampf',
    shopPhone: '01 43 55 12 34',
    modifiable: true,
    statusReason: null,
    ...overrides,
  };
}

/** An order event as a tracking page receives it: the order without staff ids. */
export function orderEvent(
  type: EventEnvelope['type'],
  order: TrackedOrder,
  data: Record<string, unknown> = {},
): EventEnvelope {
  seq += 1;
  const { shopName: _n, shopPhone: _p, modifiable: _m, statusReason: _s, ...visible } = order;
  return {
    seq,
    type,
    shopId: order.shopId,
    orderId: order.id,
    version: order.version,
    at: '2026-11-25T19:00:00.000Z',
    data: { ...data, order: visible },
  };
}
