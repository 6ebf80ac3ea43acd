import { BadRequestError } from '@omni/kit';
import { InvalidCursorError, type Page } from '@omni/store';

/** A forged cursor, or one from another listing, is the client's mistake: 400, not 500. */
export async function paged<T>(read: () => Promise<Page<T>>): Promise<Page<T>> {
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
