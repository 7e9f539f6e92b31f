import { z } from 'zod';
import { IngredientUnit } from './enums.js';

/** What a manager may record by hand; reservations and consumption come from orders only. */
export const StockMovementBody = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('restock'),
    ingredientId: z.number().int().positive().max(2_147_483_647),
    quantity: z.number().int().positive().max(1_000_000),
    note: z.string().trim().max(300).optional(),
  }),
  z.strictObject({
    kind: z.literal('adjustment'),
    ingredientId: z.number().int().positive().max(2_147_483_647),
    /** Signed correction after a count: the stock on hand moves by this much. */
    quantity: z
      .number()
      .int()
      .min(-1_000_000)
      .max(1_000_000)
      .refine((q) => q !== 0, 'an adjustment of 0 changes nothing'),
    note: z.string().trim().min(1).max(300),
  }),
  z.strictObject({
    kind: z.literal('waste'),
    ingredientId: z.number().int().positive().max(2_147_483_647),
    quantity: z.number().int().positive().max(1_000_000),
    note: z.string().trim().min(1).max(300),
  }),
]);
export type StockMovementBody = z.infer<typeof StockMovementBody>;

export const StockLevel = z.object({
  ingredientId: z.number().int(),
  name: z.string(),
  unit: IngredientUnit,
  onHand: z.number().int(),
  reserved: z.number().int(),
  available: z.number().int(),
  lowThreshold: z.number().int(),
  low: z.boolean(),
});
export type StockLevel = z.infer<typeof StockLevel>;

export const ShopStock = z.object({ shopId: z.number().int(), items: z.array(StockLevel) });
export type ShopStock = z.infer<typeof ShopStock>;
