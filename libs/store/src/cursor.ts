import { InvalidCursorError } from './errors';

/**
 * Keyset pagination cursor shared by both adapters: base64url of the JSON of the sort field,
 * direction, the last item's sort value and its `_id`. Opaque to clients; binding the field and
 * direction into it rejects a cursor replayed against a different ordering.
 */
export interface PageCursor {
  field: string;
  direction: 1 | -1;
  value: unknown;
  id: string;
}

export const MAX_PAGE_LIMIT = 1000;

export function validatePageLimit(limit: unknown): number {
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw new RangeError(`page limit must be an integer from 1 to ${MAX_PAGE_LIMIT}, got ${String(limit)}`);
  }
  return limit;
}

export function encodeCursor(cursor: PageCursor): string {
  const payload = JSON.stringify([cursor.field, cursor.direction, cursor.value ?? null, cursor.id]);
  return Buffer.from(payload, 'utf8').toString('base64url');
}

export function decodeCursor(text: string, field: string, direction: 1 | -1): PageCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('cursor is not valid');
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 4 ||
    typeof parsed[0] !== 'string' ||
    (parsed[1] !== 1 && parsed[1] !== -1) ||
    typeof parsed[3] !== 'string'
  ) {
    throw new InvalidCursorError('cursor is not valid');
  }
  if (parsed[0] !== field || parsed[1] !== direction) {
    throw new InvalidCursorError('cursor belongs to a different sort order');
  }
  return { field, direction, value: parsed[2] as unknown, id: parsed[3] };
}
