import { InvalidCursorError } from '@omni/store';
import { BadRequestError } from './errors';

/**
 * Runs a page query. A cursor from another listing, or a forged one, is the client's mistake:
 * 400 `invalid-cursor` on `querystring/cursor`, not 500. Every service's lists answer the same.
 */
export async function withCursor<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof InvalidCursorError) {
      throw new BadRequestError(
        err.message,
        [{ field: 'querystring/cursor', message: err.message }],
        'invalid-cursor',
      );
    }
    throw err;
  }
}
