import { describe, expect, it } from 'vitest';
import { shortCode } from './short-code.js';

describe('shortCode', () => {
  it('is the shop letter and a 3-digit number', () => {
    expect(shortCode('A', 42)).toBe('A-042');
    expect(shortCode('B', 7)).toBe('B-007');
    expect(shortCode('C', 999)).toBe('C-999');
  });

  it('wraps at 1000', () => {
    expect(shortCode('A', 1000)).toBe('A-000');
    expect(shortCode('A', 1042)).toBe('A-042');
    expect(shortCode('A', 12345)).toBe('A-345');
  });
});
