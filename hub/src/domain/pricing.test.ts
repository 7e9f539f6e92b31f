import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatEuros, lineVatCents, priceOrder, type PricedLine } from './pricing.js';

const TEN_PERCENT = 1000;
const TWENTY_PERCENT = 2000;
const FIVE_AND_A_HALF_PERCENT = 550;

describe('lineVatCents (VAT extracted from a VAT-inclusive price)', () => {
  it('extracts 10 % VAT: a 10.90 € pizza holds 0.99 € of VAT', () => {
    expect(lineVatCents({ unitPriceCents: 1090, quantity: 1, vatRateBp: TEN_PERCENT })).toBe(99);
  });

  it('extracts 20 % VAT: a 2.50 € soda holds 0.42 € of VAT', () => {
    // 250 × 20 / 120 = 41.67
    expect(lineVatCents({ unitPriceCents: 250, quantity: 1, vatRateBp: TWENTY_PERCENT })).toBe(42);
  });

  it('extracts 5.5 % VAT', () => {
    // 1000 × 5.5 / 105.5 = 52.13
    expect(lineVatCents({ unitPriceCents: 1000, quantity: 1, vatRateBp: FIVE_AND_A_HALF_PERCENT })).toBe(52);
  });

  it('computes on the line total, quantity included', () => {
    // 3 × 1090 = 3270; 3270 / 11 = 297.27
    expect(lineVatCents({ unitPriceCents: 1090, quantity: 3, vatRateBp: TEN_PERCENT })).toBe(297);
  });

  it('rounds half up', () => {
    // 9 × 20 / 120 = 1.5
    expect(lineVatCents({ unitPriceCents: 9, quantity: 1, vatRateBp: TWENTY_PERCENT })).toBe(2);
  });

  it('is 0 at a 0 % rate', () => {
    expect(lineVatCents({ unitPriceCents: 1090, quantity: 2, vatRateBp: 0 })).toBe(0);
  });
});

describe('priceOrder', () => {
  it('totals the lines and their VAT', () => {
    const totals = priceOrder([
      { unitPriceCents: 1090, quantity: 2, vatRateBp: TEN_PERCENT }, // 2180, VAT 198.18 → 198
      { unitPriceCents: 250, quantity: 3, vatRateBp: TWENTY_PERCENT }, // 750, VAT 125
    ]);
    expect(totals).toEqual({ totalCents: 2930, vatCents: 323, netCents: 2607 });
  });

  it('rounds VAT per line, as a till prints it', () => {
    // Two lines of 0.09 € at 20 %: 2 + 2 cents; one line of 2 × 0.09 €: 18 / 6 = 3 cents.
    expect(
      priceOrder([
        { unitPriceCents: 9, quantity: 1, vatRateBp: TWENTY_PERCENT },
        { unitPriceCents: 9, quantity: 1, vatRateBp: TWENTY_PERCENT },
      ]).vatCents,
    ).toBe(4);
    expect(priceOrder([{ unitPriceCents: 9, quantity: 2, vatRateBp: TWENTY_PERCENT }]).vatCents).toBe(3);
  });

  it('prices an empty order at zero', () => {
    expect(priceOrder([])).toEqual({ totalCents: 0, vatCents: 0, netCents: 0 });
  });

  it.each([
    ['a price in fractions of a cent', { unitPriceCents: 1090.5, quantity: 1, vatRateBp: TEN_PERCENT }],
    ['a fractional quantity', { unitPriceCents: 1090, quantity: 1.5, vatRateBp: TEN_PERCENT }],
    ['a price that is not a number', { unitPriceCents: Number.NaN, quantity: 1, vatRateBp: TEN_PERCENT }],
  ])('refuses %s', (_label, bad) => {
    expect(() => priceOrder([{ unitPriceCents: 500, quantity: 1, vatRateBp: TEN_PERCENT }, bad])).toThrow(
      RangeError,
    );
  });

  it('always has net + VAT = total, integer cents, VAT within the total, total = sum of lines (property)', () => {
    const lineArb: fc.Arbitrary<PricedLine> = fc.record({
      unitPriceCents: fc.integer({ min: 0, max: 100_000 }),
      quantity: fc.integer({ min: 1, max: 50 }),
      vatRateBp: fc.constantFrom(0, 210, 550, 1000, 2000),
    });
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 20 }), (lines) => {
        const { totalCents, vatCents, netCents } = priceOrder(lines);
        expect(netCents + vatCents).toBe(totalCents);
        expect(totalCents).toBe(lines.reduce((sum, l) => sum + l.unitPriceCents * l.quantity, 0));
        expect(vatCents).toBe(lines.reduce((sum, l) => sum + lineVatCents(l), 0));
        expect(Number.isInteger(vatCents)).toBe(true);
        expect(vatCents).toBeGreaterThanOrEqual(0);
        expect(vatCents).toBeLessThanOrEqual(totalCents);
      }),
    );
  });
});

describe('formatEuros', () => {
  // French formatting uses (narrow) no-break spaces; compare with plain spaces.
  const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

  it('prints euros the French way', () => {
    expect(plain(formatEuros(1090))).toBe('10,90 €');
    expect(plain(formatEuros(123456))).toBe('1 234,56 €');
    expect(plain(formatEuros(0))).toBe('0,00 €');
  });
});
