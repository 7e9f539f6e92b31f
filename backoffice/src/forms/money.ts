/** Prices are integer cents in the hub; people type euros, with a comma or a dot. */
export function eurosToCents(text: string): number | null {
  const cleaned = text.trim().replace(/\s|€/g, '').replace(',', '.');
  if (!/^\d+(\.\d{1,2})?$/.test(cleaned)) return null;
  return Math.round(Number(cleaned) * 100);
}

export function centsToEuros(cents: number): string {
  return (cents / 100).toFixed(2).replace('.', ',');
}

/** VAT rates in basis points, as the hub accepts them. */
export const VAT_RATES = [550, 1000, 2000] as const;

export const vatLabel = (bp: number): string => `${(bp / 100).toLocaleString('fr-FR')} %`;
