import { BadRequestError } from '@omni/kit';
import { InvalidCursorError } from '@omni/store';

/** A cursor from another listing or a forged one is the client's mistake: 400, not 500. */
export async function withCursorErrors<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof InvalidCursorError) {
      throw new BadRequestError(err.message, [{ field: 'querystring/cursor', message: err.message }], 'invalid-cursor');
    }
    throw err;
  }
}
