import { describe, expect, it } from 'vitest';
import { ApiError } from './api-client.js';

describe('ApiError', () => {
  it('reads the per-field problems of a request/invalid answer from its details', () => {
    const invalid = new ApiError(400, 'request/invalid', 'The request body is invalid', {
      issues: [{ path: 'recipe.2.quantity', message: 'Too small' }],
    });
    expect(invalid.issues).toEqual([{ path: 'recipe.2.quantity', message: 'Too small' }]);
  });

  it('has no field problems when the details are something else or malformed', () => {
    expect(new ApiError(409, 'stock/insufficient', 'Not enough', { products: ['Reine'] }).issues).toEqual([]);
    expect(new ApiError(400, 'request/invalid', 'Bad', { issues: [{ nope: 1 }] }).issues).toEqual([]);
    expect(new ApiError(0, 'service/unavailable', 'Pas de connexion').issues).toEqual([]);
  });
});
