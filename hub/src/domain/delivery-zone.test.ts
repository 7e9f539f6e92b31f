import { describe, expect, it } from 'vitest';
import { checkDeliveryZone, distanceM } from './delivery-zone.js';

describe('delivery zone', () => {
  it('measures Paris Bastille to République at about 1.6 km', () => {
    const d = distanceM({ lat: 48.8532, lng: 2.3692 }, { lat: 48.8674, lng: 2.3637 });
    expect(d).toBeGreaterThan(1500);
    expect(d).toBeLessThan(1700);
  });
  it('accepts an address inside the radius and refuses one outside, saying how far', () => {
    const shop = { position: { lat: 48.8656, lng: 2.3781 }, deliveryRadiusM: 2500 };
    expect(checkDeliveryZone(shop, { lat: 48.8549, lng: 2.3736 }).inZone).toBe(true);
    const far = checkDeliveryZone(shop, { lat: 48.8049, lng: 2.3345 });
    expect(far.inZone).toBe(false);
    expect(far.distanceM).toBeGreaterThan(7000);
    expect(far.radiusM).toBe(2500);
  });
  it('a zero distance is in zone', () => {
    const p = { lat: 45.75, lng: 4.84 };
    expect(checkDeliveryZone({ position: p, deliveryRadiusM: 1 }, p)).toEqual({
      inZone: true,
      distanceM: 0,
      radiusM: 1,
    });
  });
});
