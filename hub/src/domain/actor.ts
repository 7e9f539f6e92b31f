import type { StaffRole } from '../contract/index.js';

/** Who is acting. Built by the HTTP/socket layer from the session or tracking token, never from the body. */
export type Actor =
  | { kind: 'staff'; staffId: string; role: StaffRole; shopId: number | null }
  | { kind: 'customer'; orderId: string }
  | { kind: 'system' }
  | { kind: 'payment' };

export type StaffActor = Extract<Actor, { kind: 'staff' }>;

/** Admins act for the whole group; every other staff member only for their own shop. */
export function worksAt(actor: StaffActor, shopId: number): boolean {
  return actor.role === 'admin' || actor.shopId === shopId;
}

/** Managers of the shop, and group admins, hold the manager's rights. */
export function isManagerOf(actor: Actor, shopId: number): boolean {
  return (
    actor.kind === 'staff' &&
    (actor.role === 'admin' || (actor.role === 'manager' && actor.shopId === shopId))
  );
}

export function actorRef(actor: Actor): { kind: Actor['kind']; id: string | null } {
  switch (actor.kind) {
    case 'staff':
      return { kind: 'staff', id: actor.staffId };
    case 'customer':
      return { kind: 'customer', id: null };
    default:
      return { kind: actor.kind, id: null };
  }
}
