import { z } from 'zod';

/**
 * Every error the hub can answer with. The HTTP status of each lives in `errorHttpStatus`, the one
 * table both REST and (later) socket acks read, so a code means the same thing everywhere.
 */
export const ErrorCode = z.enum([
  'request/invalid',
  'request/too_large',
  'request/malformed_json',
  'request/cross_origin',
  'request/not_found',
  'request/rate_limited',
  'auth/unauthenticated',
  'auth/invalid_credentials',
  'auth/forbidden',
  'auth/rate_limited',
  'auth/email_taken',
  'auth/email_unverified',
  'auth/link_invalid',
  'shop/not_found',
  'shop/not_open',
  'shop/closed',
  'closure/not_found',
  'menu/product_unknown',
  'order/not_found',
  'order/locked',
  'order/transition_not_allowed',
  'order/offer_expired',
  'order/invalid',
  'order/version_conflict',
  'order/address_not_found',
  'order/outside_zone',
  'stock/insufficient',
  'stock/not_found',
  'courier/not_found',
  'product/not_found',
  'product/slug_taken',
  'ingredient/not_found',
  'ingredient/name_taken',
  'staff/not_found',
  'staff/change_refused',
  'payment/unavailable',
  'payment/not_required',
  'payment/provider_failed',
  'webhook/invalid_signature',
  'webhook/invalid',
  'internal/unexpected',
  'service/unavailable',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const errorHttpStatus: Record<ErrorCode, number> = {
  'request/invalid': 400,
  'request/too_large': 413,
  'request/malformed_json': 400,
  'request/cross_origin': 403,
  'request/not_found': 404,
  'request/rate_limited': 429,
  'auth/unauthenticated': 401,
  'auth/invalid_credentials': 401,
  'auth/forbidden': 403,
  'auth/rate_limited': 429,
  'auth/email_taken': 409,
  'auth/email_unverified': 403,
  'auth/link_invalid': 400,
  'shop/not_found': 404,
  'shop/not_open': 409,
  'shop/closed': 409,
  'closure/not_found': 404,
  'menu/product_unknown': 422,
  'order/not_found': 404,
  'order/locked': 409,
  'order/transition_not_allowed': 409,
  'order/offer_expired': 409,
  'order/invalid': 422,
  'order/version_conflict': 409,
  'order/address_not_found': 422,
  'order/outside_zone': 422,
  'stock/insufficient': 409,
  'stock/not_found': 404,
  'courier/not_found': 404,
  'product/not_found': 404,
  'product/slug_taken': 409,
  'ingredient/not_found': 404,
  'ingredient/name_taken': 409,
  'staff/not_found': 404,
  'staff/change_refused': 409,
  'payment/unavailable': 409,
  'payment/not_required': 409,
  'payment/provider_failed': 502,
  'webhook/invalid_signature': 400,
  'webhook/invalid': 400,
  'internal/unexpected': 500,
  'service/unavailable': 503,
};

export const ErrorBody = z.object({
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** One validation problem of a `request/invalid` answer, on the field it names (`recipe.2.quantity`). */
export const FieldIssue = z.object({ path: z.string(), message: z.string() });
export type FieldIssue = z.infer<typeof FieldIssue>;

/** The `details` of a `request/invalid` answer. */
export const InvalidDetails = z.object({ issues: z.array(FieldIssue) });
export type InvalidDetails = z.infer<typeof InvalidDetails>;
