import { randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';

/**
 * The `sql-floor` of bench:writes: what the hub's order transaction does in PostgreSQL (a web
 * pick-up order for one margherita, paid at the counter: hub/src/orders/orders-service.ts
 * `create`, order-events.ts `insertOrderWithEvent`, the stock reservation at its commit), as the
 * minimal statements a client sends straight to PostgreSQL: named prepared statements (parsed
 * and planned once per connection), one round trip each, no HTTP, no validation, no JSON built
 * in SQL. The hub's orders/s divided by this rate is how much of PostgreSQL's speed it keeps.
 */

export type SqlFloorMenu = {
  shopId: number;
  codeLetter: string;
  shopName: string;
  shopPhone: string;
  productId: number;
  productName: string;
  priceCents: number;
  vatRateBp: number;
  /** The recipe, ordered by ingredient (the order the stock rows are locked in). */
  ingredientIds: number[];
  quantities: number[];
};

export type SqlStatement = { name: string; text: string; values: unknown[] };

/** Reads once what the hub has in its menu cache: the shop, the product's price and its recipe. */
export async function loadSqlFloorMenu(
  client: pg.Client,
  shopId: number,
  productId: number,
): Promise<SqlFloorMenu> {
  const shop = await client.query<{ code_letter: string; name: string; phone: string }>(
    'select code_letter, name, phone from shops where id = $1',
    [shopId],
  );
  const product = await client.query<{ name: string; price_cents: number; vat_rate_bp: number }>(
    'select name, price_cents, vat_rate_bp from products where id = $1',
    [productId],
  );
  const recipe = await client.query<{ ingredient_id: number; quantity: number }>(
    'select ingredient_id, quantity from recipe_items where product_id = $1 order by ingredient_id',
    [productId],
  );
  const s = shop.rows[0];
  const p = product.rows[0];
  if (!s || !p || recipe.rows.length === 0) {
    throw new Error(`sql-floor: no shop ${shopId}, no product ${productId} or no recipe`);
  }
  return {
    shopId,
    codeLetter: s.code_letter,
    shopName: s.name,
    shopPhone: s.phone,
    productId,
    productName: p.name,
    priceCents: p.price_cents,
    vatRateBp: p.vat_rate_bp,
    ingredientIds: recipe.rows.map((r) => r.ingredient_id),
    quantities: recipe.rows.map((r) => r.quantity),
  };
}

const shortCodeSql = (letter: string, seq: string) =>
  `(${letter} || '-' || lpad((${seq} % 1000)::text, 3, '0'))`;

const TEXT = {
  begin: 'begin',
  // The order, numbered from the order sequence inside the insert (as the hub does).
  order: `insert into orders (id, shop_id, short_code, channel, mode, status, customer_name, customer_phone,
      customer_email, total_cents, vat_cents, payment_method, tracking_token_hash)
    values ($1, $2, ${shortCodeSql('$3::text', "nextval('order_number_seq')")}, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
  line: `insert into order_lines (order_id, line_no, product_id, product_name, quantity, unit_price_cents, vat_rate_bp, notes)
    values ($1, $2, $3, $4, $5, $6, $7, $8)`,
  history: `insert into order_status_history (order_id, from_status, to_status, actor_kind, actor_id, reason)
    values ($1, $2, $3, $4, $5, $6)`,
  // order.created with the order as screens get it (~1 KB); its short code is the one just drawn.
  orderEvent: `insert into outbox (type, shop_id, order_id, version, data)
    values ('order.created', $2, $1, 1,
            jsonb_set($3::jsonb, '{order,shortCode}', to_jsonb(${shortCodeSql('$4::text', "currval('order_number_seq')")})))`,
  // The stock reservation, last (the shop's hot rows stay locked only until the COMMIT).
  lockStock: `select ingredient_id, on_hand, reserved from stock
    where shop_id = $1 and ingredient_id = any($2::int4[]) order by ingredient_id for update`,
  reserve: `update stock s set reserved = s.reserved + n.q
    from unnest($2::int4[], $3::int4[]) as n(i, q)
    where s.shop_id = $1 and s.ingredient_id = n.i`,
  ledger: `insert into stock_ledger (shop_id, ingredient_id, kind, quantity, on_hand_delta, reserved_delta, order_id)
    select $1, n.i, 'reservation', n.q, 0, n.q, $4 from unnest($2::int4[], $3::int4[]) as n(i, q)`,
  stockEvent: `insert into outbox (type, shop_id, data)
    select 'stock.changed', $1, jsonb_build_object('items', jsonb_agg(jsonb_build_object(
             'ingredientId', ingredient_id, 'onHand', on_hand, 'reserved', reserved) order by ingredient_id))
    from stock where shop_id = $1 and ingredient_id = any($2::int4[])`,
  commit: 'commit',
};

/** The statements of one order, `n` making its customer differ; run in order on one connection. */
export function sqlFloorOrder(menu: SqlFloorMenu, n: number): SqlStatement[] {
  const id = randomUUID();
  const now = new Date().toISOString();
  const vatCents = Math.round((menu.priceCents * menu.vatRateBp) / (10_000 + menu.vatRateBp));
  const customer = {
    name: `Camille Martin ${n}`,
    phone: '06 12 34 56 78',
    email: 'camille@example.fr',
  };
  const orderJson = {
    order: {
      id,
      shopId: menu.shopId,
      shortCode: '',
      channel: 'web',
      mode: 'pickup',
      status: 'received',
      version: 1,
      customer,
      deliveryAddress: null,
      lines: [
        {
          productId: menu.productId,
          productName: menu.productName,
          quantity: 1,
          unitPriceCents: menu.priceCents,
          vatRateBp: menu.vatRateBp,
          notes: null,
        },
      ],
      totals: { totalCents: menu.priceCents, vatCents, netCents: menu.priceCents - vatCents },
      paymentMethod: 'at_counter',
      paymentStatus: 'unpaid',
      promisedAt: null,
      courierId: null,
      offer: null,
      notes: null,
      cancelReason: null,
      paymentFailure: null,
      refund: null,
      dispute: null,
      createdAt: now,
      updatedAt: now,
    },
  };
  const ids = menu.ingredientIds;
  const qs = menu.quantities;
  return [
    { name: 'floor_begin', text: TEXT.begin, values: [] },
    {
      name: 'floor_order',
      text: TEXT.order,
      values: [
        id,
        menu.shopId,
        menu.codeLetter,
        'web',
        'pickup',
        'received',
        customer.name,
        customer.phone,
        customer.email,
        menu.priceCents,
        vatCents,
        'at_counter',
        // sha-256 of a tracking token: 32 random bytes are as unique.
        randomBytes(32),
      ],
    },
    {
      name: 'floor_line',
      text: TEXT.line,
      values: [id, 1, menu.productId, menu.productName, 1, menu.priceCents, menu.vatRateBp, null],
    },
    { name: 'floor_history', text: TEXT.history, values: [id, null, 'received', 'customer', null, null] },
    {
      name: 'floor_order_event',
      text: TEXT.orderEvent,
      values: [id, menu.shopId, JSON.stringify(orderJson), menu.codeLetter],
    },
    { name: 'floor_lock_stock', text: TEXT.lockStock, values: [menu.shopId, ids] },
    { name: 'floor_reserve', text: TEXT.reserve, values: [menu.shopId, ids, qs] },
    { name: 'floor_ledger', text: TEXT.ledger, values: [menu.shopId, ids, qs, id] },
    { name: 'floor_stock_event', text: TEXT.stockEvent, values: [menu.shopId, ids] },
    { name: 'floor_commit', text: TEXT.commit, values: [] },
  ];
}

/** Sends one order's statements; on an error, rolls back and rethrows. */
export async function runSqlFloorOrder(client: pg.Client, statements: SqlStatement[]): Promise<void> {
  try {
    for (const s of statements) await client.query({ name: s.name, text: s.text, values: s.values });
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  }
}
