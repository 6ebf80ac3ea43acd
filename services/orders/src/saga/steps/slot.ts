import type { OrderDoc } from '../../domain/types';
import type { Reducer, Step, StepContext } from '../types';

/**
 * The delivery slot the order's promise holds. It is booked in the transaction that creates the
 * order (app/place-order.ts via SlotBook.book: one conditional update, so a full slot refuses the order
 * with nothing written); these steps give it back when the order does not go ahead.
 */

const holdsSlot = (o: OrderDoc): boolean => !!o.slot && !o.slot.released;

async function release(ctx: StepContext, o: OrderDoc): Promise<Reducer> {
  await ctx.slots.release(o.slot!.id, o._id);
  return (x) => (x.slot ? { ...x, slot: { ...x.slot, released: true } } : x);
}

/** Placement: first step, so a failed placement (stock, payment) compensates it: the slot is freed. */
export const holdSlot: Step = {
  name: 'hold_slot',
  when: holdsSlot,
  compensate: release,
};

/** Cancellation: the slot goes back on offer. */
export const releaseSlot: Step = {
  name: 'release_slot',
  when: holdsSlot,
  run: release,
};
