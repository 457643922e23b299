import { describe, expect, it } from 'vitest';
import { formFieldName, isApiError, phiFindings, toFormFailure } from './api-errors.ts';

describe('formFieldName', () => {
  it.each([
    ['title', 'title'],
    ['equipment.model', 'model'],
    ['equipment.errorCode', 'errorCode'],
    ['tags.3', 'tags'],
    ['tags', 'tags']
  ])('%s -> %s', (api, form) => {
    expect(formFieldName(api)).toBe(form);
  });
});

describe('isApiError', () => {
  it('recognises the contract error body only', () => {
    expect(isApiError({ error: { code: 'not_found', message: 'thread not found' } })).toBe(true);
    expect(isApiError({ error: 'boom' })).toBe(false);
    expect(isApiError(null)).toBe(false);
    expect(isApiError('error')).toBe(false);
  });
});

describe('toFormFailure', () => {
  it('keeps the message and maps nested field names, first message per field', () => {
    const body = {
      error: {
        code: 'validation_failed',
        message: 'model must be at most 100 characters',
        fields: {
          'equipment.model': 'model must be at most 100 characters',
          'tags.1': 'each tag must be 1 to 30 characters',
          'tags.4': 'another tag message'
        }
      }
    };
    expect(toFormFailure(400, body, 'fallback')).toEqual({
      message: 'Model must be at most 100 characters',
      fields: { model: 'Model must be at most 100 characters', tags: 'Each tag must be 1 to 30 characters' }
    });
  });

  it('uses the fallback when the body is not the contract error', () => {
    expect(toFormFailure(502, null, 'Please try again.')).toEqual({ message: 'Please try again.', fields: {} });
    expect(toFormFailure(500, '<html>', 'Please try again.').fields).toEqual({});
  });

  it('explains a rate limit without a body', () => {
    expect(toFormFailure(429, null, 'x').message).toMatch(/too many attempts/i);
  });

  it('has no fields when the API names none', () => {
    expect(toFormFailure(401, { error: { code: 'unauthenticated', message: 'wrong username, email or password' } }, 'x')).toEqual({
      message: 'Wrong username, email or password',
      fields: {}
    });
  });
});

describe('phiFindings', () => {
  const body = {
    error: {
      code: 'phi_suspected',
      message: 'possible patient data',
      fields: { body: 'Possible patient data: MRN' },
      phi: [
        { kind: 'mrn', label: 'Medical record number', start: 4, end: 11, line: 1, excerpt: 'MRN 1234567', field: 'body' },
        { kind: 'name', label: 'Patient name', start: 0, end: 3, line: 1, excerpt: 'Pt Jo', field: 'title' },
        'junk'
      ]
    }
  };

  it('reads the findings of a phi_suspected answer', () => {
    const found = phiFindings(422, body);
    expect(found).toHaveLength(2);
    expect(found[0]).toEqual({
      kind: 'mrn',
      label: 'Medical record number',
      start: 4,
      end: 11,
      line: 1,
      excerpt: 'MRN 1234567',
      field: 'body'
    });
    expect(found[1]!.field).toBe('title');
  });

  it('is empty for other answers', () => {
    expect(phiFindings(400, body)).toEqual([]);
    expect(phiFindings(422, { error: { code: 'validation_failed', message: 'x' } })).toEqual([]);
    expect(phiFindings(422, null)).toEqual([]);
  });
});
