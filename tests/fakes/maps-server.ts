import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeMaps = Awaited<ReturnType<typeof startFakeMaps>>;

/** A computeRoutes request as the fake received it. */
export type RoutesRequest = { headers: IncomingHttpHeaders; body: ComputeRoutesBody };
type LatLng = { latitude: number; longitude: number };
type ComputeRoutesBody = {
  origin?: { location?: { latLng?: LatLng } };
  destination?: { location?: { latLng?: LatLng } };
  travelMode?: string;
  routingPreference?: string;
  regionCode?: string;
};
/** How the fake answers one travel mode: a route, no route (`{}`), or Google's INVALID_ARGUMENT. */
export type RouteAnswer = 'route' | 'none' | 'invalid';

const ROUTES_PATH = '/directions/v2:computeRoutes';
const googleError = (code: number, status: string, message: string) =>
  JSON.stringify({ error: { code, message, status } });

/**
 * A loopback stand-in for Google's Geocoding API and Routes API v2, speaking their wire formats:
 * GET /maps/api/geocode/json → { status, results: [{ geometry: { location } }] };
 * POST /directions/v2:computeRoutes with X-Goog-Api-Key and X-Goog-FieldMask → the masked
 * { routes: [{ duration: "660s", distanceMeters }] }, `{}` when there is no route, and errors as
 * { error: { code, message, status } }. The hub's real clients talk to it; nothing of ours is
 * stubbed. Anything else (the legacy Directions API included) is a 404, and recorded. `hang` keeps
 * requests unanswered, as a Google that does not reply in time.
 */
export async function startFakeMaps(options: {
  key: string;
  places: Record<string, { lat: number; lng: number }>;
}) {
  const requests: URL[] = [];
  const routesRequests: RoutesRequest[] = [];
  let failing = false;
  let hanging = false;
  let routeSeconds = 11 * 60;
  const answers: Record<string, RouteAnswer> = { TWO_WHEELER: 'route', DRIVE: 'route' };

  function computeRoutes(headers: IncomingHttpHeaders, raw: string): { status: number; body: string } {
    let body: ComputeRoutesBody;
    try {
      body = JSON.parse(raw) as ComputeRoutesBody;
    } catch {
      return { status: 400, body: googleError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.') };
    }
    routesRequests.push({ headers, body });
    if (failing) return { status: 500, body: googleError(500, 'INTERNAL', 'Internal error encountered.') };
    const key = headers['x-goog-api-key'];
    if (!key) {
      return {
        status: 403,
        body: googleError(403, 'PERMISSION_DENIED', 'The request is missing a valid API key.'),
      };
    }
    if (key !== options.key) {
      return {
        status: 400,
        body: googleError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.'),
      };
    }
    const mask = String(headers['x-goog-fieldmask'] ?? '');
    if (!mask) {
      return {
        status: 400,
        body: googleError(400, 'INVALID_ARGUMENT', 'FieldMask is a required parameter.'),
      };
    }
    if (!body.origin?.location?.latLng || !body.destination?.location?.latLng) {
      return {
        status: 400,
        body: googleError(400, 'INVALID_ARGUMENT', 'Origin and destination must be set.'),
      };
    }
    const mode = body.travelMode ?? 'DRIVE';
    const answer = answers[mode] ?? 'invalid';
    if (answer === 'invalid') {
      return {
        status: 400,
        body: googleError(400, 'INVALID_ARGUMENT', `Travel mode ${mode} is not supported for this request.`),
      };
    }
    if (answer === 'none') return { status: 200, body: '{}' };
    // Only the masked fields come back, as from Google.
    const fields = mask.split(',').map((f) => f.trim());
    const wanted = (name: string) =>
      fields.some((f) => f === '*' || f === 'routes' || f === `routes.${name}`);
    const route: Record<string, unknown> = {};
    if (wanted('duration')) route.duration = `${routeSeconds}s`;
    if (wanted('distanceMeters')) route.distanceMeters = 3200;
    if (wanted('staticDuration')) route.staticDuration = `${Math.round(routeSeconds * 0.8)}s`;
    return { status: 200, body: JSON.stringify({ routes: [route] }) };
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    requests.push(url);
    res.setHeader('content-type', 'application/json');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const routes = url.pathname === ROUTES_PATH && req.method === 'POST';
      if (hanging) {
        if (routes)
          routesRequests.push({
            headers: req.headers,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as ComputeRoutesBody,
          });
        return;
      }
      if (routes) {
        const answer = computeRoutes(req.headers, Buffer.concat(chunks).toString('utf8'));
        res.statusCode = answer.status;
        return res.end(answer.body);
      }
      if (url.pathname !== '/maps/api/geocode/json') {
        res.statusCode = 404;
        return res.end(googleError(404, 'NOT_FOUND', `${url.pathname} is not served by this fake.`));
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
    /** How a travel mode is answered from now on (both answer a route at first). */
    answer(mode: 'TWO_WHEELER' | 'DRIVE', answer: RouteAnswer) {
      answers[mode] = answer;
    },
    /** Every computeRoutes request with a JSON body, in order. */
    routesRequests: () => [...routesRequests],
    /** Requests to anything this fake does not serve (the legacy Directions API, say). */
    unknownRequests: () =>
      requests.filter((u) => u.pathname !== ROUTES_PATH && u.pathname !== '/maps/api/geocode/json'),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
