/**
 * One field an audited change touched, both sides written for people. `item` names the element of
 * a list that changed: a recipe's ingredient, a step's number.
 */
export type AuditChange = { field: string; item: string | null; before: string; after: string };

type RecipeLine = { ingredientId: number; quantity: number; unit: string; ingredientName: string };

const isRecipeLine = (v: unknown): v is RecipeLine =>
  typeof v === 'object' && v !== null && 'ingredientName' in v && 'quantity' in v && 'ingredientId' in v;

const amount = (line: RecipeLine) => `${line.quantity} ${line.unit === 'piece' ? '×' : line.unit}`;

/** A value as one short line: recipes as "120 g Mozzarella", lists joined, objects as key: value. */
export function describe(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (Array.isArray(value)) {
    if (value.length === 0) return '—';
    return value.map((v) => (isRecipeLine(v) ? `${amount(v)} ${v.ingredientName}` : describe(v))).join(' · ');
  }
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${describe(v)}`)
      .join(', ');
  }
  return String(value);
}

/** What changed inside a list: recipe lines by ingredient, anything else position by position. */
function listChanges(field: string, before: unknown[], after: unknown[]): AuditChange[] {
  if ([...before, ...after].every(isRecipeLine)) {
    const was = new Map((before as RecipeLine[]).map((l) => [l.ingredientId, l]));
    const now = new Map((after as RecipeLine[]).map((l) => [l.ingredientId, l]));
    const changes: AuditChange[] = [];
    for (const id of new Set([...was.keys(), ...now.keys()])) {
      const b = was.get(id);
      const a = now.get(id);
      if (b && a && b.quantity === a.quantity) continue;
      changes.push({
        field,
        item: (a ?? b)!.ingredientName,
        before: b ? amount(b) : '—',
        after: a ? amount(a) : '—',
      });
    }
    return changes;
  }
  const changes: AuditChange[] = [];
  for (let i = 0; i < Math.max(before.length, after.length); i++) {
    if (JSON.stringify(before[i]) === JSON.stringify(after[i])) continue;
    changes.push({ field, item: String(i + 1), before: describe(before[i]), after: describe(after[i]) });
  }
  return changes;
}

/** What changed between the audit row's before and after; a creation lists every field. */
export function auditChanges(
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
): AuditChange[] {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const changes: AuditChange[] = [];
  for (const field of keys) {
    const b = before?.[field];
    const a = after?.[field];
    if (JSON.stringify(b) === JSON.stringify(a)) continue;
    if (before && after && Array.isArray(b) && Array.isArray(a)) {
      changes.push(...listChanges(field, b, a));
      continue;
    }
    changes.push({ field, item: null, before: before ? describe(b) : '', after: after ? describe(a) : '' });
  }
  return changes;
}
