import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedOrder, DeliveryCheck, ErrorBody } from '../../hub/src/contract/index.js';
import { startFakeMaps, type FakeMaps } from '../fakes/maps-server.js';
import { facts, type Facts } from '../helpers/facts.js';
import { deliveryOrderBody } from '../helpers/orders.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

let maps: FakeMaps;
let hub: TestHub;
let noKey: TestHub;
let f: Facts;
let shopA: number;
let reine: number;

const KEY = 'AIzaFakeKeyForTests0123';
const near = { line1: '24 rue de la Roquette', postcode: '75011', city: 'Paris' };
const far = { line1: '10 avenue de la Porte de Choisy', postcode: '75013', city: 'Paris' };
const unknown = { line1: '999 rue qui n’existe pas', postcode: '75011', city: 'Paris' };

beforeAll(async () => {
  maps = await startFakeMaps({
    key: KEY,
    places: {
      'rue de la Roquette': { lat: 48.8549, lng: 2.3736 },
      'Porte de Choisy': { lat: 48.8205, lng: 2.3649 },
    },
  });
  hub = await startTestHub({ env: { MAPS_API_KEY: KEY, MAPS_BASE_URL: maps.url } });
  noKey = await startTestHub({ database: hub.database });
  f = facts(hub.db);
  shopA = await f.shopId('A');
  reine = await f.productId('reine');
});
afterAll(async () => {
  await noKey?.close();
  await hub?.close();
  await maps?.close();
});

const order = (via: TestHub, address: object) =>
  via.client().post<CreatedOrder | ErrorBody>(
    '/api/orders',
    deliveryOrderBody({
      shopId: shopA,
      lines: [{ productId: reine, quantity: 1 }],
      deliveryAddress: address as never,
    }),
  );

describe('delivery addresses: geocoding and zone', () => {
  it('geocodes an address in the zone through Google’s client and stores its position', async () => {
    const check = await hub.client().post<DeliveryCheck>(`/api/shops/${shopA}/delivery-check`, near);
    expect(check.status).toBe(200);
    expect(check.body).toMatchObject({
      verified: true,
      position: { lat: 48.8549, lng: 2.3736 },
      zone: { inZone: true },
    });
    const res = await order(hub, near);
    expect(res.status).toBe(201);
    expect((res.body as CreatedOrder).order.deliveryAddress?.position).toEqual({ lat: 48.8549, lng: 2.3736 });
    // The last geocoding request (the promise then asks the Routes API for the drive).
    const asked = maps.requests.filter((u) => u.pathname === '/maps/api/geocode/json').at(-1)!;
    expect(asked.searchParams.get('address')).toContain('24 rue de la Roquette, 75011 Paris');
    expect(asked.searchParams.get('key')).toBe(KEY);
  });

  it('refuses an address outside the zone, saying how far it is, and changes nothing', async () => {
    const before = await f.snapshot();
    const res = await order(hub, far);
    expect(res.status).toBe(422);
    const body = res.body as ErrorBody;
    expect(body.error.code).toBe('order/outside_zone');
    expect(body.error.message).toMatch(/km from OC Pizza Oberkampf/);
    expect(await f.snapshot()).toEqual(before);
  });

  it('refuses an address Google does not know', async () => {
    const res = await order(hub, unknown);
    expect(res.status).toBe(422);
    expect((res.body as ErrorBody).error.code).toBe('order/address_not_found');
  });

  it('takes the order unverified when Google fails, and without a key', async () => {
    maps.fail(true);
    try {
      const res = await order(hub, near);
      expect(res.status).toBe(201);
      expect((res.body as CreatedOrder).order.deliveryAddress?.position).toBeNull();
    } finally {
      maps.fail(false);
    }
    const withoutKey = await order(noKey, unknown);
    expect(withoutKey.status).toBe(201);
    const check = await noKey.client().post<DeliveryCheck>(`/api/shops/${shopA}/delivery-check`, near);
    expect(check.body).toEqual({ position: null, verified: false, zone: null });
    // A position given by the client is still checked against the zone.
    const outside = await order(noKey, { ...far, position: { lat: 48.8205, lng: 2.3649 } });
    expect(outside.status).toBe(422);
  });
});
