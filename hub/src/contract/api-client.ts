import type { z } from 'zod';
import { ErrorBody, InvalidDetails, type FieldIssue } from './errors.js';

/**
 * The front ends' one way to call the hub's REST API (displays, customer-web, backoffice): JSON
 * answers parsed with the contract's schemas, failures turned into `ApiError` with the hub's code
 * and sentence. Browser-only (fetch); lives beside the contract so no payload shape is written twice.
 */
export class ApiError extends Error {
  constructor(
    /** 0 when the hub could not be reached at all. */
    readonly status: number,
    readonly code: string,
    message: string,
    /** The hub's details: `{ issues }` for request/invalid, `{ products }` for stock/insufficient… */
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The per-field problems of a `request/invalid` answer; empty for any other. */
  get issues(): FieldIssue[] {
    const parsed = InvalidDetails.safeParse(this.details);
    return parsed.success ? parsed.data.issues : [];
  }
}

/**
 * Same-origin JSON call. The session cookie travels by itself; the browser adds the Origin header
 * the hub checks on writes. An aborted call rethrows the abort; an unreachable hub is
 * `service/unavailable` (status 0); a body that is not the contract's shape is `internal/unexpected`.
 */
export async function api<T extends z.ZodType>(
  schema: T,
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<z.infer<T>> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? 'GET',
      credentials: 'same-origin',
      headers: {
        Accept: 'application/json',
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...init.headers,
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: init.signal,
    });
  } catch (error) {
    if (init.signal?.aborted) throw error;
    throw new ApiError(0, 'service/unavailable', 'Pas de connexion au serveur.');
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    // A proxy's HTML error page, typically: say what happened, not a JSON parse error.
    throw new ApiError(
      res.status,
      res.ok ? 'internal/unexpected' : 'service/unavailable',
      `Erreur ${res.status}`,
    );
  }
  if (!res.ok) {
    const error = ErrorBody.safeParse(json);
    throw error.success
      ? new ApiError(res.status, error.data.error.code, error.data.error.message, error.data.error.details)
      : new ApiError(
          res.status,
          res.status >= 500 ? 'service/unavailable' : 'internal/unexpected',
          `Erreur ${res.status}`,
        );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new ApiError(res.status, 'internal/unexpected', `Réponse inattendue du serveur pour ${path}`);
  }
  return parsed.data;
}
