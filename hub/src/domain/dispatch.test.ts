import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chooseCourier, type CourierCandidate, type DispatchOrder } from './dispatch.js';

const shopPosition = { lat: 48.8656, lng: 2.3781 };
const settings = { batchRadiusM: 800, batchWindowMs: 5 * 60_000 };
const now = new Date('2026-11-25T19:00:00Z');
const order: DispatchOrder = { id: 'o1', shopId: 1, position: { lat: 48.8549, lng: 2.3736 }, readyAt: now };

const courier = (id: string, overrides: Partial<CourierCandidate> = {}): CourierCandidate => ({
  id,
  shopId: 1,
  onShift: true,
  present: true,
  position: shopPosition,
  load: 0,
  offers: 0,
  capacity: 2,
  ...overrides,
});

const choose = (couriers: CourierCandidate[], extra: Partial<Parameters<typeof chooseCourier>[0]> = {}) =>
  chooseCourier({ order, shopPosition, couriers, carried: [], skip: new Set(), settings, ...extra });

describe('dispatch', () => {
  it('offers to the available courier nearest to the shop', () => {
    const far = courier('far', { position: { lat: 48.89, lng: 2.4 } });
    const near = courier('near', { position: { lat: 48.866, lng: 2.378 } });
    const busy = courier('busy', { load: 1 });
    expect(choose([far, busy, near])).toEqual({ courierId: 'near', reason: 'available' });
  });

  it('a courier without a known position comes after those with one', () => {
    expect(choose([courier('unknown', { position: null }), courier('known')])?.courierId).toBe('known');
  });

  it('when nobody is free, offers to the least loaded courier with room', () => {
    const two = courier('two', { load: 2, capacity: 3 });
    const one = courier('one', { load: 1 });
    const full = courier('full', { load: 2 });
    expect(choose([two, full, one])).toEqual({ courierId: 'one', reason: 'least_loaded' });
  });

  it('batches with a courier taking a ready order close by, within the window', () => {
    const partner = courier('partner', { load: 1, position: { lat: 48.89, lng: 2.4 } });
    const free = courier('free');
    const carried = [
      {
        courierId: 'partner',
        position: { lat: 48.8555, lng: 2.374 },
        readyAt: new Date(now.getTime() - 60_000),
      },
    ];
    expect(choose([free, partner], { carried })).toEqual({ courierId: 'partner', reason: 'batch' });
    // Too far apart, or too long ago: no batch.
    const farAway = [{ ...carried[0]!, position: { lat: 48.88, lng: 2.33 } }];
    expect(choose([free, partner], { carried: farAway })?.courierId).toBe('free');
    const tooEarly = [{ ...carried[0]!, readyAt: new Date(now.getTime() - 20 * 60_000) }];
    expect(choose([free, partner], { carried: tooEarly })?.courierId).toBe('free');
  });

  it('skips couriers who declined or let the offer expire, and says when nobody is left', () => {
    const a = courier('a');
    const b = courier('b', { position: { lat: 48.87, lng: 2.38 } });
    expect(choose([a, b], { skip: new Set(['a']) })?.courierId).toBe('b');
    expect(choose([a, b], { skip: new Set(['a', 'b']) })).toBeNull();
    expect(choose([courier('off', { onShift: false })])).toBeNull();
  });

  it('never offers to a courier whose screen is not connected, however near', () => {
    const absent = courier('absent', { present: false });
    const connected = courier('connected', { position: { lat: 48.89, lng: 2.4 } });
    expect(choose([absent, connected])).toEqual({ courierId: 'connected', reason: 'available' });
    expect(choose([absent])).toBeNull();
  });

  it('property: never another shop, off shift, absent, skipped or at capacity; someone whenever anyone eligible exists', () => {
    const arbCourier = fc.record({
      id: fc.constantFrom('c1', 'c2', 'c3', 'c4', 'c5', 'c6'),
      shopId: fc.constantFrom(1, 2),
      onShift: fc.boolean(),
      present: fc.boolean(),
      position: fc.option(
        fc.record({
          lat: fc.double({ min: 48.8, max: 48.9, noNaN: true }),
          lng: fc.double({ min: 2.3, max: 2.45, noNaN: true }),
        }),
        { nil: null },
      ),
      load: fc.integer({ min: 0, max: 4 }),
      offers: fc.integer({ min: 0, max: 2 }),
      capacity: fc.integer({ min: 1, max: 4 }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(arbCourier, { selector: (c) => c.id, maxLength: 6 }),
        fc.subarray(['c1', 'c2', 'c3', 'c4', 'c5', 'c6']),
        fc.array(
          fc.record({
            courierId: fc.constantFrom('c1', 'c2', 'c3', 'c4', 'c5', 'c6'),
            position: fc.option(
              fc.record({
                lat: fc.double({ min: 48.84, max: 48.87, noNaN: true }),
                lng: fc.double({ min: 2.36, max: 2.39, noNaN: true }),
              }),
              { nil: null },
            ),
            readyAt: fc.date({ min: new Date(now.getTime() - 600_000), max: now, noInvalidDate: true }),
          }),
          { maxLength: 4 },
        ),
        (couriers, skipped, carried) => {
          const choice = chooseCourier({
            order,
            shopPosition,
            couriers,
            carried,
            skip: new Set(skipped),
            settings,
          });
          const eligible = couriers.filter(
            (c) =>
              c.shopId === 1 &&
              c.onShift &&
              c.present &&
              !skipped.includes(c.id) &&
              c.load + c.offers < c.capacity,
          );
          if (!choice) return eligible.length === 0;
          const chosen = couriers.find((c) => c.id === choice.courierId)!;
          return eligible.includes(chosen);
        },
      ),
    );
  });
});
