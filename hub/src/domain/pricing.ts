/**
 * Money is integer cents everywhere. French menu prices include VAT (TTC), so VAT is extracted:
 * vat = total * rate / (1 + rate), rounded half-up per line, which is how a till prints it.
 * Rates are basis points (1000 = 10 %).
 */
export type PricedLine = { unitPriceCents: number; quantity: number; vatRateBp: number };

export type OrderTotals = { totalCents: number; vatCents: number; netCents: number };

export function lineVatCents(line: PricedLine): number {
  const total = line.unitPriceCents * line.quantity;
  return Math.round((total * line.vatRateBp) / (10_000 + line.vatRateBp));
}

export function priceOrder(lines: readonly PricedLine[]): OrderTotals {
  let totalCents = 0;
  let vatCents = 0;
  for (const line of lines) {
    if (!Number.isSafeInteger(line.unitPriceCents) || !Number.isSafeInteger(line.quantity)) {
      throw new RangeError('prices and quantities are integers');
    }
    totalCents += line.unitPriceCents * line.quantity;
    vatCents += lineVatCents(line);
  }
  return { totalCents, vatCents, netCents: totalCents - vatCents };
}

export function formatEuros(cents: number): string {
  return new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' }).format(cents / 100);
}
