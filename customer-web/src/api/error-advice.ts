import { ApiError } from './http';

/**
 * What the customer can do about an error, beyond the hub's own sentence: keys of `advice.*` in
 * the messages. Codes without advice show the hub's sentence alone.
 */
const ADVICE: Record<string, string> = {
  'order/outside_zone': 'outsideZone',
  'order/address_not_found': 'addressNotFound',
  'stock/insufficient': 'stockInsufficient',
  'shop/not_open': 'shopNotOpen',
  'shop/closed': 'shopClosed',
  'shop/not_found': 'shopNotFound',
  'menu/product_unknown': 'productUnknown',
  'request/invalid': 'requestInvalid',
  'service/unavailable': 'serviceUnavailable',
  'internal/unexpected': 'unexpected',
  'order/locked': 'locked',
  'order/not_found': 'orderNotFound',
  'auth/invalid_credentials': 'invalidCredentials',
  'auth/email_taken': 'emailTaken',
  'auth/email_unverified': 'emailUnverified',
  'auth/link_invalid': 'linkInvalid',
  'auth/rate_limited': 'rateLimited',
  'payment/unavailable': 'paymentUnavailable',
  'payment/provider_failed': 'paymentProviderFailed',
  'request/cross_origin': 'crossOrigin',
};

export function adviceKey(code: string): string | null {
  const key = ADVICE[code];
  return key ? `advice.${key}` : null;
}

/** Whether trying the same thing again may work (the network, a busy hub). */
export function isRetryable(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    (error.status === 0 || error.code === 'service/unavailable' || error.code === 'payment/provider_failed')
  );
}

/** The pizza names a `stock/insufficient` error is about (its details list them). */
export function shortProducts(error: ApiError): string[] {
  const details = error.details as { products?: unknown } | undefined;
  return Array.isArray(details?.products)
    ? details.products.filter((p): p is string => typeof p === 'string')
    : [];
}
