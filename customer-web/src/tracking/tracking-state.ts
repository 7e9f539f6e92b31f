import {
  Order,
  OrderStatusChangedData,
  type EventEnvelope,
  type OrderMode,
  type OrderStatus,
  type Position,
  type TrackedOrder,
  type TrackingSnapshot,
} from '@ocp/hub/contract';
import { z } from 'zod';

/**
 * The tracking page as data: the order as its customer sees it, kept live by the order's events,
 * and the courier's last position. Pure functions, no Vue: unit-tested without a browser.
 */
export type TrackingState = {
  order: TrackedOrder;
  courier: { position: Position; at: string } | null;
  /** Why the delivery failed, from the status change event (the order itself does not keep it). */
  failureReason: string | null;
};

/** Order events reach a tracking page without the staff ids nor the dispute (see `forCustomer` in the contract). */
const CustomerOrderEvent = z.object({ order: Order.omit({ courierId: true, offer: true, dispute: true }) });

export const FINISHED: readonly OrderStatus[] = ['delivered', 'picked_up', 'cancelled', 'delivery_failed'];

/** The customer may change or cancel the order until the kitchen starts it (DESIGN.md section 3). */
export function isModifiable(status: OrderStatus): boolean {
  return status === 'pending_payment' || status === 'received';
}

export function trackingFromSnapshot(snapshot: TrackingSnapshot): TrackingState {
  // After a reload the reason comes with the order; live, it comes with the status change.
  const failed = snapshot.order.status === 'delivery_failed';
  return {
    order: snapshot.order,
    courier: snapshot.courierPosition,
    failureReason: failed ? snapshot.order.statusReason : null,
  };
}

/**
 * One event applied to the page. Only a newer version of this order changes anything: the
 * snapshot may already hold a change whose event arrives after it.
 */
export function applyTrackingEvent(state: TrackingState, event: EventEnvelope): TrackingState {
  if (!event.type.startsWith('order.')) return state;
  if (event.orderId !== undefined && event.orderId !== state.order.id) return state;
  const parsed = CustomerOrderEvent.safeParse(event.data);
  if (!parsed.success || parsed.data.order.id !== state.order.id) return state;
  const version = event.version ?? parsed.data.order.version;
  if (version <= state.order.version) return state;
  const order: TrackedOrder = {
    ...state.order,
    ...parsed.data.order,
    version,
    modifiable: isModifiable(parsed.data.order.status),
  };
  let failureReason = state.failureReason;
  if (event.type === 'order.status_changed' && order.status === 'delivery_failed') {
    const change = OrderStatusChangedData.safeParse(event.data);
    failureReason = change.success ? change.data.reason : null;
  }
  // Once the order is finished the courier is someone else's business: no marker left behind.
  const courier = FINISHED.includes(order.status) ? null : state.courier;
  return { order, courier, failureReason };
}

/** The courier moved; an older position arriving late is ignored. */
export function applyCourierPosition(
  state: TrackingState,
  position: { position: Position; at: string },
): TrackingState {
  if (state.order.status !== 'out_for_delivery') return state;
  if (state.courier && Date.parse(position.at) < Date.parse(state.courier.at)) return state;
  return { ...state, courier: { position: position.position, at: position.at } };
}

/** The stepper's stages, in order, for this kind of order. */
export function stagesFor(mode: OrderMode): OrderStatus[] {
  return mode === 'delivery'
    ? ['received', 'preparing', 'baking', 'ready', 'out_for_delivery', 'delivered']
    : ['received', 'preparing', 'baking', 'ready', 'picked_up'];
}

export type StageStep = { status: OrderStatus; state: 'done' | 'current' | 'todo' };

/**
 * Each stage of the stepper as done, current or to come. An unpaid or cancelled order has no
 * current stage (its banner says why); a failed delivery stopped on the way.
 */
export function stageSteps(order: Pick<TrackedOrder, 'mode' | 'status'>): StageStep[] {
  const stages = stagesFor(order.mode);
  // Delivered or collected: every stage is behind it, none is "current" (the red look of a stage
  // still under way).
  if (order.status === 'delivered' || order.status === 'picked_up') {
    return stages.map((status) => ({ status, state: 'done' }));
  }
  const reached =
    order.status === 'delivery_failed' ? stages.indexOf('out_for_delivery') : stages.indexOf(order.status);
  return stages.map((status, index) => ({
    status,
    state: reached < 0 ? 'todo' : index < reached ? 'done' : index === reached ? 'current' : 'todo',
  }));
}
