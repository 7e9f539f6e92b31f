import { describe, expect, it } from 'vitest';
import { promisedTimeProblem } from './promised-time.js';

const now = new Date('2026-11-25T18:00:00+01:00');

describe('promisedTimeProblem', () => {
  it('accepts a time later today and one six days ahead', () => {
    expect(promisedTimeProblem('2026-11-25T20:30:00+01:00', now)).toBeNull();
    expect(promisedTimeProblem('2026-12-01T19:00:00+01:00', now)).toBeNull();
  });
  it('refuses a past time and one more than a week ahead, with a sentence', () => {
    expect(promisedTimeProblem('2026-11-25T17:59:00+01:00', now)).toMatch(/past/);
    expect(promisedTimeProblem('2026-12-03T19:00:00+01:00', now)).toMatch(/7 days/);
  });
});
