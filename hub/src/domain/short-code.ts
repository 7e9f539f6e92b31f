/** The kitchen's name for an order: the shop's letter and a 3-digit number, e.g. `A-042`. */
export function shortCode(shopLetter: string, orderNumber: number): string {
  return `${shopLetter}-${String(orderNumber % 1000).padStart(3, '0')}`;
}
