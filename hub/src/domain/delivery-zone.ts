import type { Position } from '../contract/index.js';

const EARTH_RADIUS_M = 6_371_000;

/** Great-circle distance in metres (haversine): the straight line a zone is drawn with. */
export function distanceM(a: Position, b: Position): number {
  const rad = (deg: number) => (deg * Math.PI) / 180;
  const dLat = rad(b.lat - a.lat);
  const dLng = rad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

export type ZoneCheck = { inZone: boolean; distanceM: number; radiusM: number };

export function checkDeliveryZone(
  shop: { position: Position; deliveryRadiusM: number },
  to: Position,
): ZoneCheck {
  const d = Math.round(distanceM(shop.position, to));
  return { inZone: d <= shop.deliveryRadiusM, distanceM: d, radiusM: shop.deliveryRadiusM };
}
