import { ErrorBody } from '@ocp/hub/contract';
import { z } from 'zod';

/** One message of the hub's validation, on the field it names (`recipe.2.quantity`). */
export type FieldIssue = { path: string; message: string };

const Issues = z.object({ issues: z.array(z.object({ path: z.string(), message: z.string() })) });

/** An API failure with the hub's code, its sentence, and its per-field messages when it has some. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
  }
}

/**
 * Same-origin JSON calls to the hub, parsed with the contract's schema. The session cookie travels
 * by itself; the browser adds the Origin header the hub checks on writes.
 */
export async function api<T extends z.ZodType>(
  schema: T,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<z.infer<T>> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? 'GET',
      credentials: 'same-origin',
      headers: init.body !== undefined ? { 'content-type': 'application/json' } : {},
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch {
    throw new ApiError(0, 'service/unavailable', 'Pas de connexion au serveur.');
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const error = ErrorBody.safeParse(json);
    if (!error.success) throw new ApiError(res.status, 'internal/unexpected', `Erreur ${res.status}`);
    const issues = Issues.safeParse(error.data.error.details);
    throw new ApiError(
      res.status,
      error.data.error.code,
      error.data.error.message,
      issues.success ? issues.data.issues : [],
    );
  }
  return schema.parse(json);
}
