import type { Order, TrackedOrder } from '../contract/index.js';
import { isCustomerEditable } from '../domain/lifecycle.js';
import type { OrderRow } from './orders-repository.js';

/** The order as staff see it. */
export function toOrder(row: OrderRow): Order {
  const { codeLetter: _c, shopName: _n, shopPhone: _p, statusReason: _r, ...order } = row;
  return order;
}

/** The order as its customer sees it: no staff ids, no dispute with their bank. */
export function toTracked(row: OrderRow): TrackedOrder {
  const { codeLetter: _c, courierId: _courier, offer: _offer, dispute: _dispute, ...rest } = row;
  return { ...rest, modifiable: isCustomerEditable(row.status) };
}
