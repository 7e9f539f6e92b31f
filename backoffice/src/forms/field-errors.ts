import type { FieldIssue } from '../api/http';

export type FieldErrors = Record<string, string[]>;

/** The hub's issues by field path (`recipe.2.quantity`); the form-wide ones under ''. */
export function groupIssues(issues: readonly FieldIssue[]): FieldErrors {
  const grouped: FieldErrors = {};
  for (const { path, message } of issues) (grouped[path] ??= []).push(message);
  return grouped;
}

/** The messages for a field and everything inside it (`openingHours.3` gets `openingHours.3.1`). */
export function messagesFor(errors: FieldErrors, path: string): string[] {
  return Object.entries(errors)
    .filter(([p]) => p === path || p.startsWith(`${path}.`))
    .flatMap(([, messages]) => messages);
}
