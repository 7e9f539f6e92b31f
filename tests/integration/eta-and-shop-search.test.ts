import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedOrder, ErrorBody, Eta, ShopSearchResult } from '../../hub/src/contract/index.js';
import { startFakeMaps, type FakeMaps } from '../fakes/maps-server.js';
import { facts, type Facts } from '../helpers/facts.js';
import { deliveryOrderBody, demoAddress, orderBody } from '../helpers/orders.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

const KEY = 'AIzaFakeKeyForTests0123';
const near = { line1: '24 rue de la Roquette', postcode: '75011', city: 'Paris' };
const far = { line1: '10 avenue de la Porte de Choisy', postcode: '75013', city: 'Paris' };
const unknown = { line1: '999 rue qui n’existe pas', postcode: '75011', city: 'Paris' };
const places = {
  'rue de la Roquette': { lat: 48.8549, lng: 2.3736 },
  'Porte de Choisy': { lat: 48.8205, lng: 2.3649 },
};

let maps: FakeMaps;
let silentMaps: FakeMaps;
let hub: TestHub;
let noKey: TestHub;
let slowGoogle: TestHub;
let f: Facts;
let shopA: number;
let reine: number;

beforeAll(async () => {
  maps = await startFakeMaps({ key: KEY, places });
  silentMaps = await startFakeMaps({ key: KEY, places });
  silentMaps.hang(true);
  hub = await startTestHub({ env: { MAPS_API_KEY: KEY, MAPS_BASE_URL: maps.url } });
  noKey = await startTestHub({ database: hub.database });
  slowGoogle = await startTestHub({
    database: hub.database,
    env: { MAPS_API_KEY: KEY, MAPS_BASE_URL: silentMaps.url, MAPS_TIMEOUT_MS: '300' },
  });
  f = facts(hub.db);
  shopA = await f.shopId('A');
  reine = await f.productId('reine');
});
afterAll(async () => {
  await slowGoogle?.close();
  await noKey?.close();
  await hub?.close();
  await maps?.close();
  await silentMaps?.close();
});

const token = (res: { body: CreatedOrder | ErrorBody }) => (res.body as CreatedOrder).trackingToken;

describe('choosing a shop by delivery address', () => {
  it('lists the open shops whose zone covers the address, nearest first', async () => {
    const res = await hub.client().post<ShopSearchResult>('/api/shops/search', near);
    expect(res.status).toBe(200);
    expect(res.body.verified).toBe(true);
    expect(res.body.position).toEqual(places['rue de la Roquette']);
    expect(res.body.shops.map((s) => s.shop.codeLetter)).toEqual(['A']);
    expect(res.body.shops[0]!.distanceM).toBeGreaterThan(1000);
    expect(res.body.shops[0]!.distanceM).toBeLessThan(1500);
  });

  it('finds no shop for an address outside every zone, and refuses an unknown address', async () => {
    const outside = await hub.client().post<ShopSearchResult>('/api/shops/search', far);
    expect(outside.status).toBe(200);
    expect(outside.body.shops).toEqual([]);
    const missing = await hub.client().post<ErrorBody>('/api/shops/search', unknown);
    expect(missing.status).toBe(422);
    expect(missing.body.error.code).toBe('order/address_not_found');
    const bad = await hub.client().post<ErrorBody>('/api/shops/search', { ...near, postcode: 'Paris' });
    expect(bad.status).toBe(400);
  });

  it('without a Maps key lists the open shops of the address’s area by postcode, marked unverified', async () => {
    // A Paris address: the Paris shops (A in the 11th first), then Boulogne; not Lyon or Lille.
    const res = await noKey.client().post<ShopSearchResult>('/api/shops/search', near);
    expect(res.status).toBe(200);
    expect(res.body.verified).toBe(false);
    expect(res.body.shops.map((s) => s.shop.codeLetter)).toEqual(['A', 'B', 'C']);
    expect(res.body.shops.every((s) => s.distanceM === null)).toBe(true);
    const lyon = await noKey.client().post<ShopSearchResult>('/api/shops/search', {
      line1: '3 rue de Marseille',
      postcode: '69007',
      city: 'Lyon',
    });
    expect(lyon.body.shops.map((s) => s.shop.codeLetter)).toEqual(['D']);
    const nowhere = await noKey.client().post<ShopSearchResult>('/api/shops/search', {
      line1: '1 La Canebière',
      postcode: '13001',
      city: 'Marseille',
    });
    expect(nowhere.body).toMatchObject({ verified: false, shops: [] });
  });
});

