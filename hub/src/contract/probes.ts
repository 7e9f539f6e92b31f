import { z } from 'zod';

/** `GET /healthz`: the process is up. */
export const Liveness = z.object({ status: z.literal('ok') });
export type Liveness = z.infer<typeof Liveness>;

/** `GET /readyz`: each dependency's state; 503 unless every one is `ok`, or while the node drains. */
export const Readiness = z.object({
  status: z.enum(['ready', 'not_ready', 'draining']),
  checks: z.record(z.string(), z.enum(['ok', 'failing', 'pending'])),
});
export type Readiness = z.infer<typeof Readiness>;
