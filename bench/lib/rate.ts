import { nowMs } from './clock.js';

export type RateRun = {
  /** Operations scheduled (rate × duration). */
  scheduled: number;
  /** Operations started (fewer than scheduled when the in-flight cap held them past the deadline). */
  issued: number;
  /** When the first operation started and when the run stopped issuing (ms, nowMs clock). */
  startedAt: number;
  endedAt: number;
  /** Operations started later than their slot by more than 100 ms (the system fell behind). */
  late: number;
};

/**
 * Open-loop load: operation i is due at start + i / rate, whatever happened to the previous ones
 * (a closed loop would slow down with the system and hide its latency). In-flight operations are
 * capped so a stalled system cannot make the generator pile up requests without bound; an
 * operation not started by the deadline is not started at all. Resolves when every started
 * operation has finished.
 */
export async function runAtRate(options: {
  rate: number;
  durationMs: number;
  maxInFlight: number;
  op: (i: number) => Promise<void> | void;
  onTick?: (state: { issued: number; inFlight: number; elapsedMs: number }) => void;
  /** Ends the run before `durationMs` once it returns true (checked every millisecond or so). */
  shouldStop?: () => boolean;
}): Promise<RateRun> {
  const { rate, durationMs, maxInFlight } = options;
  const scheduled = Math.round((rate * durationMs) / 1000);
  const startedAt = nowMs();
  let issued = 0;
  let inFlight = 0;
  let late = 0;
  let lastTick = 0;
  let endedAt = startedAt;

  await new Promise<void>((resolve) => {
    let stopped = false;
    const finishIfDone = () => {
      if (stopped && inFlight === 0) resolve();
    };
    const pump = () => {
      const now = nowMs();
      const elapsed = now - startedAt;
      const due = Math.min(scheduled, Math.floor((elapsed * rate) / 1000) + 1);
      while (issued < due && inFlight < maxInFlight) {
        const i = issued++;
        if (elapsed - (i * 1000) / rate > 100) late++;
        inFlight++;
        let result: Promise<void> | void;
        try {
          result = options.op(i);
        } catch {
          result = undefined;
        }
        if (result instanceof Promise) {
          void result
            .catch(() => {})
            .finally(() => {
              inFlight--;
              finishIfDone();
            });
        } else {
          inFlight--;
        }
      }
      if (options.onTick && now - lastTick > 250) {
        lastTick = now;
        options.onTick({ issued, inFlight, elapsedMs: elapsed });
      }
      if (issued >= scheduled || elapsed >= durationMs || options.shouldStop?.() === true) {
        stopped = true;
        endedAt = now;
        finishIfDone();
        return;
      }
      setTimeout(pump, 1);
    };
    pump();
  });
  return { scheduled, issued, startedAt, endedAt, late };
}
