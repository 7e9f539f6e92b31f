import { describe, expect, it } from 'vitest';
import { inProgress, parseRemembered, remember, type RememberedOrder } from './my-orders.js';

const now = new Date('2026-11-25T19:00:00Z');
const entry = (
  token: string,
  createdAt: string,
  status: RememberedOrder['status'] = 'received',
): RememberedOrder => ({
  token,
  shortCode: `A-${token}`,
  shopName: 'OC Pizza Oberkampf',
  mode: 'delivery',
  createdAt,
  status,
});

describe('remembered orders', () => {
  it('keeps the newest first, one entry per token, and updates its status', () => {
    let list = remember([], entry('1', '2026-11-25T18:00:00Z'), now);
    list = remember(list, entry('2', '2026-11-25T18:30:00Z'), now);
    list = remember(list, entry('1', '2026-11-25T18:00:00Z', 'baking'), now);
    expect(list.map((e) => `${e.token}:${e.status}`)).toEqual(['2:received', '1:baking']);
  });

  it('forgets orders older than three days and reads storage defensively', () => {
    const raw = JSON.stringify([
      entry('old', '2026-11-20T18:00:00Z'),
      entry('new', '2026-11-25T18:00:00Z'),
      { token: 1 },
    ]);
    expect(parseRemembered(raw, now).map((e) => e.token)).toEqual(['new']);
    expect(parseRemembered('{oops', now)).toEqual([]);
    expect(parseRemembered(null, now)).toEqual([]);
  });

  it('lists as in progress only the orders not finished', () => {
    const list = [
      entry('1', '2026-11-25T18:00:00Z', 'delivered'),
      entry('2', '2026-11-25T18:10:00Z', 'baking'),
    ];
    expect(inProgress(list).map((e) => e.token)).toEqual(['2']);
  });
});
