/** Cumulative `ocp_relay_lag_seconds` buckets summed over the hub nodes (only the relay leader fills them). */
export type LagBuckets = Map<string, number>;

export async function relayLagBuckets(baseUrls: string[]): Promise<LagBuckets> {
  const sums: LagBuckets = new Map();
  await Promise.all(
    baseUrls.map(async (u) => {
      try {
        const res = await fetch(`${u}/metrics`);
        for (const line of (await res.text()).split('\n')) {
          const m = line.match(/^ocp_relay_lag_seconds_bucket\{le="([^"]+)"\} (\S+)$/);
          if (m) sums.set(m[1]!, (sums.get(m[1]!) ?? 0) + Number(m[2]));
        }
      } catch {
        // a node that does not answer adds nothing
      }
    }),
  );
  return sums;
}

/**
 * The bucket bounds holding the p50 and p99 of the relay lag between two samples (commit →
 * published by the relay, as the hub measures it): "≤ 25 ms" means the percentile fell in the
 * bucket ending at 25 ms. null when nothing was relayed; Infinity beyond the last bucket.
 */
export function lagPercentiles(
  before: LagBuckets,
  after: LagBuckets,
): {
  events: number;
  p50UpToMs: number | null;
  p99UpToMs: number | null;
} | null {
  const bounds = [...after.keys()]
    .map((le) => ({ le, bound: le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le) }))
    .sort((a, b) => a.bound - b.bound);
  const deltas = bounds.map(({ le, bound }) => ({ bound, n: (after.get(le) ?? 0) - (before.get(le) ?? 0) }));
  const total = deltas[deltas.length - 1]?.n ?? 0;
  if (total <= 0) return null;
  const at = (p: number) => {
    const hit = deltas.find((d) => d.n >= p * total);
    if (!hit) return null;
    return Number.isFinite(hit.bound) ? hit.bound * 1000 : Number.POSITIVE_INFINITY;
  };
  return { events: total, p50UpToMs: at(0.5), p99UpToMs: at(0.99) };
}

/**
 * Event-loop delay of each hub node since the previous scrape (prom-client's default metrics come
 * from `monitorEventLoopDelay`, reset at each scrape): how long work waited for the one thread.
 */
export async function eventLoopDelay(
  baseUrls: string[],
): Promise<Array<{ p50Ms: number; p99Ms: number; maxMs: number } | null>> {
  return Promise.all(
    baseUrls.map(async (u) => {
      try {
        const text = await (await fetch(`${u}/metrics`)).text();
        const value = (name: string) => {
          const m = text.match(new RegExp(`^${name} (\\S+)$`, 'm'));
          return m ? Math.round(Number(m[1]) * 1000 * 10) / 10 : Number.NaN;
        };
        return {
          p50Ms: value('nodejs_eventloop_lag_p50_seconds'),
          p99Ms: value('nodejs_eventloop_lag_p99_seconds'),
          maxMs: value('nodejs_eventloop_lag_max_seconds'),
        };
      } catch {
        return null;
      }
    }),
  );
}

/** Which of the hub nodes holds the relay leadership now (`ocp_relay_leader 1`); null if none says so. */
export async function relayLeader(baseUrls: string[]): Promise<number | null> {
  const leads = await Promise.all(
    baseUrls.map(async (u) => {
      try {
        const text = await (await fetch(`${u}/metrics`)).text();
        return /^ocp_relay_leader(\{[^}]*\})? 1$/m.test(text);
      } catch {
        return false;
      }
    }),
  );
  const i = leads.indexOf(true);
  return i < 0 ? null : i;
}
