-- A stock reservation in one round trip (issue 11). The stock rows of a shop's common ingredients
-- (dough, tomato, mozzarella) are locked by every order of that shop, so whatever a transaction
-- does between locking them and committing is time every other order of the shop waits. Locked,
-- checked, moved, written to the ledger and announced (stock.changed in the outbox) here, in one
-- call that the order transaction makes last, just before its COMMIT.
--
-- Returns ok = false and the locked levels, changing nothing, when any ingredient is short or
-- unstocked: the hub names the pizzas that do not fit (domain/stock.ts planReservation).
create function reserve_stock(
  p_shop integer, p_order uuid, p_ingredients integer[], p_quantities integer[], p_announce boolean)
returns table (ok boolean, levels jsonb)
language plpgsql as $$
declare
  v_levels jsonb;
  v_ok boolean;
begin
  -- Always in ingredient order: two orders needing the same ingredients queue, never deadlock.
  select coalesce(jsonb_agg(jsonb_build_object('ingredientId', l.ingredient_id, 'onHand', l.on_hand,
                                               'reserved', l.reserved) order by l.ingredient_id), '[]'::jsonb),
         count(*) = cardinality(p_ingredients)
           and coalesce(bool_and(l.on_hand - l.reserved >= n.q), true)
    into v_levels, v_ok
  from (select s.ingredient_id, s.on_hand, s.reserved from stock s
        where s.shop_id = p_shop and s.ingredient_id = any(p_ingredients)
        order by s.ingredient_id
        for update) l
  join unnest(p_ingredients, p_quantities) as n(i, q) on n.i = l.ingredient_id;
  if not v_ok then
    return query select false, v_levels;
    return;
  end if;
  insert into stock_ledger (shop_id, ingredient_id, kind, quantity, on_hand_delta, reserved_delta, order_id)
  select p_shop, n.i, 'reservation', n.q, 0, n.q, p_order from unnest(p_ingredients, p_quantities) as n(i, q);
  with changed as (
    update stock s set reserved = s.reserved + n.q
    from unnest(p_ingredients, p_quantities) as n(i, q)
    where s.shop_id = p_shop and s.ingredient_id = n.i
    returning s.ingredient_id, s.on_hand, s.reserved)
  select jsonb_agg(jsonb_build_object('ingredientId', c.ingredient_id, 'onHand', c.on_hand, 'reserved', c.reserved)
                   order by c.ingredient_id)
    into v_levels from changed c;
  -- Stock events carry no orderId: they are the shop's, for its menu and manager screens.
  if p_announce then
    insert into outbox (type, shop_id, data) values ('stock.changed', p_shop, jsonb_build_object('items', v_levels));
  end if;
  return query select true, v_levels;
end;
$$;
