import pg from 'pg';

export type HorizonStats = {
  samples: number;
  /** Samples that found a write transaction of another database open for more than 100 ms. */
  otherDatabasesOver100ms: number;
  otherDatabasesMaxAgeMs: number;
  ownDatabaseMaxAgeMs: number;
};

/**
 * The relay sequences only events below `pg_snapshot_xmin(pg_current_snapshot())`, which is
 * server-wide: any transaction holding an xid, in any database of the PostgreSQL server, holds
 * every event back until it ends. This samples (every 100 ms) how old the oldest such transaction
 * is, in our database and in the others, so a latency tail can be told apart from one caused by
 * someone else's long transaction.
 */
export async function watchHorizon(database: string, adminUrl: string) {
  const client = new pg.Client({ connectionString: adminUrl, application_name: 'ocp-bench-horizon' });
  await client.connect();
  let stats: HorizonStats = {
    samples: 0,
    otherDatabasesOver100ms: 0,
    otherDatabasesMaxAgeMs: 0,
    ownDatabaseMaxAgeMs: 0,
  };
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    client
      .query<{ other: number; own: number }>(
        `select coalesce(max(extract(epoch from clock_timestamp() - xact_start) * 1000)
                  filter (where datname is distinct from $1), 0)::float8 as other,
                coalesce(max(extract(epoch from clock_timestamp() - xact_start) * 1000)
                  filter (where datname = $1), 0)::float8 as own
         from pg_stat_activity where backend_xid is not null`,
        [database],
      )
      .then(({ rows }) => {
        const r = rows[0]!;
        stats.samples++;
        if (r.other > 100) stats.otherDatabasesOver100ms++;
        stats.otherDatabasesMaxAgeMs = Math.max(stats.otherDatabasesMaxAgeMs, Math.round(r.other));
        stats.ownDatabaseMaxAgeMs = Math.max(stats.ownDatabaseMaxAgeMs, Math.round(r.own));
      })
      .catch(() => {})
      .finally(() => (busy = false));
  }, 100);
  return {
    /** What was seen since the previous call. */
    take(): HorizonStats {
      const out = stats;
      stats = { samples: 0, otherDatabasesOver100ms: 0, otherDatabasesMaxAgeMs: 0, ownDatabaseMaxAgeMs: 0 };
      return out;
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      await client.end().catch(() => {});
    },
  };
}
