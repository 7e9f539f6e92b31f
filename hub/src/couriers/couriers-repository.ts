import { sql, type Queryable } from '../adapters/postgres.js';

export async function isCourierOfShop(db: Queryable, courierId: string, shopId: number): Promise<boolean> {
  return db.exists(sql.unsafe`
    select 1 from couriers c join staff s on s.id = c.staff_id
    where c.staff_id = ${courierId} and c.shop_id = ${shopId} and s.active`);
}
