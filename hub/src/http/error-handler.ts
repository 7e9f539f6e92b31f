import type { ErrorRequestHandler } from 'express';
import { errorHttpStatus, type ErrorBody } from '../contract/index.js';
import { AppError } from '../errors.js';

type BodyParserError = { type?: string; status?: number };

/** The one place errors become HTTP answers: a contract code, a sentence, the code's status. */
export const errorHandler: ErrorRequestHandler = (error: unknown, req, res, _next) => {
  let appErr: AppError;
  const parserError = error as BodyParserError;
  if (error instanceof AppError) {
    appErr = error;
  } else if (parserError?.type === 'entity.too.large') {
    appErr = new AppError('request/too_large', 'The request body is too large.');
  } else if (parserError?.type === 'entity.parse.failed') {
    appErr = new AppError('request/malformed_json', 'The request body is not valid JSON.');
  } else if (parserError?.status && parserError.status >= 400 && parserError.status < 500) {
    appErr = new AppError('request/invalid', 'The request could not be read.');
  } else {
    req.log?.error({ err: error }, 'unexpected error');
    appErr = new AppError('internal/unexpected', 'Something went wrong on our side; the team has been told.');
  }
  const body: ErrorBody = {
    error: {
      code: appErr.code,
      message: appErr.message,
      ...(appErr.details ? { details: appErr.details } : {}),
    },
  };
  res.status(errorHttpStatus[appErr.code]).json(body);
};
