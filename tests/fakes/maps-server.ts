import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeMaps = Awaited<ReturnType<typeof startFakeMaps>>;

/**
 * A loopback stand-in for the Google Maps Geocoding and Directions APIs, speaking their wire format
 * (GET /maps/api/geocode/json → { status, results: [{ geometry: { location } }] };
 * GET /maps/api/directions/json → { status, routes: [{ legs: [{ duration: { value } }] }] }). The
 * hub's real client library talks to it; nothing of ours is stubbed. `hang` keeps requests
 * unanswered, as a Google that does not reply in time.
 */
export async function startFakeMaps(options: {
  key: string;
  places: Record<string, { lat: number; lng: number }>;
}) {
  const requests: URL[] = [];
  let failing = false;
  let hanging = false;
  let routeSeconds = 11 * 60;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    requests.push(url);
    res.setHeader('content-type', 'application/json');
    if (hanging) return;
    if (url.pathname === '/maps/api/directions/json') {
      if (url.searchParams.get('key') !== options.key) {
        return res.end(JSON.stringify({ status: 'REQUEST_DENIED', routes: [] }));
      }
      return res.end(
        JSON.stringify({
          status: 'OK',
          geocoded_waypoints: [],
          routes: [
            {
              summary: 'fake',
              legs: [
                {
                  duration: { value: routeSeconds, text: `${Math.round(routeSeconds / 60)} mins` },
                  distance: { value: 3200, text: '3.2 km' },
                  steps: [],
                },
              ],
            },
          ],
        }),
      );
    }
    if (url.pathname !== '/maps/api/geocode/json') {
      res.statusCode = 404;
      return res.end('{}');
    }
    if (failing) {
      res.statusCode = 500;
      return res.end(JSON.stringify({ status: 'UNKNOWN_ERROR', results: [] }));
    }
    if (url.searchParams.get('key') !== options.key) {
      return res.end(
        JSON.stringify({
          status: 'REQUEST_DENIED',
          error_message: 'The provided API key is invalid.',
          results: [],
        }),
      );
    }
    const address = url.searchParams.get('address') ?? '';
    const hit = Object.entries(options.places).find(([street]) =>
      address.toLowerCase().includes(street.toLowerCase()),
    );
    if (!hit) return res.end(JSON.stringify({ status: 'ZERO_RESULTS', results: [] }));
    res.end(
      JSON.stringify({
        status: 'OK',
        results: [
          {
            formatted_address: address,
            geometry: { location: hit[1], location_type: 'ROOFTOP' },
            place_id: 'fake',
          },
        ],
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    fail(value: boolean) {
      failing = value;
    },
    hang(value: boolean) {
      hanging = value;
    },
    setRouteSeconds(seconds: number) {
      routeSeconds = seconds;
    },
    directionsRequests: () => requests.filter((u) => u.pathname === '/maps/api/directions/json'),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
