import type { ErrorCode } from './contract/index.js';

/** A failure a person can act on: a contract code and a sentence. Mapped to HTTP in one table. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const appError = (code: ErrorCode, message: string, details?: unknown) =>
  new AppError(code, message, details);
