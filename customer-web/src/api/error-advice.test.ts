import { describe, expect, it } from 'vitest';
import { adviceKey, isRetryable, shortProducts } from './error-advice.js';
import { ApiError } from './http.js';

describe('error advice', () => {
  it('has a helpful sentence for the codes a customer meets', () => {
    expect(adviceKey('order/outside_zone')).toBe('advice.outsideZone');
    expect(adviceKey('stock/insufficient')).toBe('advice.stockInsufficient');
    expect(adviceKey('webhook/invalid')).toBeNull();
  });

  it('retries only what may work the second time', () => {
    expect(isRetryable(new ApiError(0, 'service/unavailable', 'Pas de connexion'))).toBe(true);
    expect(isRetryable(new ApiError(409, 'stock/insufficient', 'Not enough'))).toBe(false);
    expect(isRetryable(new Error('boom'))).toBe(false);
  });

  it('reads the details of stock and validation errors', () => {
    const stock = new ApiError(409, 'stock/insufficient', 'Not enough mozzarella', {
      products: ['Reine', 'Margherita'],
      ingredientIds: [2],
    });
    expect(shortProducts(stock)).toEqual(['Reine', 'Margherita']);
    const invalid = new ApiError(400, 'request/invalid', 'The request body is invalid', {
      issues: [{ path: 'customer.phone', message: 'a phone number of 6 to 20 digits' }],
    });
    expect(shortProducts(invalid)).toEqual([]);
  });
});
