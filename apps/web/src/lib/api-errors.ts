import type { PhiFindingOnField } from '@bmet/contracts';
/** The API's error body (see API.md): `{ error: { code, message, fields? } }`. */
export interface ApiErrorBody {
  error: { code: string; message: string; fields?: Record<string, string> };
}

export interface FormFailure {
  message: string;
  fields: Record<string, string>;
}

export function isApiError(data: unknown): data is ApiErrorBody {
  if (typeof data !== 'object' || data === null || !('error' in data)) return false;
  const error = (data as { error: unknown }).error;
  return typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string';
}

/** "title must be 3 to 200 characters" -> "Title must be 3 to 200 characters". */
export function sentence(text: string): string {
  return text.length === 0 ? text : text[0]!.toUpperCase() + text.slice(1);
}

/**
 * The API names fields by their JSON path (`equipment.model`, `tags.2`); the forms name their
 * inputs flat (`model`, `tags`). The first message per input wins.
 */
export function formFieldName(apiField: string): string {
  return apiField.replace(/^equipment\./, '').replace(/\.\d+$/, '');
}

/** Maps an API answer that was not a success to what a form shows: a top message and per-field messages. */
export function toFormFailure(status: number, data: unknown, fallback: string): FormFailure {
  if (!isApiError(data)) {
    return { message: status === 429 ? 'Too many attempts. Please wait a minute and try again.' : fallback, fields: {} };
  }
  const fields: Record<string, string> = {};
  for (const [name, message] of Object.entries(data.error.fields ?? {})) {
    fields[formFieldName(name)] ??= sentence(message);
  }
  return { message: sentence(data.error.message), fields };
}

/** One suspected piece of patient data in a 422 `phi_suspected` answer; offsets index the named field's text. */
export type PhiFinding = PhiFindingOnField;

/** The findings of a 422 `phi_suspected` answer, or [] for any other answer. */
export function phiFindings(status: number, data: unknown): PhiFinding[] {
  if (status !== 422 || !isApiError(data) || data.error.code !== 'phi_suspected') return [];
  const raw = (data.error as { phi?: unknown }).phi;
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((f): PhiFinding[] => {
    if (typeof f !== 'object' || f === null) return [];
    const r = f as Record<string, unknown>;
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
    const str = (v: unknown, fallback = '') => (typeof v === 'string' ? v : fallback);
    return [
      {
        kind: str(r.kind, 'unknown'),
        label: str(r.label, 'Possible patient data'),
        start: num(r.start),
        end: num(r.end),
        line: num(r.line),
        excerpt: str(r.excerpt),
        field: str(r.field, 'body')
      }
    ];
  });
}
