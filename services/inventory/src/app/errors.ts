import { NotFoundError, UnprocessableError, type AppError } from '@omni/kit';
import { levelId } from '../domain/levels';
import type { Session } from '@omni/store';
import type { Line, StockLevelDoc } from '../domain/types';
import type { InventoryContext, Tx } from './context';

/**
 * Builds an error for an expected, frequent refusal without capturing a stack trace: in a flash sale
 * most reserve attempts are refused, and a stack (useless for a business outcome) costs more than
 * the refusal itself.
 */
export function refusal<E extends AppError>(make: () => E): E {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * Why a guarded stock change was refused: an SKU inventory has never seen is a 404; a known SKU
 * without enough available units at the location is a 422 naming what is available.
 */
export async function insufficientStock(tx: Tx, line: Line, locationId: string): Promise<AppError> {
  const { levels } = tx.ctx.collections;
  const level = await levels.findById(levelId(line.sku, locationId), { session: tx.session });
  return refusalFor(tx.ctx, line, locationId, level, tx.session);
}

/** The refusal for a line given its level as read (null: none at this location). */
export async function refusalFor(
  ctx: InventoryContext,
  line: Line,
  locationId: string,
  level: Pick<StockLevelDoc, 'available'> | null,
  session?: Session,
): Promise<AppError> {
  if (!level) {
    const known = await ctx.collections.levels.findOne(
      { sku: line.sku },
      { ...(session ? { session } : {}), projection: { _id: 1 } },
    );
    if (!known) return refusal(() => new NotFoundError('SKU', line.sku, 'unknown-sku'));
  }
  const available = Math.max(0, level?.available ?? 0);
  return refusal(
    () =>
      new UnprocessableError(
        'insufficient-stock',
        `${line.qty} × ${line.sku} requested at ${locationId}, ${available} available`,
        {
          sku: line.sku,
          locationId,
          requested: line.qty,
          available,
        },
      ),
  );
}

export function unknownLocation(id: string): NotFoundError {
  return new NotFoundError('location', id, 'unknown-location');
}

export function unknownReservation(id: string): NotFoundError {
  return new NotFoundError('reservation', id, 'unknown-reservation');
}
