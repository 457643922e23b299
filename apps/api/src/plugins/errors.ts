import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { isTransient, isUnavailable } from '@bmet/db/errors';
import { HttpError } from '../lib/http-error.ts';

interface AjvError {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
  parentSchema?: Record<string, unknown>;
}

function fieldName(e: AjvError): string {
  const path = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const missing = e.params.missingProperty;
  if (e.keyword === 'required' && typeof missing === 'string') return path === '' ? missing : `${path}.${missing}`;
  return path === '' ? 'body' : path;
}

function fieldMessage(e: AjvError, field: string): string {
  const custom = e.parentSchema?.['x-message'];
  if (typeof custom === 'string' && e.keyword !== 'required') return custom;
  if (e.keyword === 'required') return `${field} is required`;
  if (e.keyword === 'type') return `${field} must be ${String(e.params.type)}`;
  return `${field} ${e.message ?? 'is invalid'}`;
}

/** Validation errors of one request, as { field: message } (first message per field). */
export function validationFields(errors: AjvError[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const e of errors) {
    // A union reports one error per branch; the branch's own keyword names what is wrong.
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf') continue;
    const field = fieldName(e);
    fields[field] ??= fieldMessage(e, field);
  }
  if (Object.keys(fields).length === 0 && errors[0] !== undefined) {
    const field = fieldName(errors[0]);
    fields[field] = fieldMessage(errors[0], field);
  }
  return fields;
}

const clientErrors: Record<string, [number, string, string]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'bad_json', 'the body is not valid JSON'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'bad_json', 'the body is empty; send a JSON object'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'too_large', 'the body is over the 1 MB limit'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type', 'send the body as application/json'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'bad_request', 'the content-length does not match the body'],
  FST_ERR_CTP_INVALID_TYPE: [400, 'bad_request', 'the content-type header is invalid']
};

/** The one error handler: the contract's error body for every failure, details only in the log. */
export const errorsPlugin = fp(async (app: FastifyInstance) => {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof HttpError) {
      if (err.headers !== undefined) void reply.headers(err.headers);
      return reply.code(err.statusCode).send({
        error: { code: err.code, message: err.message, ...(err.fields ? { fields: err.fields } : {}), ...err.extra }
      });
    }
    if (err.validation !== undefined) {
      const fields = validationFields(err.validation as unknown as AjvError[]);
      const message = Object.values(fields)[0] ?? 'the request is invalid';
      return reply.code(400).send({ error: { code: 'validation_failed', message, fields } });
    }
    const known = err.code === undefined ? undefined : clientErrors[err.code];
    if (known !== undefined) {
      return reply.code(known[0]).send({ error: { code: known[1], message: known[2] } });
    }
    if (err instanceof SyntaxError && err.statusCode === 400) {
      return reply.code(400).send({ error: { code: 'bad_json', message: 'the body is not valid JSON' } });
    }
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      request.log.info({ err }, 'client error');
      return reply.code(err.statusCode).send({ error: { code: 'bad_request', message: 'the request is invalid' } });
    }
    if (isUnavailable(err) || isTransient(err)) {
      // The pool replaces a lost connection by itself, and a deadlock or a timeout is over once
      // answered: the client may simply try again.
      request.log.warn({ err: err.message }, 'database unavailable or busy');
      return reply
        .code(503)
        .header('retry-after', '5')
        .send({ error: { code: 'unavailable', message: 'the database is not answering or is busy; please try again in a few seconds' } });
    }
    request.log.error({ err }, 'unhandled error');
    return reply.code(500).send({ error: { code: 'internal', message: 'something went wrong on our side' } });
  });
});
