import type { Shop } from '../contract/index.js';
import type { Queryable } from '../adapters/postgres.js';
import { findProducts, findShop, listShops, type ProductRow } from './menu-repository.js';

export type MenuCache = ReturnType<typeof createMenuCache>;

/**
 * Shops and products as order writes need them (prices, recipes, opening status), kept in
 * memory: every order read both before its transaction (issue 11: two of its round trips).
 * Cleared when the menu or a shop changes — at once on the node that made the change, on the
 * others when the bus brings the word (hub.ts) — and after `ttlMs` whatever happens, so a change
 * made outside the hub (SQL by hand) is seen within that time.
 */
export function createMenuCache(deps: { db: Queryable; ttlMs?: number; now?: () => number }) {
  const ttlMs = deps.ttlMs ?? 30_000;
  const now = deps.now ?? Date.now;
  let shops = new Map<number, Shop | null>();
  let products = new Map<number, ProductRow>();
  let all: Shop[] | null = null;
  let filledAt = now();
  // A read that started before a clear must not put what it read back after the clear.
  let generation = 0;

  function fresh(): void {
    if (now() - filledAt < ttlMs) return;
    shops = new Map();
    products = new Map();
    all = null;
    filledAt = now();
    generation++;
  }

  return {
    async shop(id: number): Promise<Shop | null> {
      fresh();
      if (shops.has(id)) return shops.get(id)!;
      const g = generation;
      const shop = await findShop(deps.db, id);
      if (g === generation) shops.set(id, shop);
      return shop;
    },

    /** Every shop (open, opening or closed), as `listShops` gives them. */
    async shops(): Promise<readonly Shop[]> {
      fresh();
      if (all) return all;
      const g = generation;
      const list = await listShops(deps.db);
      if (g === generation) {
        all = list;
        for (const shop of list) shops.set(shop.id, shop);
      }
      return list;
    },

    /** The products of these ids that exist (active or not), in no particular order. */
    async products(ids: readonly number[]): Promise<ProductRow[]> {
      fresh();
      const missing = ids.filter((id) => !products.has(id));
      let found: ProductRow[] = [];
      if (missing.length > 0) {
        const g = generation;
        found = await findProducts(deps.db, missing);
        if (g === generation) for (const p of found) products.set(p.id, p);
      }
      const read = new Map(found.map((p) => [p.id, p]));
      return ids.flatMap((id) => read.get(id) ?? products.get(id) ?? []);
    },

    clear(): void {
      shops = new Map();
      products = new Map();
      all = null;
      filledAt = now();
      generation++;
    },
  };
}
