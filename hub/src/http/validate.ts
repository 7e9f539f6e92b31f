import type { z } from 'zod';
import { appError } from '../errors.js';

/** Parses input with a contract schema; a failure becomes `request/invalid` with one readable sentence. */
export function parseInput<T extends z.ZodType>(
  schema: T,
  value: unknown,
  what = 'request body',
): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const sentence = issues
    .slice(0, 5)
    .map((i) => (i.path ? `${i.path}: ${i.message}` : i.message))
    .join('; ');
  throw appError('request/invalid', `The ${what} is invalid: ${sentence}.`, { issues });
}
