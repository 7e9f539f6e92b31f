import { describe, expect, it } from 'vitest';
import { readAfterCall } from './read-after-call.js';

/** A read whose answers the test releases by hand, counting the reads started. */
function manualReads() {
  const pending: Array<{ resolve: (v: number) => void; reject: (e: Error) => void }> = [];
  let started = 0;
  const read = () =>
    new Promise<number>((resolve, reject) => {
      started++;
      pending.push({ resolve, reject });
    });
  /** Lets queued continuations run until `n` reads have started (a bounded number of turns). */
  const untilStarted = async (n: number) => {
    for (let turn = 0; turn < 20 && started < n; turn++) await Promise.resolve();
    expect(started).toBe(n);
  };
  return { read, pending, started: () => started, untilStarted };
}

describe('readAfterCall', () => {
  it('gives callers during a read the next read, started after that one ends, shared by all of them', async () => {
    const m = manualReads();
    const shared = readAfterCall(m.read);
    const first = shared();
    const second = shared();
    const third = shared();
    expect(m.started()).toBe(1);
    m.pending[0]!.resolve(1);
    expect(await first).toBe(1);
    // The second read starts only once the first is over: it began after the callers asked.
    await m.untilStarted(2);
    m.pending[1]!.resolve(2);
    expect(await second).toBe(2);
    expect(await third).toBe(2);
    expect(m.started()).toBe(2);
  });

  it('a caller never gets a read that started before it called', async () => {
    const m = manualReads();
    const shared = readAfterCall(m.read);
    const before = shared();
    const after = shared();
    m.pending[0]!.resolve(10);
    await before;
    // Whatever the first read answered, the later caller's answer is from a read started later.
    await m.untilStarted(2);
    m.pending[1]!.resolve(20);
    expect(await after).toBe(20);
  });

  it('a failed read fails the callers sharing it; the next call reads again', async () => {
    const m = manualReads();
    const shared = readAfterCall(m.read);
    const first = shared();
    const second = shared();
    m.pending[0]!.reject(new Error('connection lost'));
    await expect(first).rejects.toThrow('connection lost');
    await m.untilStarted(2);
    m.pending[1]!.reject(new Error('still down'));
    await expect(second).rejects.toThrow('still down');
    const third = shared();
    await m.untilStarted(3);
    m.pending[2]!.resolve(3);
    expect(await third).toBe(3);
  });
});
