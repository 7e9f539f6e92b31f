import { z } from 'zod';
import { prepared, sql, type Queryable } from '../adapters/postgres.js';

const RelayState = z.object({ lastSeq: z.number(), purgedUpTo: z.number() });

/** The last seq assigned (what a snapshot read in the same transaction reflects), and the purge horizon. */
export async function readRelayState(db: Queryable): Promise<z.infer<typeof RelayState>> {
  return db.one(
    prepared(sql.type(RelayState)`
    select last_seq as "lastSeq", purged_up_to as "purgedUpTo" from relay_state where id = 1`),
  );
}
