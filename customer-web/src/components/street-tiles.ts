import type { MapTiles } from '@ocp/hub/contract';
import L from 'leaflet';

/** off: none configured; failed: not one tile loaded (the plain background shows instead). */
export type TilesState = 'off' | 'loading' | 'loaded' | 'failed';

/**
 * The configured street tiles under a map's markers. Leaflet keeps a tile that failed hidden, so
 * wherever tiles cannot load the container's own plain background shows through.
 */
export function addStreetTiles(
  map: L.Map,
  tiles: MapTiles,
  onState: (state: TilesState) => void,
): L.TileLayer {
  let loaded = 0;
  const layer = L.tileLayer(tiles.urlTemplate, {
    maxZoom: 19,
    // The site sends no Referer by default (helmet); tile providers such as OpenStreetMap ask for one.
    referrerPolicy: 'strict-origin-when-cross-origin',
  });
  layer.on('tileload', () => {
    loaded += 1;
    onState('loaded');
  });
  layer.on('tileerror', () => {
    if (loaded === 0) onState('failed');
  });
  onState('loading');
  return layer.addTo(map);
}
