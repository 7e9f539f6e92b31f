import { ErrorBody } from '@ocp/hub/contract';
import type { z } from 'zod';

/** An API failure with the hub's error code and sentence, ready to show. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
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
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<z.infer<T>> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? 'GET',
      credentials: 'same-origin',
      headers: {
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...init.headers,
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch {
    throw new ApiError(0, 'service/unavailable', 'Pas de connexion au serveur.');
  }
  const text = await res.text();
  const json: unknown = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    const error = ErrorBody.safeParse(json);
    throw error.success
      ? new ApiError(res.status, error.data.error.code, error.data.error.message)
      : new ApiError(res.status, 'internal/unexpected', `Erreur ${res.status}`);
  }
  return schema.parse(json);
}