describe('ETA of a tracked order', () => {
  it('uses the Routes API’s time from the shop to the address when a key is configured', async () => {
    maps.setRouteSeconds(11 * 60);
    const before = maps.routesRequests().length;
    const created = await hub
      .client()
      .post<CreatedOrder>(
        '/api/orders',
        deliveryOrderBody({ shopId: shopA, lines: [{ productId: reine, quantity: 2 }] }),
      );
    expect(created.status).toBe(201);
    const eta = await hub.client().get<Eta>(`/api/orders/track/${token(created)}/eta`);
    expect(eta.status).toBe(200);
    // The route leg of the promise: the 4-minute handover plus Google's 11 minutes.
    expect(eta.body).toMatchObject({ stage: 'kitchen', source: 'route', routeMinutes: 15 });
    const asked = maps.routesRequests().slice(before);
    expect(asked).toHaveLength(1);
    expect(asked[0]!.headers['x-goog-api-key']).toBe(KEY);
    expect(asked[0]!.body).toMatchObject({
      origin: { location: { latLng: { latitude: 48.8656, longitude: 2.3781 } } },
      destination: {
        location: { latLng: { latitude: demoAddress.position.lat, longitude: demoAddress.position.lng } },
      },
      travelMode: 'TWO_WHEELER',
      routingPreference: 'TRAFFIC_AWARE',
    });
    // The legacy Directions and Distance Matrix APIs are never called.
    expect(maps.unknownRequests()).toEqual([]);
    // The tracking page's time is the order's one promise; the kitchen is due 15 minutes before.
    const { promise } = (created.body as CreatedOrder).order;
    expect(eta.body.at).toBe(promise.at);
    expect(promise).toMatchObject({ routeMinutes: 15, routeSource: 'route' });
    expect((Date.parse(promise.at) - Date.parse(promise.readyBy)) / 60_000).toBe(15);
    expect(Date.parse(promise.readyBy)).toBeGreaterThan(Date.parse(eta.body.computedAt));
  });

  it('a Google that finds no route, or refuses the key, gives the labelled estimate', async () => {
    // Elsewhere than the other tests' address: the hub keeps route times for two minutes.
    const at = (lat: number) => ({ ...demoAddress, line1: '3 rue Oberkampf', position: { lat, lng: 2.372 } });
    const etaFor = async (lat: number) => {
      const created = await hub.client().post<CreatedOrder>(
        '/api/orders',
        deliveryOrderBody({
          shopId: shopA,
          lines: [{ productId: reine, quantity: 1 }],
          deliveryAddress: at(lat),
        }),
      );
      expect(created.status).toBe(201);
      return (await hub.client().get<Eta>(`/api/orders/track/${token(created)}/eta`)).body;
    };
    maps.answer('TWO_WHEELER', 'none');
    maps.answer('DRIVE', 'none');
    try {
      const before = maps.routesRequests().length;
      const eta = await etaFor(48.861);
      expect(eta.source).toBe('estimate');
      expect(eta.routeMinutes).toBeGreaterThan(0);
      // Two-wheeler found nothing, nor did a car: both were asked.
      expect(
        maps
          .routesRequests()
          .slice(before)
          .map((r) => r.body.travelMode),
      ).toEqual(['TWO_WHEELER', 'DRIVE']);
    } finally {
      maps.answer('TWO_WHEELER', 'route');
      maps.answer('DRIVE', 'route');
    }
    maps.fail(true);
    try {
      expect(await etaFor(48.8615)).toMatchObject({ source: 'estimate' });
    } finally {
      maps.fail(false);
    }
  });

  it('without a key: the straight-line estimate, labelled as such', async () => {
    const created = await noKey
      .client()
      .post<CreatedOrder>(
        '/api/orders',
        deliveryOrderBody({ shopId: shopA, lines: [{ productId: reine, quantity: 1 }] }),
      );
    const eta = await noKey.client().get<Eta>(`/api/orders/track/${token(created)}/eta`);
    // 1.2 km as the crow flies, 1.7 km by road at 18 km/h.
    // Handover 4 + 6 minutes of road.
    expect(eta.body).toMatchObject({ source: 'estimate', routeMinutes: 10 });
  });

  it('counts the orders the kitchen will make first', async () => {
    const first = await noKey
      .client()
      .post<CreatedOrder>(
        '/api/orders',
        orderBody({ shopId: shopA, lines: [{ productId: reine, quantity: 1 }] }),
      );
    const second = await noKey
      .client()
      .post<CreatedOrder>(
        '/api/orders',
        orderBody({ shopId: shopA, lines: [{ productId: reine, quantity: 1 }] }),
      );
    const a = await noKey.client().get<Eta>(`/api/orders/track/${token(first)}/eta`);
    const b = await noKey.client().get<Eta>(`/api/orders/track/${token(second)}/eta`);
    expect(b.body.ordersAhead).toBe(a.body.ordersAhead + 1);
    expect(b.body.kitchenMinutes).toBeGreaterThan(a.body.kitchenMinutes);
    expect(b.body.routeMinutes).toBeNull();
  });

  it('a Google that does not answer never blocks an order, and the ETA falls back to the estimate', async () => {
    const created = await slowGoogle.client().post<CreatedOrder>(
      '/api/orders',
      deliveryOrderBody({
        shopId: shopA,
        lines: [{ productId: reine, quantity: 1 }],
        deliveryAddress: near,
      }),
    );
    expect(created.status).toBe(201);
    // The address stays unverified (no position): the order is taken anyway.
    expect((created.body as CreatedOrder).order.deliveryAddress?.position).toBeNull();

    const located = await slowGoogle
      .client()
      .post<CreatedOrder>(
        '/api/orders',
        deliveryOrderBody({ shopId: shopA, lines: [{ productId: reine, quantity: 1 }] }),
      );
    const eta = await slowGoogle.client().get<Eta>(`/api/orders/track/${token(located)}/eta`);
    expect(eta.status).toBe(200);
    expect(eta.body).toMatchObject({ source: 'estimate', routeMinutes: 10 });
    expect(silentMaps.routesRequests().length).toBeGreaterThan(0);
  });

  it('answers 404 for an unknown tracking link', async () => {
    const res = await hub.client().get<ErrorBody>(`/api/orders/track/${'x'.repeat(43)}/eta`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('order/not_found');
  });
});
