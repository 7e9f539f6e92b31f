import type { StaffMember } from '../contract/index.js';
import { room } from '../contract/index.js';

/** Who is behind a socket, decided at the handshake from the session cookie or tracking token. */
export type SocketPrincipal =
  | { kind: 'staff'; staff: StaffMember; shopIds: number[] }
  | { kind: 'customer'; orderId: string; shopId: number }
  | { kind: 'visitor'; menuShopId: number };

/** The metrics label of a socket: the screen it is. */
export function screenKind(p: SocketPrincipal): string {
  return p.kind === 'staff' ? p.staff.role : p.kind;
}

/**
 * The rooms a principal may see (DESIGN.md sections 4 and 5). The only place this is decided:
 * a client never names a room.
 */
export function roomsFor(p: SocketPrincipal): string[] {
  switch (p.kind) {
    case 'visitor':
      return [room.menu(p.menuShopId)];
    case 'customer':
      return [room.order(p.orderId)];
    case 'staff': {
      const { staff } = p;
      switch (staff.role) {
        case 'courier':
          return [room.courier(staff.id)];
        case 'kitchen':
        case 'counter':
          return p.shopIds.flatMap((s) => [room.kitchen(s), room.menu(s)]);
        case 'manager':
        case 'admin':
          return p.shopIds.flatMap((s) => [room.manager(s), room.menu(s)]);
      }
    }
  }
}
