import type { Menu, Shop } from '../contract/index.js';
import type { DatabasePool } from '../adapters/postgres.js';
import { makeableCount } from '../domain/stock.js';
import { appError } from '../errors.js';
import { availableStock, findShop, listActiveProducts, listShops } from './menu-repository.js';

export type MenuService = ReturnType<typeof createMenuService>;

export function createMenuService(deps: { db: DatabasePool }) {
  const { db } = deps;
  return {
    listShops: (): Promise<Shop[]> => listShops(db),

    async menu(shopId: number): Promise<Menu> {
      const shop = await findShop(db, shopId);
      if (!shop) throw appError('shop/not_found', `There is no shop ${shopId}.`);
      const [products, available] = await Promise.all([listActiveProducts(db), availableStock(db, shopId)]);
      return {
        shopId,
        products: products.map(({ active: _active, ...p }) => ({
          ...p,
          // A shop that is not open yet cannot make anything, whatever its shelves hold.
          available: shop.status === 'open' ? makeableCount(p.recipe, available) : 0,
        })),
      };
    },
  };
}
