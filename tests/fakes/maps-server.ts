import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeMaps = Awaited<ReturnType<typeof startFakeMaps>>;

/**
 * A loopback stand-in for the Google Maps Geocoding API, speaking its wire format
 * (GET /maps/api/geocode/json → { status, results: [{ geometry: { location } }] }). The hub's real
 * client library talks to it; nothing of ours is stubbed.
 */
export async function startFakeMaps(options: {
  key: string;
  places: Record<string, { lat: number; lng: number }>;
}) {
  const requests: URL[] = [];
  let failing = false;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    requests.push(url);
    res.setHeader('content-type', 'application/json');
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
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
