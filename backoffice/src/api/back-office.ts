import {
  AdminCourier,
  AdminCourierList,
  AdminIngredient,
  AdminIngredientList,
  AdminProduct,
  AdminProductList,
  AdminShop,
  AdminShopList,
  AdminStaff,
  AdminStaffList,
  AuditPage,
  ShopClosure,
  type CreateClosureBody,
  type AuditEntity,
  type CreateIngredientBody,
  type CreateProductBody,
  type CreateStaffBody,
  type UpdateCourierBody,
  type UpdateIngredientBody,
  type UpdateProductBody,
  type UpdateShopBody,
  type UpdateStaffBody,
} from '@ocp/hub/contract';
import { z } from 'zod';
import { api } from './http';

/** The back-office API (/api/admin), one function per call, typed by the hub's contract. */
const base = '/api/admin';

/** Bodies as the forms send them: the hub validates them and answers with per-field messages. */
type Input<T> = { [K in keyof T]?: unknown };

export const backOfficeApi = {
  shops: async () => (await api(AdminShopList, `${base}/shops`)).shops,
  updateShop: (shopId: number, body: Input<UpdateShopBody>) =>
    api(AdminShop, `${base}/shops/${shopId}`, { method: 'PATCH', body }),
  addClosure: (shopId: number, body: Input<CreateClosureBody>) =>
    api(ShopClosure, `${base}/shops/${shopId}/closures`, { method: 'POST', body }),
  removeClosure: (shopId: number, closureId: number) =>
    api(z.undefined(), `${base}/shops/${shopId}/closures/${closureId}`, { method: 'DELETE' }),

  products: async () => (await api(AdminProductList, `${base}/products`)).products,
  createProduct: (body: Input<CreateProductBody>) =>
    api(AdminProduct, `${base}/products`, { method: 'POST', body }),
  updateProduct: (productId: number, body: Input<UpdateProductBody>) =>
    api(AdminProduct, `${base}/products/${productId}`, { method: 'PATCH', body }),

  ingredients: async () => (await api(AdminIngredientList, `${base}/ingredients`)).ingredients,
  createIngredient: (body: Input<CreateIngredientBody>) =>
    api(AdminIngredient, `${base}/ingredients`, { method: 'POST', body }),
  renameIngredient: (ingredientId: number, name: string) =>
    api(AdminIngredient, `${base}/ingredients/${ingredientId}`, { method: 'PATCH', body: { name } }),
  updateIngredient: (ingredientId: number, body: Input<UpdateIngredientBody>) =>
    api(AdminIngredient, `${base}/ingredients/${ingredientId}`, { method: 'PATCH', body }),
  updateThreshold: (shopId: number, ingredientId: number, lowThreshold: unknown) =>
    api(AdminIngredient, `${base}/shops/${shopId}/ingredients/${ingredientId}`, {
      method: 'PATCH',
      body: { lowThreshold },
    }),

  staff: async () => (await api(AdminStaffList, `${base}/staff`)).staff,
  createStaff: (body: Input<CreateStaffBody>) => api(AdminStaff, `${base}/staff`, { method: 'POST', body }),
  updateStaff: (staffId: string, body: Input<UpdateStaffBody>) =>
    api(AdminStaff, `${base}/staff/${staffId}`, { method: 'PATCH', body }),

  couriers: async () => (await api(AdminCourierList, `${base}/couriers`)).couriers,
  updateCourier: (staffId: string, body: Input<UpdateCourierBody>) =>
    api(AdminCourier, `${base}/couriers/${staffId}`, { method: 'PATCH', body }),

  audit: (query: { before?: number; entity?: AuditEntity; entityId?: string; limit?: number } = {}) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    return api(AuditPage, `${base}/audit${qs ? `?${qs}` : ''}`);
  },
};
