import { Client, Status } from '@googlemaps/google-maps-services-js';
import axios from 'axios';
import type { Position } from '../contract/index.js';

export type Geocoder = {
  /** The position of a French address, or null when Google does not know it. */
  geocode(address: { line1: string; postcode: string; city: string }): Promise<Position | null>;
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
