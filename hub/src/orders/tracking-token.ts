import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, URL-safe (43 characters): the customer's only credential for the order. */
export function newTrackingToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The database keeps only this hash, so a leaked dump or log line does not open anyone's order. */
export function hashTrackingToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
