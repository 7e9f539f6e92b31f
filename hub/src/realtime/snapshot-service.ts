import type {
  CourierSnapshot,
  KitchenSnapshot,
  ManagerSnapshot,
  MenuSnapshot,
  OrderStatus,
  StockSnapshot,
  TrackingSnapshot,
} from '../contract/index.js';
import { sql, type DatabasePool, type DatabaseTransactionConnection } from '../adapters/postgres.js';
import { courierPosition, courierShop, shopCouriers } from '../couriers/couriers-repository.js';
import { isManagerOf, worksAt, type Actor } from '../domain/actor.js';
import { appError } from '../errors.js';
import type { MenuService } from '../menu/menu-service.js';
import { findShop } from '../menu/menu-repository.js';
import { findCourierOrders, findOrderByTokenHash, findShopOrders } from '../orders/orders-repository.js';
import { toOrder, toTracked } from '../orders/order-views.js';
import { findShopMilestones } from '../orders/order-milestones-repository.js';
import { hashTrackingToken } from '../orders/tracking-token.js';
import type { StockService } from '../stock/stock-service.js';
import { readRelayState } from './relay-state.js';

const KITCHEN_STATUSES: OrderStatus[] = ['received', 'preparing', 'baking', 'ready'];
const ACTIVE_STATUSES: OrderStatus[] = ['pending_payment', ...KITCHEN_STATUSES, 'out_for_delivery'];

export type SnapshotService = ReturnType<typeof createSnapshotService>;

/**
 * Each screen's starting state and the `seq` it reflects, read in one REPEATABLE READ
 * transaction: every event up to `seq` is in the state (a seq is assigned only after its
 * change committed), and later events are applied on top, guarded by each order's version.
 */
export function createSnapshotService(deps: { db: DatabasePool; menu: MenuService; stock: StockService }) {
  const { db } = deps;

  async function consistent<T>(
    read: (tx: DatabaseTransactionConnection) => Promise<T>,
  ): Promise<T & { seq: number }> {
    return db.transaction(async (tx) => {
      await tx.query(sql.unsafe`set transaction isolation level repeatable read, read only`);
      const { lastSeq } = await readRelayState(tx);
      return { ...(await read(tx)), seq: lastSeq };
    });
  }

  return {
    async kitchen(shopId: number, actor: Actor): Promise<KitchenSnapshot> {
      const mayView =
        actor.kind === 'staff' &&
        worksAt(actor, shopId) &&
        ['kitchen', 'counter', 'manager', 'admin'].includes(actor.role);
      if (!mayView) throw appError('auth/forbidden', "Only this shop's staff see its kitchen board.");
      const shop = await findShop(db, shopId);
      if (!shop) throw appError('shop/not_found', `There is no shop ${shopId}.`);
      const products = (await deps.menu.menu(shopId)).products;
      return consistent(async (tx) => ({
        shopId,
        shop,
        orders: (await findShopOrders(tx, shopId, KITCHEN_STATUSES)).map(toOrder),
        products,
      }));
    },

    async courier(actor: Actor): Promise<CourierSnapshot> {
      if (actor.kind !== 'staff' || actor.role !== 'courier') {
        throw appError('auth/forbidden', 'This view is for couriers.');
      }
      const shopId = await courierShop(db, actor.staffId);
      if (shopId === null) throw appError('courier/not_found', 'Your account is not set up as a courier.');
      return consistent(async (tx) => ({
        courierId: actor.staffId,
        shopId,
        orders: (await findCourierOrders(tx, actor.staffId)).map(toOrder),
      }));
    },

    async tracking(token: string): Promise<TrackingSnapshot> {
      return consistent(async (tx) => {
        const row = await findOrderByTokenHash(tx, hashTrackingToken(token));
        if (!row) throw appError('order/not_found', 'No order has this tracking link.');
        // The courier's position is the customer's business only while their pizza is on the way.
        const carried = row.status === 'out_for_delivery' && row.courierId !== null;
        return {
          order: toTracked(row),
          courierPosition: carried ? await courierPosition(tx, row.courierId!) : null,
        };
      });
    },

    async menu(shopId: number): Promise<MenuSnapshot> {
      const menu = await deps.menu.menu(shopId);
      // Levels are read with the seq; later stock events carry absolute levels, so applying one
      // the snapshot already reflects changes nothing.
      return consistent(async (tx) => ({
        ...menu,
        levels: (await deps.stock.levelsIn(tx, shopId)).items.map((i) => ({
          ingredientId: i.ingredientId,
          available: i.onHand - i.reserved,
        })),
      }));
    },

    async stock(shopId: number, actor: Actor): Promise<StockSnapshot> {
      const mayView =
        actor.kind === 'staff' &&
        worksAt(actor, shopId) &&
        ['kitchen', 'manager', 'admin'].includes(actor.role);
      if (!mayView) throw appError('auth/forbidden', "Only this shop's kitchen and managers see its stock.");
      if (!(await findShop(db, shopId))) throw appError('shop/not_found', `There is no shop ${shopId}.`);
      const products = (await deps.menu.menu(shopId)).products;
      // Products come from outside the transaction: their availability is recomputed by the
      // screen from the stock levels, which are read with the seq.
      return consistent(async (tx) => ({
        shopId,
        items: (await deps.stock.levelsIn(tx, shopId)).items,
        products,
      }));
    },

    async manager(shopId: number, actor: Actor): Promise<ManagerSnapshot> {
      if (!isManagerOf(actor, shopId))
        throw appError('auth/forbidden', "Only this shop's managers see its board.");
      if (!(await findShop(db, shopId))) throw appError('shop/not_found', `There is no shop ${shopId}.`);
      const startOfDay = new Date();
      startOfDay.setHours(0, 0, 0, 0);
      return consistent(async (tx) => ({
        shopId,
        orders: (await findShopOrders(tx, shopId, ACTIVE_STATUSES, startOfDay, true)).map(toOrder),
        stock: (await deps.stock.levelsIn(tx, shopId)).items,
        couriers: await shopCouriers(tx, shopId),
        today: {
          since: startOfDay.toISOString(),
          milestones: await findShopMilestones(tx, shopId, ACTIVE_STATUSES, startOfDay),
        },
      }));
    },
  };
}
