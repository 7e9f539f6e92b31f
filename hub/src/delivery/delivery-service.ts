import type { Logger } from 'pino';
import type { DeliveryCheck, Position, Shop, ShopSearchResult } from '../contract/index.js';
import type { Geocoder } from '../adapters/maps.js';
import { checkDeliveryZone } from '../domain/delivery-zone.js';
import { shopsForPostcode } from '../domain/postcode.js';
import { appError } from '../errors.js';

export type DeliveryService = ReturnType<typeof createDeliveryService>;

type Address = { line1: string; postcode: string; city: string; position?: Position | undefined };

/**
 * Where a delivery goes, and whether the shop delivers there. With a Maps key the address is
 * geocoded (an unknown address is refused); without one, or when Google does not answer, the
 * order is still taken — a pizzeria does not turn customers away because of an API — and its
 * position stays unknown ("unverified").
 */
export function createDeliveryService(deps: { geocoder?: Geocoder | undefined; logger: Logger }) {
  return {
    async locate(shop: Shop, address: Address): Promise<DeliveryCheck> {
      let position: Position | null = address.position ?? null;
      let verified = position !== null;
      if (!position && deps.geocoder) {
        try {
          position = await deps.geocoder.geocode(address);
        } catch (error) {
          deps.logger.warn({ err: error }, 'geocoding unavailable: order address left unverified');
          return { position: null, verified: false, zone: null };
        }
        if (!position) {
          throw appError(
            'order/address_not_found',
            `We could not find "${address.line1}, ${address.postcode} ${address.city}": check the street and number.`,
          );
        }
        verified = true;
      }
      const zone = position ? checkDeliveryZone(shop, position) : null;
      return { position, verified, zone };
    },

    /**
     * The open shops delivering to an address, nearest first. Unverified (no Maps, Google down):
     * the open shops of the address's département, nearest postcode first, for the customer to
     * choose; the zone is checked again at ordering.
     */
    async searchShops(shops: readonly Shop[], address: Address): Promise<ShopSearchResult> {
      const open = shops.filter((s) => s.status === 'open');
      const first = open[0];
      if (!first) return { position: null, verified: false, shops: [] };
      const located = await this.locate(first, address);
      const position = located.position;
      if (!position)
        return {
          position: null,
          verified: false,
          shops: shopsForPostcode(open, address.postcode).map((shop) => ({ shop, distanceM: null })),
        };
      const covering = open
        .map((shop) => ({ shop, zone: checkDeliveryZone(shop, position) }))
        .filter((c) => c.zone.inZone)
        .sort((a, b) => a.zone.distanceM - b.zone.distanceM)
        .map((c) => ({ shop: c.shop, distanceM: c.zone.distanceM }));
      return { position, verified: located.verified, shops: covering };
    },

    /** Locates and refuses an address the shop does not deliver to. */
    async requireDeliverable(shop: Shop, address: Address): Promise<DeliveryCheck> {
      const check = await this.locate(shop, address);
      if (check.zone && !check.zone.inZone) {
        throw appError(
          'order/outside_zone',
          `This address is ${(check.zone.distanceM / 1000).toFixed(1)} km from ${shop.name}, outside its ${(check.zone.radiusM / 1000).toFixed(1)} km delivery zone.`,
          check.zone,
        );
      }
      return check;
    },
  };
}
