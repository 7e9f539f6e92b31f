import { Client, Status } from '@googlemaps/google-maps-services-js';
import axios from 'axios';
import type { Position } from '../contract/index.js';

export type Geocoder = {
  /** The position of a French address, or null when Google does not know it. */
  geocode(address: { line1: string; postcode: string; city: string }): Promise<Position | null>;
};

export type RouteTimer = {
  /** Driving time in minutes, or null when Google finds no route. */
  routeMinutes(from: Position, to: Position): Promise<number | null>;
};

const GOOGLE = 'https://maps.googleapis.com';

/**
 * Google Maps through its official client. The client calls absolute URLs, so `baseUrl` (a
 * loopback fake in tests) is applied by rewriting them in an axios interceptor (STACK.md).
 */
export function createGoogleGeocoder(options: {
  apiKey: string;
  baseUrl?: string;
  timeoutMs?: number;
}): Geocoder & RouteTimer {
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

    async routeMinutes(from, to) {
      const response = await client.directions({
        params: {
          origin: `${from.lat},${from.lng}`,
          destination: `${to.lat},${to.lng}`,
          key: options.apiKey,
          region: 'fr',
        },
      });
      if (response.data.status === Status.ZERO_RESULTS || response.data.status === Status.NOT_FOUND)
        return null;
      if (response.data.status !== Status.OK) {
        throw new Error(`directions failed: ${response.data.status} ${response.data.error_message ?? ''}`);
      }
      const seconds = response.data.routes[0]?.legs.reduce((sum, leg) => sum + leg.duration.value, 0);
      return seconds === undefined ? null : Math.ceil(seconds / 60);
    },
  };
}
