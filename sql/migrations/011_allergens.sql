-- Allergens (issue 12, EU Regulation 1169/2011): the 14 regulated allergens an ingredient
-- contains, and the ones a product may contain as traces (shared oven, peel and flour dust, a
-- supplier's "peut contenir" label). A product's allergens are derived from its recipe
-- (domain/allergens.ts), never stored, so a recipe or ingredient edit cannot leave them stale.
-- Codes are checked here too, so a hand-written UPDATE cannot store one the screens do not know.
create function allergen_codes_valid(codes text[]) returns boolean
language sql immutable as $$
  select codes <@ array['gluten', 'crustaceans', 'eggs', 'fish', 'peanuts', 'soybeans', 'milk', 'nuts',
                        'celery', 'mustard', 'sesame', 'sulphites', 'lupin', 'molluscs']::text[]
$$;

alter table ingredients
  add column allergens text[] not null default '{}'
    constraint ingredients_allergens_valid check (allergen_codes_valid(allergens));

alter table products
  add column may_contain text[] not null default '{}'
    constraint products_may_contain_valid check (allergen_codes_valid(may_contain));
