import { InvalidCursorError } from '@omni/store';
import { BadRequestError } from '@omni/kit';

/** Runs a page query; a cursor the store does not accept is the client's error (400), not ours. */
export async function withCursor<T>(query: () => Promise<T>): Promise<T> {
  try {
    return await query();
  } catch (err) {
    if (err instanceof InvalidCursorError) {
      throw new BadRequestError('The page cursor is not valid', [{ field: 'querystring/cursor', message: err.message }]);
    }
    throw err;
  }
}
