import { Type, type Static } from 'typebox';

/** Ids are opaque strings on the wire (bigints inside). */
export const Id = Type.String({ description: 'Opaque id' });
export const Timestamp = Type.String({ description: 'ISO 8601 UTC timestamp' });
export const NullableString = Type.Union([Type.String(), Type.Null()]);

export const PageQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, 'x-message': 'limit must be 1 to 200' })),
  cursor: Type.Optional(Type.String({ maxLength: 2000 }))
});
export type PageQuery = Static<typeof PageQuery>;

/** One suspected patient identifier, with offsets into the named field's text. */
export const PhiFinding = Type.Object({
  kind: Type.String(),
  label: Type.String(),
  field: Type.String(),
  start: Type.Integer(),
  end: Type.Integer(),
  line: Type.Integer(),
  excerpt: Type.String()
});
export type PhiFindingOnField = Static<typeof PhiFinding>;

export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    fields: Type.Optional(Type.Record(Type.String(), Type.String())),
    /** With 422 phi_suspected: every suspected identifier. */
    phi: Type.Optional(Type.Array(PhiFinding))
  })
});
export type ErrorBody = Static<typeof ErrorBody>;

export const errorCodes = [
  'validation_failed',
  'bad_json',
  'unauthenticated',
  'forbidden',
  'csrf',
  'suspended',
  'thread_locked',
  'not_found',
  'conflict',
  'too_large',
  'phi_suspected',
  'rate_limited',
  'bad_request',
  'unsupported_media_type',
  'unavailable',
  'internal',
  'token_invalid',
  'token_used',
  'token_expired',
  'two_factor_required',
  'two_factor_invalid'
] as const;
export type ErrorCode = (typeof errorCodes)[number];
export { PUBLIC_CACHE_CONTROL } from './pure.ts';
