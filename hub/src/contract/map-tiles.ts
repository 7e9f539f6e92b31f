import { z } from 'zod';

/**
 * The street tiles the tracking and manager maps draw under their markers: an XYZ template
 * (`{z}/{x}/{y}`, optionally `{s}` subdomains and `{r}` retina suffix, as Leaflet reads them) and
 * the attribution its provider requires, shown on the map. Absent: the plain background only.
 */
export const MapTiles = z.object({
  urlTemplate: z.string().min(1),
  /** Plain text, e.g. "© OpenStreetMap contributors" (never parsed as HTML). */
  attribution: z.string().min(1),
  /** Where the attribution links to (the provider's copyright page), when it has one. */
  attributionUrl: z.url({ protocol: /^https?$/ }).nullable(),
});
export type MapTiles = z.infer<typeof MapTiles>;
