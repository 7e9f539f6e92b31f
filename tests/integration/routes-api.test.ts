import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGoogleRoutes, RoutesApiError } from '../../hub/src/adapters/maps.js';
import { startFakeMaps, type FakeMaps } from '../fakes/maps-server.js';

/** The hub's Routes API adapter against the loopback fake of Google's REST protocol. */
const KEY = 'AIzaFakeKeyForTests0123';
const shop = { lat: 48.8656, lng: 2.3781 };
const home = { lat: 48.8549, lng: 2.3736 };

let maps: FakeMaps;
beforeAll(async () => {
  maps = await startFakeMaps({ key: KEY, places: {} });
});
afterAll(async () => {
  await maps?.close();
});
beforeEach(() => {
  maps.answer('TWO_WHEELER', 'route');
  maps.answer('DRIVE', 'route');
  maps.fail(false);
  maps.setRouteSeconds(660);
});

const modesAsked = (since: number) =>
  maps
    .routesRequests()
    .slice(since)
    .map((r) => r.body.travelMode);

describe('route times from the Routes API (computeRoutes)', () => {
  it('asks a traffic-aware two-wheeler route with the key and a field mask, and rounds up to minutes', async () => {
    const routes = createGoogleRoutes({ apiKey: KEY, routesUrl: maps.url, travelMode: 'TWO_WHEELER' });
    maps.setRouteSeconds(661);
    const since = maps.routesRequests().length;
    expect(await routes.routeMinutes(shop, home)).toBe(12);
    const [asked] = maps.routesRequests().slice(since);
    expect(asked!.headers['x-goog-api-key']).toBe(KEY);
    expect(asked!.headers['x-goog-fieldmask']).toBe('routes.duration,routes.distanceMeters');
    expect(asked!.headers['content-type']).toMatch(/^application\/json/);
    expect(asked!.body).toEqual({
      origin: { location: { latLng: { latitude: 48.8656, longitude: 2.3781 } } },
      destination: { location: { latLng: { latitude: 48.8549, longitude: 2.3736 } } },
      travelMode: 'TWO_WHEELER',
      routingPreference: 'TRAFFIC_AWARE',
      regionCode: 'fr',
    });
    expect(maps.unknownRequests()).toEqual([]);
  });

  it('where Google has no two-wheeler routes, asks DRIVE, then goes straight to DRIVE', async () => {
    let now = Date.parse('2026-12-04T12:00:00Z');
    const routes = createGoogleRoutes({
      apiKey: KEY,
      routesUrl: maps.url,
      travelMode: 'TWO_WHEELER',
      now: () => now,
    });
    maps.answer('TWO_WHEELER', 'none');
    const since = maps.routesRequests().length;
    expect(await routes.routeMinutes(shop, home)).toBe(11);
    expect(await routes.routeMinutes(home, shop)).toBe(11);
    expect(modesAsked(since)).toEqual(['TWO_WHEELER', 'DRIVE', 'DRIVE']);
    // Hours later (coverage grows), two-wheeler is asked again.
    now += 7 * 3600_000;
    maps.answer('TWO_WHEELER', 'route');
    maps.setRouteSeconds(540);
    expect(await routes.routeMinutes(shop, home)).toBe(9);
    expect(modesAsked(since)).toEqual(['TWO_WHEELER', 'DRIVE', 'DRIVE', 'TWO_WHEELER']);
  });

  it('takes an INVALID_ARGUMENT on TWO_WHEELER as "not available here" too', async () => {
    const routes = createGoogleRoutes({ apiKey: KEY, routesUrl: maps.url, travelMode: 'TWO_WHEELER' });
    maps.answer('TWO_WHEELER', 'invalid');
    const since = maps.routesRequests().length;
    expect(await routes.routeMinutes(shop, home)).toBe(11);
    expect(modesAsked(since)).toEqual(['TWO_WHEELER', 'DRIVE']);
  });

  it('no route at all is null, and does not turn two-wheeler off', async () => {
    const routes = createGoogleRoutes({ apiKey: KEY, routesUrl: maps.url, travelMode: 'TWO_WHEELER' });
    maps.answer('TWO_WHEELER', 'none');
    maps.answer('DRIVE', 'none');
    const since = maps.routesRequests().length;
    expect(await routes.routeMinutes(shop, home)).toBeNull();
    maps.answer('TWO_WHEELER', 'route');
    maps.answer('DRIVE', 'route');
    expect(await routes.routeMinutes(shop, home)).toBe(11);
    expect(modesAsked(since)).toEqual(['TWO_WHEELER', 'DRIVE', 'TWO_WHEELER']);
  });

  it('with MAPS_TRAVEL_MODE=DRIVE asks DRIVE only', async () => {
    const routes = createGoogleRoutes({ apiKey: KEY, routesUrl: maps.url, travelMode: 'DRIVE' });
    const since = maps.routesRequests().length;
    expect(await routes.routeMinutes(shop, home)).toBe(11);
    expect(modesAsked(since)).toEqual(['DRIVE']);
  });

  it('throws Google’s error when the key is refused or Google fails, without asking DRIVE on a failure', async () => {
    const refused = createGoogleRoutes({
      apiKey: 'AIzaWrongKey000000000',
      routesUrl: maps.url,
      travelMode: 'DRIVE',
    });
    const error = await refused.routeMinutes(shop, home).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RoutesApiError);
    expect(error).toMatchObject({ httpStatus: 400, status: 'INVALID_ARGUMENT' });
    expect((error as Error).message).toMatch(/API key not valid/);

    const routes = createGoogleRoutes({ apiKey: KEY, routesUrl: maps.url, travelMode: 'TWO_WHEELER' });
    maps.fail(true);
    const since = maps.routesRequests().length;
    await expect(routes.routeMinutes(shop, home)).rejects.toMatchObject({
      httpStatus: 500,
      status: 'INTERNAL',
    });
    expect(modesAsked(since)).toEqual(['TWO_WHEELER']);
  });
});
