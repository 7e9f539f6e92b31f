/**
 * Shares a read among the callers waiting for it, but only a read that started after each of
 * them called. A subscribe joins its rooms and then reads the relay's position: a read already
 * in flight may have started before the join, so it could miss an event sequenced in between
 * (neither live nor replayed: a gap). A burst of reconnecting screens (a hub node died, 5,000
 * sockets at once) then shares one read per round instead of each making its own (issue 11).
 *
 * A failed read fails the callers that shared it; the next call reads again.
 */
export function readAfterCall<T>(read: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  let queued: Promise<T> | undefined;
  const ignore = () => {};

  const start = (): Promise<T> => {
    const p = read();
    running = p;
    const clear = () => {
      if (running === p) running = undefined;
    };
    p.then(clear, clear);
    return p;
  };

  return () => {
    if (!running) return start();
    queued ??= running.then(ignore, ignore).then(() => {
      queued = undefined;
      return start();
    });
    return queued;
  };
}
