import { describe, expect, it } from 'vitest';
import { DuplicateKeyError, isDuplicateKeyError } from '../src/errors';

describe('store errors', () => {
  it('recognises duplicate-key errors from either adapter by MongoDB code 11000', () => {
    expect(isDuplicateKeyError(new DuplicateKeyError('stock', 'sku_1', { sku: 'A' }))).toBe(true);
    expect(isDuplicateKeyError({ code: 11000, message: 'E11000 duplicate key' })).toBe(true);
    expect(isDuplicateKeyError(new Error('other'))).toBe(false);
    expect(isDuplicateKeyError(null)).toBe(false);
  });
});
