import { describe, expect, it } from 'vitest';
import { formatDate, formatDistance, formatPrice, formatTime } from './format.js';

// Intl puts a narrow no-break space before the euro sign and between thousands in French.
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('format', () => {
  it('shows integer cents as euros, French style by default', () => {
    expect(plain(formatPrice(1250))).toBe('12,50 €');
    expect(plain(formatPrice(990))).toBe('9,90 €');
    expect(plain(formatPrice(123456))).toBe('1 234,56 €');
    expect(formatPrice(1250, 'en')).toBe('€12.50');
  });

  it('shows times on the shops’ clock, whatever the browser’s zone', () => {
    expect(formatTime('2026-11-25T18:42:00Z')).toBe('19:42');
    expect(formatTime('2026-07-14T18:42:00Z')).toBe('20:42');
    expect(formatTime('not a time')).toBe('not a time');
  });

  it('shows a calendar date as that day, and a timestamp as its day in Paris', () => {
    expect(formatDate('2027-03-02')).toBe('2 mars 2027');
    expect(formatDate('2027-03-02', 'en')).toBe('2 March 2027');
    expect(formatDate('2026-12-31T23:30:00Z')).toBe('1 janvier 2027');
    expect(formatDate('bientôt')).toBe('bientôt');
  });

  it('shows distances in metres under a kilometre', () => {
    expect(formatDistance(640)).toBe('640 m');
    expect(formatDistance(1234)).toBe('1,2 km');
    expect(formatDistance(2500, 'en')).toBe('2.5 km');
  });
});
