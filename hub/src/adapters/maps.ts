import { Client, Status } from '@googlemaps/google-maps-services-js';
import axios from 'axios';
import { z } from 'zod';
import type { Position } from '../contract/index.js';

export type Geocoder = {
  /** The position of a French address, or null when Google does not know it. */
  geocode(address: { line1: string; postcode: string; city: string }): Promise<Position | null>;
};

export type RouteTimer = {
  /** Travel time in minutes (traffic-aware), or null when Google finds no route. */
  routeMinutes(from: Position, to: Position): Promise<number | null>;
};

export type TravelMode = 'TWO_WHEELER' | 'DRIVE';

const GOOGLE = 'https://maps.googleapis.com';
export const ROUTES_API_URL = 'https://routes.googleapis.com';

/**
 * Google geocoding through its official client. The client calls absolute URLs, so `baseUrl` (a
 * loopback fake in tests) is applied by rewriting them in an axios interceptor (STACK.md).
 */
export function createGoogleGeocoder(options: {
  apiKey: string;
  baseUrl?: string | undefined;
  timeoutMs?: number;
}): Geocoder {
  const http = axios.create({ timeout: options.timeoutMs ?? 4000 });
  if (options.baseUrl) {
    const base = options.baseUrl.replace(/\/$/, '');
    http.interceptors.request.use((config) => {
      if (config.url?.startsWith(GOOGLE)) config.url = base + config.url.slice(GOOGLE.length);
      return config;
    });
  }
  const client = new Client({ axiosInstance: http });
  return {
    async geocode(address) {
      const response = await client.geocode({
        params: {
          address: `${address.line1}, ${address.postcode} ${address.city}, France`,
          region: 'fr',
          components: { country: 'FR' },
          key: options.apiKey,
        },
      });
      if (response.data.status === Status.ZERO_RESULTS) return null;
      if (response.data.status !== Status.OK) {
        throw new Error(`geocoding failed: ${response.data.status} ${response.data.error_message ?? ''}`);
      }
      const location = response.data.results[0]?.geometry.location;
      return location ? { lat: location.lat, lng: location.lng } : null;
    },
  };
}

/** What we read of a computeRoutes answer: the field mask asks for nothing else. */
const ComputeRoutesResponse = z.object({
  routes: z
    .array(
      z.object({
        duration: z
          .string()
          .regex(/^\d+(\.\d+)?s$/)
          .optional(),
        distanceMeters: z.number().optional(),
      }),
    )
    .optional(),
});
const GoogleError = z.object({
  error: z.object({ code: z.number(), message: z.string(), status: z.string() }),
});

export class RoutesApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly status: string,
    message: string,
  ) {
    super(`Routes API ${httpStatus} ${status}: ${message}`);
    this.name = 'RoutesApiError';
  }
}

/** Two-wheeler coverage is by country: after it gave nothing where a car route exists, wait this long. */
const TWO_WHEELER_RETRY_MS = 6 * 3600_000;

/**
 * Route times from the Routes API (computeRoutes, REST v2), traffic-aware. The legacy Directions
 * and Distance Matrix APIs cannot be enabled on new keys. Couriers ride scooters, so TWO_WHEELER
 * is asked first when configured; Google covers it in some countries only (not France, as of
 * 2025-12), answering nothing or INVALID_ARGUMENT elsewhere: the same route is then asked as DRIVE,
 * and two-wheeler is not asked again for a while once DRIVE found the route two-wheeler did not.
 * Errors other than that (key refused, quota, Google down) are thrown: the caller falls back to
 * its straight-line estimate.
 */
export function createGoogleRoutes(options: {
  apiKey: string;
  routesUrl?: string | undefined;
  travelMode?: TravelMode;
  timeoutMs?: number;
  now?: () => number;
}): RouteTimer {
  const http = axios.create({
    baseURL: (options.routesUrl ?? ROUTES_API_URL).replace(/\/$/, ''),
    timeout: options.timeoutMs ?? 4000,
    // Google's errors carry a JSON body worth reading: every status is handled below.
    validateStatus: () => true,
  });
  const now = options.now ?? Date.now;
  let twoWheelerAgainAt = 0;

  async function compute(from: Position, to: Position, travelMode: TravelMode): Promise<number | null> {
    const response = await http.post<unknown>(
      '/directions/v2:computeRoutes',
      {
        origin: { location: { latLng: { latitude: from.lat, longitude: from.lng } } },
        destination: { location: { latLng: { latitude: to.lat, longitude: to.lng } } },
        travelMode,
        routingPreference: 'TRAFFIC_AWARE',
        regionCode: 'fr',
      },
      {
        headers: {
          'Content-Type': 'application/json',
          'X-Goog-Api-Key': options.apiKey,
          'X-Goog-FieldMask': 'routes.duration,routes.distanceMeters',
        },
      },
    );
    if (response.status !== 200) {
      const error = GoogleError.safeParse(response.data);
      throw error.success
        ? new RoutesApiError(response.status, error.data.error.status, error.data.error.message)
        : new RoutesApiError(response.status, 'UNKNOWN', 'an answer that is not a Google error');
    }
    const body = ComputeRoutesResponse.parse(response.data);
    const duration = body.routes?.[0]?.duration;
    return duration === undefined ? null : Math.ceil(Number.parseFloat(duration) / 60);
  }

  return {
    async routeMinutes(from, to) {
      if (options.travelMode !== 'TWO_WHEELER' || now() < twoWheelerAgainAt)
        return compute(from, to, 'DRIVE');
      try {
        const minutes = await compute(from, to, 'TWO_WHEELER');
        if (minutes !== null) return minutes;
      } catch (error) {
        if (!(error instanceof RoutesApiError && error.status === 'INVALID_ARGUMENT')) throw error;
      }
      const minutes = await compute(from, to, 'DRIVE');
      if (minutes !== null) twoWheelerAgainAt = now() + TWO_WHEELER_RETRY_MS;
      return minutes;
    },
  };
}
