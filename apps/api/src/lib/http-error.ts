import type { ErrorCode } from '@bmet/contracts';

/** An expected failure, answered with the contract's error body. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode | string,
    message: string,
    readonly fields?: Record<string, string>,
    readonly headers?: Record<string, string>,
    /** Further members of the error object (e.g. phi), declared in the ErrorBody schema. */
    readonly extra?: Record<string, unknown>
  ) {
    super(message);
  }
}

export const notFound = (what = 'resource') => new HttpError(404, 'not_found', `${what} not found`);
export const unauthenticated = () => new HttpError(401, 'unauthenticated', 'log in to do this');
export const forbidden = (message = 'you may not do this') => new HttpError(403, 'forbidden', message);
export const invalid = (field: string, message: string) => new HttpError(400, 'validation_failed', message, { [field]: message });
export const conflict = (field: string, message: string) => new HttpError(409, 'conflict', message, { [field]: message });
