import { z } from 'zod';

export const OrderStatus = z.enum([
  'pending_payment',
  'received',
  'preparing',
  'baking',
  'ready',
  'out_for_delivery',
  'delivered',
  'delivery_failed',
  'picked_up',
  'cancelled',
]);
export type OrderStatus = z.infer<typeof OrderStatus>;

export const Channel = z.enum(['web', 'phone', 'counter']);
export type Channel = z.infer<typeof Channel>;

export const OrderMode = z.enum(['delivery', 'pickup']);
export type OrderMode = z.infer<typeof OrderMode>;

export const PaymentMethod = z.enum(['card_online', 'cash_at_door', 'card_at_door', 'at_counter']);
export type PaymentMethod = z.infer<typeof PaymentMethod>;

export const PaymentStatus = z.enum(['unpaid', 'paid', 'refunded']);
export type PaymentStatus = z.infer<typeof PaymentStatus>;

export const StaffRole = z.enum(['admin', 'manager', 'kitchen', 'counter', 'courier']);
export type StaffRole = z.infer<typeof StaffRole>;

export const ShopStatus = z.enum(['open', 'opening']);
export type ShopStatus = z.infer<typeof ShopStatus>;

export const ProductKind = z.enum(['pizza', 'drink', 'dessert']);
export type ProductKind = z.infer<typeof ProductKind>;

export const IngredientUnit = z.enum(['g', 'ml', 'piece']);
export type IngredientUnit = z.infer<typeof IngredientUnit>;

export const StockMovementKind = z.enum([
  'restock',
  'reservation',
  'release',
  'consumption',
  'waste',
  'adjustment',
]);
export type StockMovementKind = z.infer<typeof StockMovementKind>;

/**
 * The 14 allergens EU Regulation 1169/2011 (annex II) requires a food seller to declare, before
 * an online purchase too. The order is the regulation's: lists of allergens are shown in it.
 */
export const Allergen = z.enum([
  'gluten',
  'crustaceans',
  'eggs',
  'fish',
  'peanuts',
  'soybeans',
  'milk',
  'nuts',
  'celery',
  'mustard',
  'sesame',
  'sulphites',
  'lupin',
  'molluscs',
]);
export type Allergen = z.infer<typeof Allergen>;
export const ALLERGENS = Allergen.options;
