import { BadRequestError, type FieldError } from '@omni/kit';
import type { Line } from './types';

export const SKU_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
export const MAX_LINES = 100;
export const MAX_QTY = 1_000_000;

/**
 * Checks lines that did not pass an HTTP schema (gRPC requests): SKU format, whole positive
 * quantities (zero allowed where `allowZero`, e.g. counted quantities), bounded counts.
 */
export function validateLines(
  lines: readonly Line[],
  field = 'lines',
  opts: { allowZero?: boolean } = {},
): void {
  const errors: FieldError[] = [];
  if (lines.length === 0) errors.push({ field, message: 'must contain at least one line' });
  if (lines.length > MAX_LINES) errors.push({ field, message: `must contain at most ${MAX_LINES} lines` });
  const min = opts.allowZero ? 0 : 1;
  lines.forEach((line, i) => {
    if (!SKU_PATTERN.test(line.sku))
      errors.push({ field: `${field}/${i}/sku`, message: 'must match ^[A-Za-z0-9._-]{1,64}$' });
    if (!Number.isInteger(line.qty) || line.qty < min || line.qty > MAX_QTY) {
      errors.push({ field: `${field}/${i}/qty`, message: `must be an integer from ${min} to ${MAX_QTY}` });
    }
  });
  if (errors.length > 0) throw new BadRequestError(`The ${field} are not valid`, errors);
}

/** Ids (locations, reservations, POS ops, ...): never contain '|', which separates ledger op id parts. */
export const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export function validateId(value: string, field: string): void {
  if (!ID_PATTERN.test(value)) {
    throw new BadRequestError(`${field} is not valid`, [
      { field, message: 'must match ^[A-Za-z0-9._:-]{1,128}$' },
    ]);
  }
}
