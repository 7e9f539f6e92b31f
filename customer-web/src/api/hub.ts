import {
  CreatedOrder,
  CustomerMe,
  CustomerOrders,
  Eta,
  MenuSnapshot,
  PaymentStart,
  RegistrationPending,
  ShopList,
  ShopSearchResult,
  SiteConfig,
  TrackedOrder,
  TrackingSnapshot,
  type CancelOrderBody,
  type CreateOrderBody,
  type LoginBody,
  type ModifyOrderBody,
  type RegisterCustomerBody,
  type VerifyEmailBody,
  type ShopSearchBody,
} from '@ocp/hub/contract';
import { z } from 'zod';
import { api } from './http';

/** Every hub endpoint the customer site calls, each with its contract schema. */
const track = (token: string) => `/api/orders/track/${encodeURIComponent(token)}`;

export const hub = {
  siteConfig: () => api(SiteConfig, '/api/site-config'),
  shops: async () => (await api(ShopList, '/api/shops')).shops,
  searchShops: (body: ShopSearchBody) => api(ShopSearchResult, '/api/shops/search', { method: 'POST', body }),
  menuSnapshot: (shopId: number) => api(MenuSnapshot, `/api/shops/${shopId}/menu/snapshot`),

  createOrder: (body: CreateOrderBody) => api(CreatedOrder, '/api/orders', { method: 'POST', body }),
  trackingSnapshot: (token: string) => api(TrackingSnapshot, `${track(token)}/snapshot`),
  eta: (token: string) => api(Eta, `${track(token)}/eta`),
  startPayment: (token: string) => api(PaymentStart, `${track(token)}/payment`, { method: 'POST' }),
  cancelOrder: (token: string, body: CancelOrderBody) =>
    api(TrackedOrder, `${track(token)}/cancel`, { method: 'POST', body }),
  modifyOrder: (token: string, body: ModifyOrderBody) =>
    api(TrackedOrder, track(token), { method: 'PATCH', body }),

  register: (body: RegisterCustomerBody) =>
    api(RegistrationPending, '/api/customers', { method: 'POST', body }),
  verifyEmail: (body: VerifyEmailBody) => api(CustomerMe, '/api/customers/verify', { method: 'POST', body }),
  login: (body: LoginBody) => api(CustomerMe, '/api/customers/login', { method: 'POST', body }),
  me: () => api(CustomerMe, '/api/customers/me'),
  myOrders: () => api(CustomerOrders, '/api/customers/me/orders'),
  logout: () => api(z.unknown(), '/api/auth/logout', { method: 'POST' }),
};
